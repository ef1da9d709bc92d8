import { randomBytes } from 'node:crypto';
import type { NatsConnection, Subscription } from 'nats';
import { sessionInputSubject, sessionOutputSubject, streamRequestSubject, type StreamKind } from '../../nats/node-subjects.js';
import { Channel, decodeFrame, encodeFrame, type StreamRequest, type StreamStatus } from '../../nats/stream-frames.js';
import { StatusError } from '../../../api/status.js';

/** How long an agent has to take a stream request before the API server gives up on it. */
const ACCEPT_TIMEOUT_MS = 10_000;

/** One open stream to a node's agent. */
export interface NodeStream {
  /** The agent's frames after it accepted: stdout, stderr and, last, the status. */
  frames: AsyncIterable<{ channel: number; data: Buffer }>;
  send(channel: number, data: Uint8Array | string): void;
  /** Tells the agent the client went away, and stops listening. */
  close(): void;
}

/**
 * The API server's end of the node streams (see node-subjects.ts): opens a
 * stream to the agent of a node over NATS and hands its frames to the
 * handler of pods/log, exec, attach or portforward. A refusal before the
 * agent accepts is the Status the agent gave (400 for a container that is
 * not running, ...); no answer at all is a 503.
 */
export class NodeStreams {
  constructor(private readonly nc: NatsConnection) {}

  async open(nodeName: string, kind: StreamKind, request: Omit<StreamRequest, 'session'>): Promise<NodeStream> {
    const session = randomBytes(12).toString('hex');
    const sub = this.nc.subscribe(sessionOutputSubject(nodeName, session));
    const iterator = sub[Symbol.asyncIterator]();
    const close = () => {
      if (sub.isClosed()) return;
      this.nc.publish(sessionInputSubject(nodeName, session), encodeFrame(Channel.end));
      sub.unsubscribe();
    };
    this.nc.publish(streamRequestSubject(nodeName, kind), Buffer.from(JSON.stringify({ ...request, session })));
    const first = await nextFrame(iterator, ACCEPT_TIMEOUT_MS).catch((err) => {
      close();
      throw err;
    });
    if (!first) {
      close();
      throw new StatusError(503, 'ServiceUnavailable', `the node agent on ${nodeName} did not answer the ${kind} request within ${ACCEPT_TIMEOUT_MS / 1000}s`);
    }
    if (first.channel !== Channel.accept) {
      close();
      throw statusErrorOf(first.channel === Channel.status ? JSON.parse(first.data.toString('utf8')) : undefined, nodeName);
    }
    return {
      frames: framesOf(iterator, sub),
      send: (channel, data) => this.nc.publish(sessionInputSubject(nodeName, session), encodeFrame(channel, data)),
      close,
    };
  }
}

async function nextFrame(iterator: AsyncIterator<{ data: Uint8Array }>, timeoutMs: number): Promise<{ channel: number; data: Buffer } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), timeoutMs); });
  try {
    const next = await Promise.race([iterator.next(), timeout]);
    if (!next || next.done) return undefined;
    return decodeFrame(next.value.data);
  } finally {
    clearTimeout(timer);
  }
}

async function* framesOf(iterator: AsyncIterator<{ data: Uint8Array }>, sub: Subscription): AsyncIterable<{ channel: number; data: Buffer }> {
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const frame = decodeFrame(next.value.data);
      if (frame.channel === Channel.end) return;
      yield frame;
    }
  } finally {
    sub.unsubscribe();
  }
}

/** The agent's Status as the API's error. */
export function statusErrorOf(status: StreamStatus | undefined, nodeName: string): StatusError {
  if (!status) return new StatusError(500, 'InternalError', `the node agent on ${nodeName} refused the request without a status`);
  return new StatusError(status.code ?? 500, status.reason ?? 'InternalError', status.message ?? 'the node agent failed the request');
}
