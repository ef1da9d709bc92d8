interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(err: unknown): void;
}

export interface BatcherOptions {
  /** How long the first lookup waits for others to join it. */
  windowMs: number;
  /** Keys per call; a full batch goes out at once. */
  maxKeys: number;
}

/**
 * Coalesces lookups made at about the same time into one call, as the EBS
 * CSI driver batches its Describe calls: keys asked for within a short
 * window go out together and each caller gets its own key's answer
 * (undefined when the call did not return it). A failed call fails every
 * caller of that batch, each of which retries on its own.
 */
export class Batcher<K, V> {
  private pending = new Map<K, Waiter<V>[]>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly exec: (keys: K[]) => Promise<Map<K, V>>, private readonly opts: BatcherOptions) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(key, waiters);
      if (this.pending.size >= this.opts.maxKeys) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.windowMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    if (!batch.size) return;
    this.exec([...batch.keys()]).then(
      (answers) => { for (const [key, waiters] of batch) for (const w of waiters) w.resolve(answers.get(key)); },
      (err) => { for (const waiters of batch.values()) for (const w of waiters) w.reject(err); },
    );
  }
}
