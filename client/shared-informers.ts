import { Informer, type InformerOptions } from './informer.js';
import type { KubeObject, ResourceRef } from './resource.js';
import type { RestClient } from './rest-client.js';
import type { IndexFunc } from './store.js';

type Scope = Pick<InformerOptions<KubeObject>, 'namespace' | 'labelSelector' | 'fieldSelector'>;

/**
 * client-go's shared informer factory: every controller in a process that
 * asks for the same collection (and scope) gets the same informer, so one
 * list and one watch feed them all. Informers asked for before start() begin
 * with it; those asked for later start at once.
 */
export class SharedInformers {
  private readonly informers = new Map<string, Informer<any>>();
  private started = false;

  constructor(private readonly client: RestClient, private readonly defaults: Pick<InformerOptions<KubeObject>, 'resyncPeriodMs' | 'onError' | 'pageSize'> = {}) {}

  for<T extends KubeObject = KubeObject>(ref: ResourceRef, scope: Scope = {}): Informer<T> {
    const key = JSON.stringify([ref.group, ref.version, ref.resource, scope.namespace ?? '', scope.labelSelector ?? '', scope.fieldSelector ?? '']);
    let informer = this.informers.get(key) as Informer<T> | undefined;
    if (!informer) {
      informer = new Informer<T>(this.client, ref, { ...this.defaults, ...scope } as InformerOptions<T>);
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer;
  }

  /** Adds an index to a shared informer unless one of that name is there already (controllers may share indexes). */
  index<T extends KubeObject>(informer: Informer<T>, name: string, fn: IndexFunc<T>): void {
    if (!informer.store.hasIndex(name)) informer.store.addIndexer(name, fn);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    const synced = Promise.all([...this.informers.values()].map((i) => i.waitForSync())).then(() => undefined);
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
    return [...this.informers.values()].every((i) => i.hasSynced());
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
