import type { IncomingMessage } from 'node:http';
import type { Status } from './api-error.js';
import type { RestClient } from './rest-client.js';
import { resourcePath, type AnyObject, type KubeObject, type ResourceRef } from './resource.js';

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  /** Only metadata.resourceVersion is meaningful: the stream has reached it. */
  | { type: 'BOOKMARK'; object: T }
  /** The server ends the stream after this; code 410 means the resourceVersion was compacted. */
  | { type: 'ERROR'; object: Status };

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version; unset starts with the current state replayed as ADDED events. */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** Defaults to true: bookmarks keep the resume point fresh on quiet collections. */
  allowWatchBookmarks?: boolean;
  /** The server ends the stream after this long; the client also gives up a little later. */
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  /** Aborting ends the stream cleanly: iteration stops without an error. */
  signal?: AbortSignal;
}

const eventTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

// How long past its own timeoutSeconds a server may keep a stream before the
// client assumes the connection is dead and closes it.
const deadlineGraceMs = 30_000;

// Reading pauses when this many events wait for the consumer, and resumes below the low mark.
const highWater = 1024;
const lowWater = 256;

/**
 * Splits a stream of concatenated JSON objects, whitespace (newlines) between
 * them optional, fed in chunks that may cut anywhere. Chunks must already be
 * text: a multi-byte character split between chunks is the text decoder's job.
 */
export class JsonStreamDecoder {
  private parts: string[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;

  write(chunk: string): unknown[] {
    const values: unknown[] = [];
    let start = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.depth === 0) {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        if (c !== 0x7b) throw new Error(`malformed watch stream: expected an object but found ${JSON.stringify(chunk.slice(i, i + 20))}`);
        this.depth = 1;
        start = i;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if ((c === 0x7d || c === 0x5d) && --this.depth === 0) {
        this.parts.push(chunk.slice(start, i + 1));
        const text = this.parts.join('');
        this.parts = [];
        start = -1;
        try {
          values.push(JSON.parse(text));
        } catch (err) {
          throw new Error(`malformed watch stream: ${(err as Error).message}`);
        }
      }
    }
    if (this.depth > 0) this.parts.push(chunk.slice(start));
    return values;
  }

  /** Throws when the stream stopped in the middle of an object. */
  end(): void {
    if (this.depth > 0) throw new Error('the watch stream ended in the middle of an event');
  }
}

/**
 * An open watch. Iterate it for events; the iteration ends when the server
 * closes the stream normally (timeoutSeconds), on close() or on abort, and
 * throws if the connection breaks or the stream is malformed.
 */
export class WatchStream<T extends KubeObject = AnyObject> implements AsyncIterable<WatchEvent<T>> {
  private readonly events: WatchEvent<T>[] = [];
  private readonly decoder = new JsonStreamDecoder();
  private finished = false;
  private failure?: Error;
  private closing = false;
  private wake?: () => void;
  private readonly deadline?: NodeJS.Timeout;
  private readonly onAbort = () => this.close();

  constructor(private readonly res: IncomingMessage, private readonly signal?: AbortSignal, timeoutSeconds?: number) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.receive(chunk));
    res.on('end', () => {
      try {
        this.decoder.end();
        this.settle();
      } catch (err) {
        this.settle(err as Error);
      }
    });
    res.on('error', (err) => this.settle(this.closing || signal?.aborted ? undefined : err));
    res.on('close', () => {
      this.settle(this.closing || signal?.aborted || res.complete ? undefined : new Error('the watch connection closed before the stream ended'));
    });
    if (signal?.aborted) this.close();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      this.deadline = setTimeout(() => this.close(), timeoutSeconds * 1000 + deadlineGraceMs);
    }
  }

  /** Ends the stream at once: events received but not yet taken are dropped too. */
  close(): void {
    this.events.length = 0;
    if (this.finished || this.closing) return;
    this.closing = true;
    this.res.destroy();
    this.settle();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    try {
      for (;;) {
        const event = this.events.shift();
        if (event) {
          if (this.events.length < lowWater && this.res.isPaused()) this.res.resume();
          yield event;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.finished) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.close();
    }
  }

  private receive(chunk: string): void {
    if (this.finished) return;
    try {
      for (const value of this.decoder.write(chunk)) this.events.push(toEvent<T>(value));
    } catch (err) {
      this.res.destroy();
      this.settle(err as Error);
      return;
    }
    if (this.events.length >= highWater) this.res.pause();
    this.notify();
  }

  private settle(err?: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = err;
    clearTimeout(this.deadline);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function toEvent<T>(value: unknown): WatchEvent<T> {
  const event = value as { type?: unknown; object?: unknown };
  if (typeof event.type !== 'string' || !eventTypes.has(event.type) || typeof event.object !== 'object' || event.object === null) {
    throw new Error(`malformed watch event: ${JSON.stringify(value).slice(0, 200)}`);
  }
  return event as WatchEvent<T>;
}

/** Starts a watch; rejects with ApiError when the server refuses it (410 for a compacted resourceVersion). */
export async function openWatch<T extends KubeObject = AnyObject>(client: RestClient, ref: ResourceRef, opts: WatchOptions = {}): Promise<WatchStream<T>> {
  const res = await client.stream({
    method: 'GET',
    path: resourcePath(ref, { namespace: opts.namespace }),
    query: {
      watch: 'true',
      resourceVersion: opts.resourceVersion,
      resourceVersionMatch: opts.resourceVersionMatch,
      allowWatchBookmarks: opts.allowWatchBookmarks ?? true,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      timeoutSeconds: opts.timeoutSeconds,
      sendInitialEvents: opts.sendInitialEvents,
    },
    signal: opts.signal,
  });
  return new WatchStream<T>(res, opts.signal, opts.timeoutSeconds);
}

/**
 * The callback form: resolves when the stream ends normally or is aborted,
 * rejects when it cannot open or breaks. An async callback is awaited before
 * the next event, which holds back reading from the server.
 */
export async function watch<T extends KubeObject = AnyObject>(
  client: RestClient,
  ref: ResourceRef,
  opts: WatchOptions,
  onEvent: (event: WatchEvent<T>) => void | Promise<void>,
): Promise<void> {
  let stream: WatchStream<T>;
  try {
    stream = await openWatch<T>(client, ref, opts);
  } catch (err) {
    if (opts.signal?.aborted) return;
    throw err;
  }
  for await (const event of stream) await onEvent(event);
}
