/**
 * The kubelet's restart and image pull back-off: per key, the first retry
 * goes at once, later ones wait 10 s doubling to 5 min; a key left alone
 * for 10 minutes (a container that ran that long) starts over.
 */
export class Backoff {
  private readonly entries = new Map<string, { delayMs: number; until: number; lastAt: number }>();

  constructor(private readonly initialMs = 10_000, private readonly maxMs = 300_000, private readonly resetAfterMs = 600_000) {}

  /** How long `key` must still wait, counted from when it last failed; 0 when it may go now. */
  waitMs(key: string, failedAt: number, now = Date.now()): number {
    const e = this.entries.get(key);
    if (!e || failedAt - e.lastAt > this.resetAfterMs) return 0;
    return Math.max(0, failedAt + e.delayMs - now);
  }

  /** The delay after this attempt (what the next failure will wait), remembered for `key`. */
  next(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    const delayMs = !e || now - e.lastAt > this.resetAfterMs ? this.initialMs : Math.min(e.delayMs * 2, this.maxMs);
    this.entries.set(key, { delayMs, until: now + delayMs, lastAt: now });
    return delayMs;
  }

  /** The current delay of `key` (for messages: "back-off 20s restarting ..."). */
  delayOf(key: string): number {
    return this.entries.get(key)?.delayMs ?? this.initialMs;
  }

  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
