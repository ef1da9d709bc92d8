import { Informer, type InformerOptions } from './informer.js';
import type { KubeObject, ResourceRef } from './resource.js';
import type { RestClient } from './rest-client.js';
import type { IndexFunc } from './store.js';

type Scope = Pick<InformerOptions<KubeObject>, 'namespace' | 'labelSelector' | 'fieldSelector'>;

interface Shared {
  informer: Informer<any>;
  /** for() calls not yet matched by a release(). */
  refs: number;
}

/**
 * client-go's shared informer factory: every controller in a process that
 * asks for the same collection (and scope) gets the same informer, so one
 * list and one watch feed them all. Informers asked for before start() begin
 * with it; those asked for later start at once. Each for() holds the
 * informer until a matching release(); most callers hold theirs for the
 * life of the process, but one that watches collections coming and going
 * (the garbage collector, as discovery changes) releases what it no longer
 * needs, and the last release stops the informer.
 */
export class SharedInformers {
  private readonly informers = new Map<string, Shared>();
  private started = false;

  constructor(private readonly client: RestClient, private readonly defaults: Pick<InformerOptions<KubeObject>, 'resyncPeriodMs' | 'onError' | 'pageSize'> = {}) {}

  for<T extends KubeObject = KubeObject>(ref: ResourceRef, scope: Scope = {}): Informer<T> {
    const key = informerKey(ref, scope);
    let shared = this.informers.get(key);
    if (!shared) {
      shared = { informer: new Informer<T>(this.client, ref, { ...this.defaults, ...scope } as InformerOptions<T>), refs: 0 };
      this.informers.set(key, shared);
      if (this.started) shared.informer.start();
    }
    shared.refs++;
    return shared.informer as Informer<T>;
  }

  /**
   * Gives back one for() of this collection. Once none is held the informer
   * stops (its watch and retries end, its cache goes) and a later for()
   * gets a new one. Resolves when the informer, if stopped, has finished.
   */
  async release(ref: ResourceRef, scope: Scope = {}): Promise<void> {
    const key = informerKey(ref, scope);
    const shared = this.informers.get(key);
    if (!shared) return;
    if (--shared.refs > 0) return;
    this.informers.delete(key);
    await shared.informer.stop();
  }

  /** Adds an index to a shared informer unless one of that name is there already (controllers may share indexes). */
  index<T extends KubeObject>(informer: Informer<T>, name: string, fn: IndexFunc<T>): void {
    if (!informer.store.hasIndex(name)) informer.store.addIndexer(name, fn);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const { informer } of this.informers.values()) informer.start();
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    const synced = Promise.all(this.all().map((i) => i.waitForSync())).then(() => undefined);
    if (!signal) return synced;
    // One abort listener for them all: a controller-manager watches dozens of collections.
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      synced.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  hasSynced(): boolean {
    return this.all().every((i) => i.hasSynced());
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((i) => i.stop()));
  }

  private all(): Informer<any>[] {
    return [...this.informers.values()].map((s) => s.informer);
  }
}

function informerKey(ref: ResourceRef, scope: Scope): string {
  return JSON.stringify([ref.group, ref.version, ref.resource, scope.namespace ?? '', scope.labelSelector ?? '', scope.fieldSelector ?? '']);
}
