import type { Duplex } from 'node:stream';
import type { SpdyStream } from 'spdy-transport';
import { spdyConnection } from '../../../component-base/spdy-connection.js';
import type { KObject } from '../../../api/kind.js';
import { methodNotAllowed, StatusError } from '../../../api/status.js';
import { isValidPortNum } from '../../../api/validation/ports.js';
import { log } from '../../../client/log.js';
import { Channel } from '../../nats/stream-frames.js';
import type { NodeStreams } from '../streaming/node-streams.js';
import { acceptWebSocket, negotiateChannelProtocol, upgradeOf } from '../streaming/websocket-channels.js';
import type { RequestContext } from './context.js';
import { nodeOf, reachable } from './pod-log.js';

/** SPDY's port-forward protocol, and the same carried inside a WebSocket (kubectl 1.31+ tunnels it so proxies pass it). */
const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** The WebSocket subprotocols of port-forward's channel form, which the official clients offer. */
const WEBSOCKET_PORT_FORWARD = ['v4.channel.k8s.io', 'portforward.k8s.io'];

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
  if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const pod: KObject = await ctx.store.get(ctx.info.namespace!, ctx.info.name!);
  const node = nodeOf(pod);
  if (pod.status?.phase !== 'Running') throw new StatusError(400, 'BadRequest', `pod ${pod.metadata.name} is not running (phase ${pod.status?.phase ?? 'Pending'}): its ports cannot be forwarded`);
  const agents = reachable(streams);
  if (req.headers.upgrade?.toLowerCase() === 'websocket') return forwardChannels(ctx, agents, node, pod);
  const transport = await acceptSpdy(ctx);
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
      const done = forward(agents, node, pod, port, pair as Required<ConnectionStreams>).finally(() => forwarding.delete(done));
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

/**
 * The raw connection after a SPDY upgrade. kubectl first offers SPDY
 * tunneled in a WebSocket (subprotocol SPDY/3.1+portforward.k8s.io, which
 * is not a valid WebSocket token, so no WebSocket library accepts it); it
 * is refused with a 400 on which kubectl falls back to this upgrade.
 */
async function acceptSpdy(ctx: RequestContext): Promise<Duplex> {
  const { req } = ctx;
  const raw = upgradeOf(req);
  if (req.headers.upgrade?.toLowerCase() !== 'spdy/3.1' || !raw) throw new StatusError(400, 'BadRequest', 'Upgrade request required');
  const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(PORT_FORWARD_PROTOCOL)) throw new StatusError(403, 'Forbidden', `unable to upgrade: the client offers [${offered.join(', ')}]; this server speaks ${PORT_FORWARD_PROTOCOL}`);
  raw.socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
  if (raw.head.length) raw.socket.unshift(raw.head);
  return raw.socket;
}

/**
 * Port-forward over WebSocket as the official clients speak it (the
 * channel protocol, ports in the `ports` query): per port, channel 2i
 * carries the data and 2i+1 the errors, and the first frame of each says
 * the port (two bytes, little-endian). One WebSocket is one connection per
 * port, each a node stream to the pod's agent.
 */
async function forwardChannels(ctx: RequestContext, streams: NodeStreams, node: string, pod: KObject): Promise<void> {
  const { req, query } = ctx;
  const protocol = negotiateChannelProtocol(req, WEBSOCKET_PORT_FORWARD);
  const ports = query.getAll('ports').flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean).map(Number);
  if (!ports.length) throw new StatusError(400, 'BadRequest', 'query parameter "ports" is required');
  for (const port of ports) if (!isValidPortNum(port)) throw new StatusError(400, 'BadRequest', `invalid port ${port}`);
  const opened = await Promise.all(ports.map((port) => streams.open(node, 'portforward', {
    namespace: pod.metadata.namespace!, pod: pod.metadata.name!, uid: pod.metadata.uid!, container: '', portforward: { port },
  }).catch((err) => err as Error)));
  const failed = opened.find((o): o is Error => o instanceof Error);
  if (failed) {
    for (const o of opened) if (!(o instanceof Error)) o.close();
    throw failed;
  }
  const connections = opened as Exclude<(typeof opened)[number], Error>[];
  const ws = await acceptWebSocket(req, [protocol]);
  ctx.res.statusCode = 101;
  const portBytes = (port: number) => Buffer.from([port & 0xff, port >> 8]);
  ports.forEach((port, i) => {
    ws.send(Buffer.concat([Buffer.from([2 * i]), portBytes(port)]));
    ws.send(Buffer.concat([Buffer.from([2 * i + 1]), portBytes(port)]));
  });
  ws.on('message', (data: Buffer) => {
    const i = data[0] / 2;
    if (Number.isInteger(i) && connections[i]) connections[i].send(Channel.stdin, data.subarray(1));
  });
  ws.once('close', () => connections.forEach((c) => c.close()));
  await Promise.all(connections.map(async (c, i) => {
    try {
      for await (const frame of c.frames) {
        if (frame.channel === Channel.stdout) ws.send(Buffer.concat([Buffer.from([2 * i]), frame.data]));
        else if (frame.channel === Channel.stderr) ws.send(Buffer.concat([Buffer.from([2 * i + 1]), frame.data]));
        else if (frame.channel === Channel.status) {
          const status = JSON.parse(frame.data.toString('utf8'));
          if (status.status !== 'Success') ws.send(Buffer.concat([Buffer.from([2 * i + 1]), Buffer.from(status.message ?? 'port-forward failed')]));
        }
      }
    } finally {
      c.close();
    }
  }));
  ws.close(1000);
}

/** Relays one forwarded connection through a node stream until either side ends it. */
async function forward(streams: NodeStreams, node: string, pod: KObject, port: number, pair: Required<ConnectionStreams>): Promise<void> {
  const { data, error } = pair;
  let stream;
  try {
    if (!isValidPortNum(port)) throw new Error(`invalid port ${port}`);
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
