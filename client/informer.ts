import { setTimeout as delay } from 'node:timers/promises';
import { ApiError, isExpired } from './api-error.js';
import { logError, type ErrorReporter } from './log.js';
import { apiVersionOf, type AnyObject, type KubeList, type KubeObject, type ResourceRef } from './resource.js';
import type { RestClient } from './rest-client.js';
import { byNamespace, namespaceIndex, objectKey, Store, type IndexFunc } from './store.js';
import { openWatch } from './watch.js';

/**
 * Handlers run synchronously as the cache changes and should only note the
 * change (enqueue a key); a returned promise is not awaited, but its failure is
 * reported. The objects are the cache's own: copy before changing one.
 */
export interface EventHandlers<T> {
  onAdd?(obj: T): void;
  /** Also called with oldObj === newObj on each resync, and for every object a relist finds again. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** Gets the final state from a DELETED event, or the last known state when a relist finds the object gone. */
  onDelete?(obj: T): void;
}

export interface InformerOptions<T> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects per list page; 0 lists everything in one answer. Defaults to client-go's 500. */
  pageSize?: number;
  /** Re-delivers every cached object to onUpdate this often; 0 (the default) never. */
  resyncPeriodMs?: number;
  /** How long one watch request lasts; by default a random 5 to 10 minutes, so informers do not reconnect in step. */
  watchTimeoutSeconds?: number;
  /** Waits between failed attempts, doubling from initialMs (800) up to maxMs (30 000). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Extra indexes beside the built-in `namespace` one. */
  indexers?: Record<string, IndexFunc<T>>;
  onError?: ErrorReporter;
}

// A watch that ends normally sooner than this without a single event counts as
// a failure, so a server that keeps closing watches at once is not hammered.
const minHealthyWatchMs = 1000;

/**
 * Keeps a local, indexed copy of one collection up to date: list, then watch
 * from the list's resourceVersion; resume the watch where it stopped when the
 * server ends it; list afresh when that version has been compacted (410).
 */
export class Informer<T extends KubeObject = AnyObject> {
  readonly store: Store<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly abort = new AbortController();
  private readonly onError: ErrorReporter;
  private state: 'new' | 'running' | 'stopped' = 'new';
  private loop?: Promise<void>;
  private resyncTimer?: NodeJS.Timeout;
  private synced = false;
  private syncWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private resourceVersion = '';

  constructor(private readonly client: RestClient, readonly ref: ResourceRef, private readonly options: InformerOptions<T> = {}) {
    if (options.namespace && !ref.namespaced) throw new Error(`${ref.resource} is cluster-scoped; an informer for it cannot take a namespace`);
    this.store = new Store<T>({ [namespaceIndex]: byNamespace, ...options.indexers });
    this.onError = options.onError ?? logError;
  }

  /**
   * Adds a handler set; one added after objects are cached first gets onAdd
   * for each of them, so late subscribers see the same world as early ones.
   * Answers a function that removes the handlers.
   */
  addEventHandler(handlers: EventHandlers<T>): () => void {
    const entry = { ...handlers };
    this.handlers.add(entry);
    for (const obj of this.store.list()) this.call('add', () => entry.onAdd?.(obj));
    return () => {
      this.handlers.delete(entry);
    };
  }

  start(): void {
    if (this.state !== 'new') throw new Error(`informer for ${this.ref.resource} was already ${this.state === 'running' ? 'started' : 'stopped'}`);
    this.state = 'running';
    this.loop = this.run();
    const period = this.options.resyncPeriodMs ?? 0;
    if (period > 0) this.resyncTimer = setInterval(() => this.resync(), period);
  }

