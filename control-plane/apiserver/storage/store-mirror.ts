import type { KObject } from '../../../api/kind.js';
import { log } from '../../../client/log.js';
import type { CacheEvent, Subscriber } from './watch-cache.js';

/** What a mirror reads: a ResourceStore fits. */
export interface MirrorSource {
  list(opts: Record<string, never>): Promise<{ items: KObject[]; resourceVersion: string }>;
  cache: {
    start(): Promise<void>;
    subscribe(from: number, sub: Subscriber): () => void;
  };
}

/** Receives the mirrored objects: the whole set after each list, then every change. */
export interface MirrorSink {
  replace(items: KObject[]): void;
  upsert(obj: KObject): void;
  remove(obj: KObject): void;
}

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 5000;

/**
 * Keeps a sink level with one resource inside the API server: lists, then
 * follows the resource's watch cache from the list's revision. When the
 * cache ends the subscription (its etcd watch failed) the mirror lists
 * again, retrying with backoff until the store answers; meanwhile the sink
 * keeps what it last saw.
 */
export class StoreMirror {
  private unsubscribe?: () => void;
  private running = false;
  private timer?: NodeJS.Timeout;
  private hasSynced = false;
  private waiters: Array<{ resolve(): void; reject(err: Error): void }> = [];
  /** Bumped on every (re)list, so events of an abandoned subscription are dropped. */
  private generation = 0;

  constructor(private readonly source: MirrorSource, private readonly sink: MirrorSink, private readonly what: string) {}

  /** Whether the sink has been filled by a list at least once. */
  get synced(): boolean {
    return this.hasSynced;
  }

  /** Starts mirroring; resolves once the first list is in the sink. */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      void this.sync(FIRST_RETRY_MS);
    }
    return this.whenSynced();
  }

  /** Resolves once the first list is in the sink; rejects if the mirror stops before. */
  whenSynced(): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  stop(): void {
    this.running = false;
    this.generation++;
    clearTimeout(this.timer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.what}: stopped before the first list`));
  }

  private async sync(retryMs: number): Promise<void> {
    if (!this.running) return;
    const generation = ++this.generation;
    try {
      await this.source.cache.start();
      const listed = await this.source.list({});
      if (!this.running || generation !== this.generation) return;
      this.sink.replace(listed.items);
      const subscriber: Subscriber = {
        deliver: (event: CacheEvent) => {
          if (generation !== this.generation) return;
          if (event.type === 'DELETED') this.sink.remove(event.object);
          else this.sink.upsert(event.object);
        },
        close: (reason: string) => {
          if (generation !== this.generation || !this.running) return;
          log.warn('store mirror lost its watch, listing again', { resource: this.what, reason });
          this.retry(FIRST_RETRY_MS);
        },
      };
      this.unsubscribe = this.source.cache.subscribe(Number(listed.resourceVersion), subscriber);
      this.hasSynced = true;
      for (const w of this.waiters.splice(0)) w.resolve();
    } catch (err) {
      if (!this.running || generation !== this.generation) return;
      log.warn('store mirror could not list', { resource: this.what, error: String(err) });
      this.retry(retryMs);
    }
  }

  /** Lists again after `delayMs`; a failure then waits twice as long. */
  private retry(delayMs: number): void {
    this.generation++;
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    // A stopping server closes every subscription; a pending relist must not keep it alive.
    this.timer = setTimeout(() => void this.sync(Math.min(delayMs * 2, MAX_RETRY_MS)), delayMs).unref();
  }
}
