import { TokenBucket } from './token-bucket.js';

/** Decides how long an item waits before it is retried. */
export interface RateLimiter<K> {
  /** The wait before the next retry of `item`; asking counts as one more retry. */
  when(item: K): number;
  /** The item succeeded: its history is dropped. */
  forget(item: K): void;
  numRequeues(item: K): number;
}

/** Per item: base, 2·base, 4·base … up to max; forget() starts over. */
export class ItemExponentialRateLimiter<K = string> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(readonly baseDelayMs = 5, readonly maxDelayMs = 1_000_000) {}

  when(item: K): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    const wait = this.baseDelayMs * 2 ** n;
    return Number.isFinite(wait) && wait < this.maxDelayMs ? wait : this.maxDelayMs;
  }

  forget(item: K): void {
    this.failures.delete(item);
  }

  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }
}

/**
 * One bucket for all items: caps the retry rate of the whole queue, so a burst
 * of failing items cannot flood the API server. It keeps no per-item history.
 */
export class BucketRateLimiter<K = string> implements RateLimiter<K> {
  private readonly bucket: TokenBucket;

  constructor(qps = 10, burst = 100) {
    this.bucket = new TokenBucket(qps, burst);
  }

  when(_item: K): number {
    return this.bucket.reserve();
  }

  forget(_item: K): void {}

  numRequeues(_item: K): number {
    return 0;
  }
}

/** The longest wait any of the limiters asks for; each of them counts the retry. */
export class MaxOfRateLimiter<K = string> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    if (!limiters.length) throw new Error('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(item: K): number {
    return Math.max(...this.limiters.map((l) => l.when(item)));
  }

  forget(item: K): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: K): number {
    return Math.max(...this.limiters.map((l) => l.numRequeues(item)));
  }
}

export interface ControllerRateLimiterOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The overall retry rate; 0 leaves only the per-item backoff. */
  qps?: number;
  burst?: number;
}

/** client-go's controller default: per-item 5ms doubling to 1000s, within 10 qps / burst 100 overall. */
export function defaultControllerRateLimiter<K = string>(opts: ControllerRateLimiterOptions = {}): RateLimiter<K> {
  const perItem = new ItemExponentialRateLimiter<K>(opts.baseDelayMs ?? 5, opts.maxDelayMs ?? 1_000_000);
  const qps = opts.qps ?? 10;
  if (qps <= 0) return perItem;
  return new MaxOfRateLimiter<K>(perItem, new BucketRateLimiter<K>(qps, opts.burst ?? 100));
}
