import type { Duplex } from 'node:stream';
import type { SpdyStream } from 'spdy-transport';
import { spdyConnection } from '../../../component-base/spdy-connection.js';
import { createWebSocketStream } from 'ws';
import type { KObject } from '../../../api/kind.js';
import { StatusError } from '../../../api/status.js';
import { log } from '../../../client/log.js';
import { Channel } from '../../nats/stream-frames.js';
import type { NodeStreams } from '../streaming/node-streams.js';
import { acceptWebSocket, negotiateChannelProtocol, upgradeOf } from '../streaming/websocket-channels.js';
import type { RequestContext } from './context.js';
import { nodeOf } from './pod-log.js';

/** SPDY's port-forward protocol, and the same carried inside a WebSocket (kubectl 1.31+ tunnels it so proxies pass it). */
const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
const TUNNELED_PORT_FORWARD = 'SPDY/3.1+portforward.k8s.io';

/** One forwarded connection: the client's data and error streams that share a request id. */
interface ConnectionStreams {
  data?: SpdyStream;
  error?: SpdyStream;
}

/**
 * pods/portforward as kubectl speaks it: SPDY/3.1 (over a WebSocket, or
 * after a plain SPDY upgrade), where each forwarded connection is a pair of
 * streams, data and error, naming the port. Each connection becomes one
 * node stream to the pod's agent over NATS, which reaches the port inside
 * the pod through the runtime.
 */
export async function podPortForward(ctx: RequestContext, streams: NodeStreams | undefined): Promise<void> {
  const { req } = ctx;
  if (req.method !== 'GET' && req.method !== 'POST') throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const pod: KObject = await ctx.store.get(ctx.info.namespace!, ctx.info.name!);
  const node = nodeOf(pod);
  if (pod.status?.phase !== 'Running') throw new StatusError(400, 'BadRequest', `pod ${pod.metadata.name} is not running (phase ${pod.status?.phase ?? 'Pending'}): its ports cannot be forwarded`);
  if (!streams) throw new StatusError(503, 'ServiceUnavailable', 'the API server has no connection to the nodes\' agents (start it with --nats-servers)');
  const transport = await acceptTransport(ctx);
  ctx.res.statusCode = 101;
  const conn = spdyConnection(transport, true);
  const pending = new Map<string, ConnectionStreams>();
  const forwarding = new Set<Promise<void>>();
  conn.on('error', () => transport.destroy());
  conn.on('stream', (stream) => {
    stream.on('error', () => undefined);
    stream.respond(200, {});
    const header = (name: string) => Object.entries(stream.headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
    const type = header('streamtype');
    const id = header('requestid');
    const port = Number(header('port'));
    const pair = pending.get(id) ?? {};
    if (type === 'data') pair.data = stream;
    else if (type === 'error') pair.error = stream;
    else {
      stream.end();
      return;
    }
    pending.set(id, pair);
    if (pair.data && pair.error) {
      pending.delete(id);
      const done = forward(streams, node, pod, port, pair as Required<ConnectionStreams>).finally(() => forwarding.delete(done));
      forwarding.add(done);
    }
  });
  await new Promise<void>((resolve) => {
    transport.once('close', resolve);
    transport.once('end', resolve);
    transport.once('error', resolve);
  });
  conn.destroyStreams();
  await Promise.allSettled([...forwarding]);
}

/** The client's byte stream: the WebSocket it tunnels SPDY in, or the raw connection after a SPDY upgrade. */
async function acceptTransport(ctx: RequestContext): Promise<Duplex> {
  const { req } = ctx;
  const upgrade = req.headers.upgrade?.toLowerCase();
  if (upgrade === 'websocket') {
    negotiateChannelProtocol(req, [TUNNELED_PORT_FORWARD]);
    const ws = await acceptWebSocket(req, [TUNNELED_PORT_FORWARD]);
    return createWebSocketStream(ws);
  }
  const raw = upgradeOf(req);
  if (upgrade !== 'spdy/3.1' || !raw) throw new StatusError(400, 'BadRequest', 'Upgrade request required');
  const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(PORT_FORWARD_PROTOCOL)) throw new StatusError(403, 'Forbidden', `unable to upgrade: the client offers [${offered.join(', ')}]; this server speaks ${PORT_FORWARD_PROTOCOL}`);
  raw.socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
  if (raw.head.length) raw.socket.unshift(raw.head);
  return raw.socket;
}

/** Relays one forwarded connection through a node stream until either side ends it. */
async function forward(streams: NodeStreams, node: string, pod: KObject, port: number, pair: Required<ConnectionStreams>): Promise<void> {
  const { data, error } = pair;
  let stream;
  try {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${port}`);
    stream = await streams.open(node, 'portforward', { namespace: pod.metadata.namespace!, pod: pod.metadata.name!, uid: pod.metadata.uid!, container: '', portforward: { port } });
  } catch (err) {
    error.end(`error forwarding port ${port} to pod ${pod.metadata.name}: ${(err as Error).message}`);
    data.end();
    return;
  }
  const opened = stream;
  data.on('data', (d: Buffer) => opened.send(Channel.stdin, d));
  data.once('end', () => opened.send(Channel.eof, new Uint8Array()));
  data.once('close', () => opened.close());
  try {
    for await (const frame of opened.frames) {
      if (frame.channel === Channel.stdout) data.write(frame.data);
      else if (frame.channel === Channel.stderr) error.write(frame.data);
      else if (frame.channel === Channel.status) {
        const status = JSON.parse(frame.data.toString('utf8'));
        if (status.status !== 'Success') error.write(status.message ?? 'port-forward failed');
      }
    }
  } catch (err) {
    log.warn('port-forward connection failed', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, port, error: (err as Error).message });
  } finally {
    opened.close();
    data.end();
    error.end();
  }
}
