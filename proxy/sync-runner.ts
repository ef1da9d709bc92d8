/** kube-proxy's burst: two syncs may run back to back before the minimum interval applies. */
const BURST = 2;

/**
 * kube-proxy's bounded-frequency runner: a change asks for a sync, which
 * runs at once while the runner has credit (one sync per `minIntervalMs`,
 * saved up to a burst of two), otherwise once it has, so a stream of
 * changes costs one sync per interval; one sync at a time; and a sync at
 * least every `maxIntervalMs` even with no change.
 */
export class SyncRunner {
  private credit = BURST;
  private creditAt = performance.now();
  private running = false;
  private pending = false;
  private timer?: NodeJS.Timeout;
  private periodic?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly sync: () => Promise<void>, private readonly minIntervalMs: number, private readonly maxIntervalMs: number) {}

  start(): void {
    this.request();
  }

  /** Asks for a sync; changes that arrive while one runs get the next. */
  request(): void {
    if (this.stopped) return;
    this.pending = true;
    if (this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runOnce();
    }, this.waitForCredit());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.periodic);
  }

  /** How long until a sync may run: none while there is credit. */
  private waitForCredit(): number {
    if (this.minIntervalMs <= 0) return 0;
    const now = performance.now();
    this.credit = Math.min(BURST, this.credit + (now - this.creditAt) / this.minIntervalMs);
    this.creditAt = now;
    return this.credit >= 1 ? 0 : (1 - this.credit) * this.minIntervalMs;
  }

  private async runOnce(): Promise<void> {
    if (this.stopped) return;
    if (this.waitForCredit() > 0) {
      this.request();
      return;
    }
    this.credit -= 1;
    this.running = true;
    this.pending = false;
    clearTimeout(this.periodic);
    try {
      await this.sync();
    } finally {
      this.running = false;
      if (!this.stopped) {
        this.periodic = setTimeout(() => this.request(), this.maxIntervalMs);
        if (this.pending) {
          this.pending = false;
          this.request();
        }
      }
    }
  }
}
