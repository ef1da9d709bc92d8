import type { KObject } from '../../api/kind.js';
import { forbidden, notFound, type StatusError } from '../../api/status.js';
import type { ResourceStore } from './registry/resource-store.js';

/**
 * Admission for namespaced creates: the namespace must exist and not be
 * terminating. Namespace states are kept from the namespaces watch so a
 * create costs no extra etcd read.
 */
export class NamespaceLifecycle {
  private phases = new Map<string, string>();
  private unsubscribe?: () => void;
  private stopped = false;

  constructor(private readonly namespaces: ResourceStore) {}

  async start(): Promise<void> {
    await this.namespaces.cache.start();
    const listed = await this.namespaces.list({});
    for (const ns of listed.items) this.record(ns);
    this.unsubscribe = this.namespaces.cache.subscribe(Number(listed.resourceVersion), {
      deliver: (e) => (e.type === 'DELETED' ? this.phases.delete(e.object.metadata.name) : this.record(e.object)),
      // The cache lost etcd: forget what we knew and follow it again once it is back.
      close: () => {
        if (this.stopped) return;
        this.phases.clear();
        void this.resubscribe();
      },
    });
  }

  private async resubscribe(): Promise<void> {
    for (let delay = 100; !this.stopped; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.start();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private record(ns: KObject): void {
    this.phases.set(ns.metadata.name, ns.metadata.deletionTimestamp ? 'Terminating' : ns.status?.phase ?? 'Active');
  }

  /** Refuses creating `resource` named `name` unless `namespace` exists and is not terminating. */
  async admit(namespace: string, resource: { group: string; resource: string; name?: string }): Promise<void> {
    let phase = this.phases.get(namespace);
    if (phase === undefined) {
      const ns = await this.namespaces.get(undefined, namespace).catch((err) => {
        if ((err as StatusError).code === 404) throw notFound({ group: '', resource: 'namespaces', name: namespace });
        throw err;
      });
      this.record(ns);
      phase = this.phases.get(namespace);
    }
    if (phase === 'Terminating') {
      const err = forbidden(resource, `unable to create new content in namespace ${namespace} because it is being terminated`);
      err.details!.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }];
      throw err;
    }
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
  }
}
