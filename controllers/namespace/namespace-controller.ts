import { NAMESPACE_FINALIZER } from '../../api/well-known.js';
import { isNotFound } from '../../client/api-error.js';
import { discoverResources } from '../../client/discovery.js';
import type { Informer } from '../../client/informer.js';
import type { ResourceRef } from '../../client/resource.js';
import { NAMESPACES } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import { enqueueFrom, workersFor, type ControllerDescriptor } from '../controller.js';
import type { RestClient } from '../../client/rest-client.js';
import type { ReconcileResult } from '../../client/controller-loop.js';

/** How soon to look again while content is still going (graceful pods, finalizers). */
const RECHECK_MS = 2000;

/** Every namespaced resource the API serves (in its preferred version) that can be deleted as a collection. */
async function namespacedResources(client: RestClient): Promise<ResourceRef[]> {
  const resources = await discoverResources(client, { preferredOnly: true });
  return resources.filter((r) => r.ref.namespaced && r.verbs.includes('deletecollection')).map((r) => r.ref);
}

/**
 * The namespace controller: empties a terminating namespace of everything in
 * it, then removes its `kubernetes` finalizer so the API server deletes it.
 */
export function namespaceReconciler(client: RestClient, informer: Informer) {
  return async function reconcile(name: string): Promise<ReconcileResult> {
    const ns = informer.store.get(name);
    if (!ns?.metadata?.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;
    let remaining = 0;
    for (const ref of await namespacedResources(client)) {
      await client.deleteCollection(ref, { namespace: name, propagationPolicy: 'Background' });
      const left = await client.list(ref, { namespace: name, limit: 1 });
      remaining += left.items.length;
    }
    if (remaining > 0) return { requeueAfter: RECHECK_MS };
    try {
      const current = await client.get(NAMESPACES, name);
      await client.update(NAMESPACES, {
        ...current,
        spec: { ...current.spec, finalizers: (current.spec?.finalizers ?? []).filter((f: string) => f !== NAMESPACE_FINALIZER) },
      }, { subresource: 'finalize' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
}

export const namespaceController: ControllerDescriptor = {
  name: 'namespace-controller', aliases: ['namespace'], enabledByDefault: true,
  create(ctx) {
    const informer = ctx.informers.for(NAMESPACES);
    const queue = new WorkQueue<string>();
    enqueueFrom(informer, queue, undefined, { onDelete: false });
    return [{ name: 'namespace', queue, reconcile: namespaceReconciler(ctx.client, informer), workers: workersFor(ctx, 'namespace', 10) }];
  },
};
