import { setTimeout as delay } from 'node:timers/promises';

/**
 * Tokens refill at `qps` a second up to `burst`. A caller who finds the bucket
 * empty reserves a future token (the count goes negative) rather than polling,
 * so waiting callers are served in order and the long-run rate holds exactly.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly qps: number, readonly burst: number, private readonly now: () => number = () => performance.now()) {
    if (!(qps > 0) || !Number.isFinite(qps)) throw new Error(`token bucket qps must be a positive number, got ${qps}`);
    if (!(burst >= 1)) throw new Error(`token bucket burst must be at least 1, got ${burst}`);
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; answers how many milliseconds the caller must wait before using it. */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Takes a token only if one is free now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Waits for a token; an abort hands the reserved token back. */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const wait = this.reserve();
    if (wait <= 0) return;
    try {
      await delay(wait, undefined, { signal });
    } catch (err) {
      this.refill();
      this.tokens = Math.min(this.burst, this.tokens + 1);
      throw err;
    }
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}
