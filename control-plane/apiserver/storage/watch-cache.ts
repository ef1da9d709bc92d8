import type { KObject } from '../../../api/kind.js';
import { gone } from '../../../api/status.js';
import { log } from '../../../client/log.js';
import { decode } from './codec.js';
import type { EtcdKV } from './etcd-kv.js';
import { asBuffer } from './etcd-thread-client.js';
import type { ThreadWatchEvent } from './etcd-thread-protocol.js';

/**
 * One change as etcd reported it. The object is decoded on first use, so a
 * resource nobody watches costs no parsing, and held events stay compact.
 */
export class CacheEvent {
  private decoded?: KObject;
  private decodedPrevious?: KObject;
  /** The serialized object, made once and shared by every watcher. */
  json?: string;

  constructor(
    readonly type: 'ADDED' | 'MODIFIED' | 'DELETED',
    readonly revision: number,
    private readonly value: Buffer,
    private readonly valueRevision: number,
    private readonly previousValue?: Buffer,
    private readonly previousRevision?: number,
  ) {}

  /** Bytes this event holds in memory, for the cache's budget. */
  get size(): number {
    return this.value.length + (this.previousValue?.length ?? 0);
  }

  get object(): KObject {
    return (this.decoded ??= decode(this.value, this.valueRevision));
  }

  /** The object before this event, for selector transitions; absent on ADDED. */
  get previous(): KObject | undefined {
    if (!this.previousValue) return undefined;
    return (this.decodedPrevious ??= decode(this.previousValue, this.previousRevision!));
  }
}

export interface Subscriber {
  /** Called for every event after the subscriber's start revision, in order. */
  deliver(event: CacheEvent): void;
  /** The cache lost its etcd watch; the client must watch again. */
  close(reason: string): void;
}

/**
 * One etcd watch per resource, fanned out from memory to every client watch.
 * A ring of recent events lets a client resume from any revision still held;
 * an older one is answered with 410 Expired, as kube-apiserver does.
 */
export class WatchCache {
  private events: CacheEvent[] = [];
  private head = 0;
  private subscribers = new Set<{ from: number; sub: Subscriber }>();
  private watcher?: { cancel(): Promise<void> };
  private ready?: Promise<void>;
  /** Events at or before this revision are no longer held. */
  private oldest = 0;
  /** The newest revision this cache has delivered. */
  revision = 0;

  private bytes = 0;
  private stopped = false;

  constructor(
    private readonly kv: EtcdKV,
    readonly prefix: string,
    private readonly capacity = 20_000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  /**
   * Starts the etcd watch. With `historyFrom`, the cache first replays the
   * changes etcd still holds since that revision, so clients resuming across
   * an API server restart find the events they missed.
   */
  start(historyFrom?: number): Promise<void> {
    this.ready ??= this.open(historyFrom);
    return this.ready;
  }

  private async open(historyFrom?: number): Promise<void> {
    const current = await this.kv.currentRevision();
    const first = historyFrom !== undefined && historyFrom <= current ? historyFrom : current + 1;
    this.events = [];
    this.head = 0;
    this.bytes = 0;
    this.oldest = first - 1;
    this.revision = first - 1;
    this.watcher = await this.kv.watch(this.prefix, first, {
      events: (events) => {
        for (const e of events) this.append(e);
      },
      failed: (reason) => void this.restart(reason),
    });
  }

  private append(e: ThreadWatchEvent): void {
    const revision = e.modRevision;
    const previous = e.previous && { value: asBuffer(e.previous.value), revision: e.previous.modRevision };
    let event: CacheEvent;
    if (e.deleted) {
      if (!previous) return;
      // A deleted object is reported at the revision of its deletion.
      event = new CacheEvent('DELETED', revision, previous.value, revision, previous.value, previous.revision);
    } else {
      const value = asBuffer(e.value);
      event = previous
        ? new CacheEvent('MODIFIED', revision, value, revision, previous.value, previous.revision)
        : new CacheEvent('ADDED', revision, value, revision);
    }
    this.events.push(event);
    this.bytes += event.size;
    while (this.events.length - this.head > this.capacity || (this.bytes > this.maxBytes && this.events.length - this.head > 1)) {
      const evicted = this.events[this.head];
      this.oldest = evicted.revision;
      this.bytes -= evicted.size;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
    this.revision = revision;
    for (const s of this.subscribers) {
      if (revision > s.from) s.sub.deliver(event);
    }
  }

  /**
   * Delivers every event after `from`, then live ones. Throws 410 when events
   * after `from` are no longer held.
   */
  subscribe(from: number, sub: Subscriber): () => void {
    if (from < this.oldest) {
      throw gone(`too old resource version: ${from} (${this.oldest + 1})`);
    }
    for (let i = this.head; i < this.events.length; i++) {
      if (this.events[i].revision > from) sub.deliver(this.events[i]);
    }
    const entry = { from, sub };
    this.subscribers.add(entry);
    return () => {
      this.subscribers.delete(entry);
    };
  }

  get watcherCount(): number {
    return this.subscribers.size;
  }

  /**
   * The etcd watch failed (etcd restarted, or compacted past it): client
   * watches end so their clients resume or relist, and the cache reopens,
   * retrying until etcd answers again.
   */
  private async restart(reason: string): Promise<void> {
    if (this.stopped) return;
    log.warn('watch cache restarting', { prefix: this.prefix, reason });
    const subs = [...this.subscribers];
    this.subscribers.clear();
    for (const s of subs) s.sub.close(reason);
    await this.watcher?.cancel().catch(() => undefined);
    this.watcher = undefined;
    let delay = 100;
    let opened: Promise<void>;
    for (;;) {
      opened = this.open();
      this.ready = opened;
      try {
        await opened;
        return;
      } catch (err) {
        if (this.stopped) return;
        log.warn('watch cache could not reopen', { prefix: this.prefix, error: String(err) });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.subscribers) s.sub.close('server shutting down');
    this.subscribers.clear();
    await this.watcher?.cancel().catch(() => undefined);
  }
}
