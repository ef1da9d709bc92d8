import { TokenBucket } from '../../client/token-bucket.js';

export interface TimedNode {
  name: string;
  processAt: number;
}

/** What a try answers: done, or look again after a while. */
export type TryOutcome = { done: true } | { done: false; retryAfterMs: number };

// kube's EvictionRateLimiterBurst: one node at once, then the zone's rate.
const burst = 1;

/**
 * kube's RateLimitedTimedQueue, one per zone: nodes waiting for their
 * NoExecute taint, handed out no faster than the zone's rate allows. A node
 * stays a member after it was handled, so adding it again does nothing
 * until remove() (the node became healthy, or its taint went missing).
 */
export class RateLimitedQueue {
  private readonly members = new Set<string>();
  private waiting: TimedNode[] = [];
  private bucket?: TokenBucket;
  private qps = 0;

  constructor(qps: number, private readonly clock: () => number = () => performance.now()) {
    this.swapLimiter(qps);
  }

  add(name: string): boolean {
    if (this.members.has(name)) return false;
    this.members.add(name);
    this.insert({ name, processAt: this.clock() });
    return true;
  }

  remove(name: string): boolean {
    this.waiting = this.waiting.filter((n) => n.name !== name);
    return this.members.delete(name);
  }

  /** Nodes waiting to be handled (members already handled are not counted). */
  get length(): number {
    return this.waiting.length;
  }

  /** A zero rate stops the queue; a new bucket starts empty when the old one was spent, as kube's SwapLimiter does. */
  swapLimiter(qps: number): void {
    if (qps === this.qps && (qps <= 0 || this.bucket)) return;
    const spent = this.bucket ? !this.bucket.tryTake() : false;
    this.qps = qps;
    this.bucket = qps > 0 ? new TokenBucket(qps, burst, this.clock) : undefined;
    if (spent) this.bucket?.tryTake();
  }

  get stopped(): boolean {
    return !this.bucket;
  }

  /**
   * Hands due nodes to `fn` in order while the rate allows; one that is not
   * done goes back with its new time.
   */
  async try(fn: (node: TimedNode) => Promise<TryOutcome>): Promise<void> {
    for (let head = this.waiting[0]; head; head = this.waiting[0]) {
      if (head.processAt > this.clock() || !this.bucket?.tryTake()) return;
      const outcome = await fn(head);
      // fn may have removed the node meanwhile; only the same entry is moved on.
      if (this.waiting[0] !== head) continue;
      this.waiting.shift();
      if (!outcome.done) this.insert({ ...head, processAt: this.clock() + outcome.retryAfterMs + 1 });
    }
  }

  private insert(node: TimedNode): void {
    const at = this.waiting.findIndex((n) => n.processAt > node.processAt);
    if (at < 0) this.waiting.push(node);
    else this.waiting.splice(at, 0, node);
  }
}
