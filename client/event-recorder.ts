import { setTimeout as delay } from 'node:timers/promises';
import { rfc3339 } from '../api/time.js';
import { isAlreadyExists, isNotFound } from './api-error.js';
import { logError, type ErrorReporter } from './log.js';
import type { KubeObject } from './resource.js';
import { EVENTS } from './resources.js';
import { TokenBucket } from './token-bucket.js';
import type { RestClient } from './rest-client.js';

export type EventType = 'Normal' | 'Warning';

/** Who reports: `kubectl describe` shows it as "From". */
export interface EventSource {
  component: string;
  host?: string;
}

export interface EventRecorderOptions {
  /** Events waiting to be written; more are dropped, as client-go's broadcaster drops them. Default 1000. */
  maxQueued?: number;
  /** Events about one object from this source: the burst allowed, then one per refill period (client-go: 25, 5 min). */
  spamBurst?: number;
  /**
   * Writes a second, and the burst above it: events share the rate of their
   * component's client in kube (the scheduler's 50 and 100), so a busy
   * component's events queue up and, past maxQueued, are dropped rather than
   * competing with its real work. Default 50 and 100.
   */
  qps?: number;
  writeBurst?: number;
  spamRefillMs?: number;
  onError?: ErrorReporter;
}

interface Pending {
  key: string;
  event: Record<string, any>;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

// Remembered occurrences for aggregation and spam filtering (client-go keeps 4096 too).
const cacheSize = 4096;
const maxAttempts = 3;

/**
 * Writes core/v1 Events the way client-go's recorder does: a repeat of the
 * same event (same object, type, reason and message) raises the count of the
 * existing Event instead of making a new one; each object gets a burst of
 * events and then one per refill period; events are written one at a time in
 * the background from a bounded queue, so a busy component never waits on
 * them and never floods the API server with them.
 */
export class EventRecorder {
  private readonly queue: Pending[] = [];
  private readonly seen = new Map<string, Seen>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly maxQueued: number;
  private readonly burst: number;
  private readonly refillMs: number;
  private readonly onError: ErrorReporter;
  private readonly rate: TokenBucket;
  /** Aborted when close() gives up waiting, so no write (or wait for one) outlives the recorder. */
  private readonly closing = new AbortController();
  private writing?: Promise<void>;
  private closed = false;
  private sequence = 0;
  /** Events dropped because the queue was full or the object's budget was spent. */
  dropped = 0;

  constructor(private readonly client: RestClient, readonly source: EventSource, options: EventRecorderOptions = {}) {
    this.maxQueued = options.maxQueued ?? 1000;
    this.burst = options.spamBurst ?? 25;
    this.refillMs = options.spamRefillMs ?? 300_000;
    this.onError = options.onError ?? logError;
    this.rate = new TokenBucket(options.qps ?? 50, options.writeBurst ?? 100);
  }

  /** Records that something happened to `involved`; never blocks and never throws. */
  event(involved: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.closed) return;
    const meta = involved.metadata ?? {};
    const objectKey = [involved.apiVersion, involved.kind, meta.namespace, meta.name, meta.uid].join('\0');
    if (!this.allow(objectKey) || this.queue.length >= this.maxQueued) {
      this.dropped++;
      return;
    }
    const at = rfc3339(Date.now());
    this.queue.push({
      key: [objectKey, type, reason, message].join('\0'),
      event: {
        apiVersion: 'v1', kind: 'Event',
        involvedObject: {
          kind: involved.kind, namespace: meta.namespace, name: meta.name, uid: meta.uid,
          apiVersion: involved.apiVersion, resourceVersion: meta.resourceVersion,
        },
        reason, message, type,
        source: { component: this.source.component, ...(this.source.host ? { host: this.source.host } : {}) },
        firstTimestamp: at, lastTimestamp: at, count: 1,
        reportingComponent: this.source.component, reportingInstance: this.source.host ?? '',
      },
    });
    this.writing ??= this.drain();
  }

  /** Writes what is queued (for at most `timeoutMs`), then accepts no more events. */
  async close(timeoutMs = 5000): Promise<void> {
    this.closed = true;
    if (!this.writing) return;
    const writing = this.writing;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.queue.length = 0;
        this.closing.abort();
        resolve();
      }, timeoutMs);
      void writing.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** client-go's spam filter: a token bucket per object and source. */
  private allow(objectKey: string): boolean {
    const now = Date.now();
    let bucket = this.buckets.get(objectKey);
    if (!bucket) {
      if (this.buckets.size >= cacheSize) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(objectKey, bucket);
    } else {
      bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.refillMs);
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens--;
    return true;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      try {
        await this.rate.take(this.closing.signal);
      } catch {
        break;
      }
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
          await this.write(next);
          break;
        } catch (err) {
          // The object's namespace is gone or going: the event has nowhere to live.
          const code = (err as { code?: number }).code;
          if (code === 403 || code === 404 || code === 422 || attempt === maxAttempts) {
            if (code !== 403 && code !== 404) this.onError(err, { component: 'event-recorder', reason: next.event.reason });
            break;
          }
          await delay(attempt * 500);
        }
      }
    }
    this.writing = undefined;
  }

  private async write({ key, event }: Pending): Promise<void> {
    const prior = this.seen.get(key);
    if (prior) {
      const count = prior.count + 1;
      try {
        await this.client.patch(EVENTS, prior.name, 'strategic', { count, lastTimestamp: event.lastTimestamp }, { namespace: prior.namespace });
        prior.count = count;
        this.remember(key, prior);
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.seen.delete(key);
      }
    }
    const namespace = event.involvedObject.namespace || 'default';
    const name = `${event.involvedObject.name}.${this.uniqueSuffix()}`;
    try {
      await this.client.create(EVENTS, { ...event, metadata: { name, namespace } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    this.remember(key, { name, namespace, count: 1, firstTimestamp: event.firstTimestamp });
  }

  private remember(key: string, seen: Seen): void {
    this.seen.delete(key);
    if (this.seen.size >= cacheSize) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, seen);
  }

  /** client-go names an event after its object and the time in hex nanoseconds; a counter keeps names apart within a millisecond. */
  private uniqueSuffix(): string {
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(this.sequence++ % 1_000_000);
    return nanos.toString(16);
  }
}
