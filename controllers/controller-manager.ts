import { runControllerLoop } from '../client/controller-loop.js';
import { Informer } from '../client/informer.js';
import type { ClientConfig } from '../client/kubeconfig.js';
import { log } from '../client/log.js';
import { objectKey } from '../client/store.js';
import { RestClient } from '../client/rest-client.js';
import { WorkQueue } from '../client/workqueue.js';
import { namespaceReconciler } from './namespace/namespace-controller.js';

/**
 * The controller-manager: each controller is an informer feeding a work
 * queue and one reconcile function. Stops when `signal` aborts.
 */
export async function runControllerManager(config: ClientConfig, signal: AbortSignal): Promise<void> {
  const client = new RestClient(config, { qps: 50, burst: 100 });
  const namespaces = new Informer(client, { group: '', version: 'v1', resource: 'namespaces', namespaced: false });
  const queue = new WorkQueue<string>();
  const enqueue = (obj: { metadata?: { name?: string } }) => queue.add(objectKey(obj as never));
  namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj) });
  namespaces.start();
  signal.addEventListener('abort', () => void namespaces.stop(), { once: true });
  await namespaces.waitForSync(signal);
  log.info('controller-manager started', { controllers: ['namespace'] });
  await runControllerLoop(queue, namespaceReconciler(client, namespaces), { name: 'namespace', workers: 2, signal });
  client.close();
}
