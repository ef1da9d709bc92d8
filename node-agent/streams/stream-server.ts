import type { NatsConnection, Subscription } from 'nats';
import { logError } from '../../client/log.js';
import { sessionInputSubject, sessionOutputSubject, streamRequestSubject, STREAM_KINDS, type StreamKind } from '../../control-plane/nats/node-subjects.js';
import { Channel, decodeFrame, encodeFrame, type StreamRequest, type StreamStatus } from '../../control-plane/nats/stream-frames.js';

/** A stream refused or failed, with the Status the API server answers the user with. */
export class StreamError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
  }
}

/** One stream as a handler sees it: the request, the way to answer, and the API server's frames. */
export interface StreamContext {
  request: StreamRequest;
  /** Tells the API server the request is good: it starts answering its client. Before it, a thrown StreamError is the client's error. */
  accept(): void;
  send(channel: number, data: Uint8Array | string): void;
  /** The API server's frames (stdin, resize), until it closes the stream. */
  input: AsyncIterable<{ channel: number; data: Buffer }>;
  /** Aborted when the API server closes the stream (its client went away). */
  signal: AbortSignal;
}

/** Runs one stream; answers its final Status when it is not plain Success (an exec's non-zero exit). */
export type StreamHandler = (ctx: StreamContext) => Promise<StreamStatus | void>;

/**
 * The agent's end of the node streams: takes the API server's requests on
 * this node's subjects and runs the handler of their kind, each stream
 * answered under the node's own stream subjects (see node-subjects.ts).
 */
export class StreamServer {
  private readonly subscriptions: Subscription[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly nc: NatsConnection, private readonly nodeName: string, private readonly handlers: Partial<Record<StreamKind, StreamHandler>>) {}

  start(): void {
    for (const kind of STREAM_KINDS) {
      const sub = this.nc.subscribe(streamRequestSubject(this.nodeName, kind));
      this.subscriptions.push(sub);
      void (async () => {
        for await (const msg of sub) {
          let request: StreamRequest;
          try {
            request = JSON.parse(Buffer.from(msg.data).toString('utf8'));
          } catch (err) {
            logError(err, { component: 'node-agent', phase: 'streams', kind });
            continue;
          }
          const done = this.serve(kind, request).finally(() => this.running.delete(done));
          this.running.add(done);
        }
      })();
    }
  }

  async stop(): Promise<void> {
    for (const s of this.subscriptions) s.unsubscribe();
    await Promise.allSettled([...this.running]);
  }

  private async serve(kind: StreamKind, request: StreamRequest): Promise<void> {
    const out = sessionOutputSubject(this.nodeName, request.session);
    const send = (channel: number, data: Uint8Array | string = new Uint8Array()) => this.nc.publish(out, encodeFrame(channel, data));
    const abort = new AbortController();
    const inbox = this.nc.subscribe(sessionInputSubject(this.nodeName, request.session));
    const frames: { channel: number; data: Buffer }[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    void (async () => {
      for await (const msg of inbox) {
        const frame = decodeFrame(msg.data);
        if (frame.channel === Channel.end) break;
        frames.push(frame);
        wake?.();
      }
      closed = true;
      abort.abort();
      wake?.();
    })();
    const input: AsyncIterable<{ channel: number; data: Buffer }> = {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (frames.length) yield frames.shift()!;
          if (closed) return;
          await new Promise<void>((r) => { wake = r; });
        }
      },
    };
    const status = (s: StreamStatus) => send(Channel.status, JSON.stringify(s));
    try {
      const handler = this.handlers[kind];
      if (!handler) throw new StreamError(501, 'NotImplemented', `the node agent on ${this.nodeName} does not serve ${kind} yet`);
      status(await handler({ request, accept: () => send(Channel.accept), send, input, signal: abort.signal }) ?? { status: 'Success' });
    } catch (err) {
      const e = err instanceof StreamError ? err : new StreamError(500, 'InternalError', (err as Error).message);
      if (!(err instanceof StreamError)) logError(err, { component: 'node-agent', phase: 'streams', kind, pod: `${request.namespace}/${request.pod}` });
      status({ status: 'Failure', code: e.code, reason: e.reason, message: e.message });
    } finally {
      send(Channel.end);
      inbox.unsubscribe();
      abort.abort();
    }
  }
}