  /** Ends the watch and any request in flight; resolves once nothing runs any more. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.abort.abort();
    clearInterval(this.resyncTimer);
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    for (const w of waiters) w.reject(new Error(`informer for ${this.ref.resource} stopped before it synced`));
    await this.loop;
  }

  /** True once the first full list is in the store and its onAdd calls were made. */
  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.state === 'stopped') return Promise.reject(new Error(`informer for ${this.ref.resource} is stopped`));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== waiter);
        reject(signal!.reason);
      };
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err: Error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(waiter);
    });
  }

  /** The version the cache reflects: where the next watch resumes. */
  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const backoff = new Backoff(this.options.backoff?.initialMs ?? 800, this.options.backoff?.maxMs ?? 30_000);
    let needList = true;
    let expiredInARow = 0;
    while (!signal.aborted) {
      const progress = { events: 0 };
      let phase: 'list' | 'watch' = 'list';
      try {
        if (needList) {
          await this.listAndReplace(signal);
          needList = false;
        }
        phase = 'watch';
        const started = performance.now();
        await this.watchOnce(signal, progress);
        if (signal.aborted) break;
        if (progress.events === 0 && performance.now() - started < minHealthyWatchMs) {
          throw new Error(`the watch on ${this.ref.resource} closed at once without events`);
        }
        backoff.reset();
        expiredInARow = 0;
        continue;
      } catch (err) {
        if (signal.aborted) break;
        if (progress.events > 0) {
          backoff.reset();
          expiredInARow = 0;
        }
        if (isExpired(err)) {
          needList = true;
          // The first expiry is routine (compaction); relist at once. Expiring
          // again straight after a relist means something is off: back off.
          if (++expiredInARow === 1) continue;
        }
        this.onError(err, { component: 'informer', resource: this.ref.resource, namespace: this.options.namespace, phase });
      }
      await delay(backoff.next(), undefined, { signal }).catch(() => undefined);
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let limit = this.options.pageSize ?? 500;
    let cont: string | undefined;
    let resourceVersion = '';
    for (;;) {
      let page: KubeList<T>;
      try {
        page = await this.client.list<T>(this.ref, {
          namespace: this.options.namespace,
          labelSelector: this.options.labelSelector,
          fieldSelector: this.options.fieldSelector,
          limit: limit > 0 ? limit : undefined,
          continue: cont,
          signal,
        });
      } catch (err) {
        // A continue token dies with compaction too; a single unpaged list still gives one consistent snapshot.
        if (cont && isExpired(err)) {
          items.length = 0;
          cont = undefined;
          limit = 0;
          continue;
        }
        throw err;
      }
      // List items come without kind and apiVersion; watch events carry them, so handlers see the same shape from both.
      const kind = page.kind?.endsWith('List') ? page.kind.slice(0, -'List'.length) : undefined;
      const apiVersion = page.apiVersion ?? apiVersionOf(this.ref);
      for (const item of page.items ?? []) {
        items.push(item.kind || !kind ? item : { apiVersion, kind, ...item });
      }
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      cont = page.metadata?.continue || undefined;
      if (!cont) break;
    }
    this.replace(items, resourceVersion);
  }

  /** The store changes as a whole first, so handlers never see a half-replaced cache. */
  private replace(items: T[], resourceVersion: string): void {
    const seen = new Set<string>();
    const added: T[] = [];
    const updated: [T, T][] = [];
    const deleted: T[] = [];
    for (const obj of items) {
      seen.add(objectKey(obj));
      const old = this.store.set(obj);
      if (old) updated.push([old, obj]);
      else added.push(obj);
    }
    for (const key of this.store.keys()) {
      if (!seen.has(key)) deleted.push(this.store.delete(key)!);
    }
    this.resourceVersion = resourceVersion;
    for (const obj of added) this.dispatch('add', (h) => h.onAdd?.(obj));
    for (const [old, obj] of updated) this.dispatch('update', (h) => h.onUpdate?.(old, obj));
    for (const obj of deleted) this.dispatch('delete', (h) => h.onDelete?.(obj));
    if (!this.synced) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  private async watchOnce(signal: AbortSignal, progress: { events: number }): Promise<void> {
    const stream = await openWatch<T>(this.client, this.ref, {
      namespace: this.options.namespace,
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
      resourceVersion: this.resourceVersion || undefined,
      allowWatchBookmarks: true,
      timeoutSeconds: this.options.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random())),
      signal,
    });
    for await (const event of stream) {
      if (event.type === 'ERROR') throw new ApiError(event.object);
      progress.events++;
      const obj = event.object;
      if (event.type === 'ADDED' || event.type === 'MODIFIED') {
        const old = this.store.set(obj);
        if (old) this.dispatch('update', (h) => h.onUpdate?.(old, obj));
        else this.dispatch('add', (h) => h.onAdd?.(obj));
      } else if (event.type === 'DELETED') {
        if (this.store.delete(objectKey(obj))) this.dispatch('delete', (h) => h.onDelete?.(obj));
      }
      const rv = obj.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
    }
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.store.list()) this.dispatch('update', (h) => h.onUpdate?.(obj, obj));
  }

  private dispatch(event: string, call: (h: EventHandlers<T>) => unknown): void {
    for (const h of [...this.handlers]) this.call(event, () => call(h));
  }

  private call(event: string, fn: () => unknown): void {
    const context = { component: 'informer', resource: this.ref.resource, handler: event };
    try {
      const result = fn();
      if (result instanceof Promise) result.catch((err) => this.onError(err, context));
    } catch (err) {
      this.onError(err, context);
    }
  }
}

/** Doubling waits with up to 50% jitter, so informers restarted together do not retry in step. */
class Backoff {
  private current = 0;

  constructor(private readonly initialMs: number, private readonly maxMs: number) {}

  next(): number {
    this.current = this.current ? Math.min(this.maxMs, this.current * 2) : this.initialMs;
    return Math.min(this.maxMs, this.current * (1 + Math.random() / 2));
  }

  reset(): void {
    this.current = 0;
  }
}
