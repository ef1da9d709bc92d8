import { isAlreadyExists, isNamespaceTerminating } from '../../client/api-error.js';
import type { Informer } from '../../client/informer.js';
import { NAMESPACES, SERVICE_ACCOUNTS } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import { enqueueFrom, workersFor, type ControllerDescriptor } from '../controller.js';
import type { RestClient } from '../../client/rest-client.js';
import type { ReconcileResult } from '../../client/controller-loop.js';

export const DEFAULT_ACCOUNT = 'default';

/**
 * The service account controller: every active namespace has a `default`
 * ServiceAccount, made again if it is deleted. Keys are namespace names.
 */
export function serviceAccountReconciler(client: RestClient, namespaces: Informer, accounts: Informer) {
  return async function reconcile(namespace: string): Promise<ReconcileResult> {
    const ns = namespaces.store.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (accounts.store.get(`${namespace}/${DEFAULT_ACCOUNT}`)) return;
    try {
      await client.create(SERVICE_ACCOUNTS, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_ACCOUNT, namespace } }, { namespace });
    } catch (err) {
      // Made meanwhile, or the namespace began terminating: either way nothing to do.
      if (isAlreadyExists(err) || isNamespaceTerminating(err)) return;
      throw err;
    }
  };
}

export const serviceAccountController: ControllerDescriptor = {
  name: 'serviceaccount-controller', aliases: ['serviceaccount'], enabledByDefault: true,
  create(ctx) {
    const namespaces = ctx.informers.for(NAMESPACES);
    const accounts = ctx.informers.for(SERVICE_ACCOUNTS);
    const queue = new WorkQueue<string>();
    enqueueFrom(namespaces, queue, (ns) => ns.metadata.name, { onDelete: false });
    enqueueFrom(accounts, queue, (sa) => (sa.metadata.name === DEFAULT_ACCOUNT ? sa.metadata.namespace : undefined));
    return [{ name: 'serviceaccount', queue, reconcile: serviceAccountReconciler(ctx.client, namespaces, accounts), workers: workersFor(ctx, 'serviceaccount', 1) }];
  },
};
