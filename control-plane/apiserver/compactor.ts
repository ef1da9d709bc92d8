import type { EtcdKV } from './storage/etcd-kv.js';
import { log } from '../../client/log.js';

/**
 * Compacts etcd history the way kube-apiserver does: each interval, up to
 * the revision seen one interval earlier, so watchers keep one interval of
 * history to resume from.
 */
export class Compactor {
  private timer?: NodeJS.Timeout;
  private previous = 0;

  constructor(private readonly kv: EtcdKV, private readonly intervalMs: number) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  async tick(): Promise<void> {
    try {
      const current = await this.kv.currentRevision();
      if (this.previous > 0) await this.kv.compact(this.previous);
      this.previous = current;
    } catch (err) {
      log.warn('compaction failed', { error: String(err) });
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
