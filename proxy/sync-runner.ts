/**
 * kube-proxy's bounded-frequency runner: a change asks for a sync, which
 * runs at once unless the last one started less than `minIntervalMs` ago
 * (then when that interval is over, so a burst of changes costs one sync);
 * one sync at a time; and a sync at least every `maxIntervalMs` even with
 * no change.
 */
export class SyncRunner {
  private lastStart = -Infinity;
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
    const wait = Math.max(0, this.lastStart + this.minIntervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runOnce();
    }, wait);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.periodic);
  }

  private async runOnce(): Promise<void> {
    if (this.stopped) return;
    this.running = true;
    this.pending = false;
    this.lastStart = performance.now();
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
