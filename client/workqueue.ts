import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface WorkQueueOptions<K> {
  /** Used by addRateLimited; defaultControllerRateLimiter() when unset. */
  rateLimiter?: RateLimiter<K>;
}

/**
 * A work queue with client-go's guarantees: a key waits in the queue at most
 * once however often it is added; a key being processed is never handed to a
 * second worker, and one added meanwhile is queued again when done() is
 * called. Keys are compared by identity, so use strings (usually
 * "namespace/name") or other values that stay the same object.
 */
export class WorkQueue<K extends NonNullable<unknown> = string> {
  private queue: K[] = [];
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { readyAt: number; timer: NodeJS.Timeout }>();
  private getters: ((key: K | undefined) => void)[] = [];
  private drainers: (() => void)[] = [];
  private shuttingDown = false;
  private readonly rateLimiter: RateLimiter<K>;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<K>();
  }

  /** Marks the key as needing work; ignored after shutDown(). */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.handOut();
  }

  /** Adds the key once `ms` has passed; a key already waiting keeps the earlier of the two times. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const readyAt = performance.now() + ms;
    const pending = this.waiting.get(key);
    if (pending) {
      if (pending.readyAt <= readyAt) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { readyAt, timer });
  }

  /** Adds the key after the wait the rate limiter assigns to its next retry. */
  addRateLimited(key: K): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** The key succeeded: its retry backoff starts over. */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * The next key to work on; call done(key) when finished with it. Resolves to
   * undefined once the queue is shut down and holds no more keys.
   */
  get(): Promise<K | undefined> {
    if (this.length > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: K): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.handOut();
    }
    this.checkDrained();
  }

  /** Keys ready for a worker (neither delayed nor being processed). */
  get length(): number {
    return this.queue.length - this.head;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops accepting keys and drops the delayed ones. Keys already queued are
   * still handed out; after them get() resolves to undefined.
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    // Anyone waiting in get() found the queue empty, and it stays empty now.
    const getters = this.getters;
    this.getters = [];
    for (const resolve of getters) resolve(undefined);
    this.checkDrained();
  }

  /** shutDown(), then resolves once every queued key was handed out and marked done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    return new Promise((resolve) => {
      this.drainers.push(resolve);
      this.checkDrained();
    });
  }

  private take(): K {
    const key = this.queue[this.head++];
    // Compact once the consumed prefix dominates, keeping take() amortised O(1).
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }

  private handOut(): void {
    while (this.getters.length && this.length > 0) this.getters.shift()!(this.take());
  }

  private checkDrained(): void {
    if (!this.shuttingDown || this.processing.size || this.length || !this.drainers.length) return;
    const drainers = this.drainers;
    this.drainers = [];
    for (const resolve of drainers) resolve();
  }
}
