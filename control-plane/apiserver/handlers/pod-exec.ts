import type { KObject } from '../../../api/kind.js';
import { methodNotAllowed, StatusError } from '../../../api/status.js';
import { Channel } from '../../nats/stream-frames.js';
import type { NodeStreams } from '../streaming/node-streams.js';
import { acceptWebSocket, CHANNEL_PROTOCOLS, negotiateChannelProtocol } from '../streaming/websocket-channels.js';
import type { RequestContext } from './context.js';
import { containerOf, nodeOf, reachable } from './pod-log.js';
import { queryBool } from '../http/query.js';

/** v5's control frame: close the channel named in the next byte (stdin). */
const CLOSE_CHANNEL = 255;

const flag = (q: URLSearchParams, key: string) => queryBool(q, key) ?? false;

/**
 * pods/exec and pods/attach over WebSocket (the channel protocol kubectl
 * and the official clients speak, v5 and v4): the request is handed to the
 * node's agent over NATS, and once it accepts, the connection is upgraded
 * and its frames relayed both ways: stdin, its close, the terminal size,
 * stdout, stderr, and last the Status of the command.
 */
export async function podExec(ctx: RequestContext, streams: NodeStreams | undefined, kind: 'exec' | 'attach'): Promise<void> {
  const { req, query } = ctx;
  if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const pod: KObject = await ctx.store.get(ctx.info.namespace!, ctx.info.name!);
  const io = { stdin: flag(query, 'stdin'), stdout: flag(query, 'stdout'), stderr: flag(query, 'stderr'), tty: flag(query, 'tty') };
  const command = query.getAll('command');
  if (kind === 'exec' && !command.length) throw new StatusError(400, 'BadRequest', 'you must specify at least one command for the container');
  if (!io.stdin && !io.stdout && !io.stderr) throw new StatusError(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw new StatusError(400, 'BadRequest', `cannot ${kind === 'exec' ? 'exec into' : 'attach to'} a container in a completed pod; current phase is ${phase}`);
  }
  const container = containerOf(pod, query.get('container'));
  const node = nodeOf(pod);
  negotiateChannelProtocol(req, CHANNEL_PROTOCOLS);
  const stream = await reachable(streams).open(node, kind, {
    namespace: pod.metadata.namespace!, pod: pod.metadata.name!, uid: pod.metadata.uid!, container,
    ...(kind === 'exec' ? { exec: { command, ...io } } : { attach: io }),
  });
  let ws;
  try {
    ws = await acceptWebSocket(req, CHANNEL_PROTOCOLS);
  } catch (err) {
    stream.close();
    throw err;
  }
  ctx.res.statusCode = 101;
  ws.on('message', (data: Buffer) => {
    if (!data.length) return;
    if (data[0] === CLOSE_CHANNEL) {
      if (data[1] === Channel.stdin) stream.send(Channel.eof, new Uint8Array());
      return;
    }
    if (data[0] === Channel.stdin || data[0] === Channel.resize) stream.send(data[0], data.subarray(1));
  });
  ws.once('close', () => stream.close());
  try {
    for await (const frame of stream.frames) {
      if (frame.channel === Channel.stdout || frame.channel === Channel.stderr) ws.send(Buffer.concat([Buffer.from([frame.channel]), frame.data]));
      else if (frame.channel === Channel.status) {
        const status = JSON.parse(frame.data.toString('utf8'));
        ws.send(Buffer.concat([Buffer.from([Channel.status]), Buffer.from(JSON.stringify({ metadata: {}, ...status }))]));
      }
    }
  } finally {
    stream.close();
    ws.close(1000);
  }
}
