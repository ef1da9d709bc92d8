import { readFileSync } from 'node:fs';
import { runControllerLoop, type Reconcile } from '../client/controller-loop.js';
import { Informer } from '../client/informer.js';
import type { ClientConfig } from '../client/kubeconfig.js';
import { log } from '../client/log.js';
import { objectKey } from '../client/store.js';
import { RestClient } from '../client/rest-client.js';
import type { ResourceRef } from '../client/resource.js';
import { WorkQueue } from '../client/workqueue.js';
import { importPrivateKey, x509 } from '../control-plane/pki/pem.js';
import { csrApprovingReconciler, CSRS } from './certificates/csr-approving.js';
import { csrSigningReconciler } from './certificates/csr-signing.js';
import { namespaceReconciler } from './namespace/namespace-controller.js';
import { DEFAULT_ACCOUNT, SERVICE_ACCOUNTS, serviceAccountReconciler } from './serviceaccount/serviceaccount-controller.js';

export interface ControllerManagerOptions {
  /** The CA that signs approved client certificate requests (kube's --cluster-signing-cert-file/--cluster-signing-key-file). */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
}

const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false };

/** One controller: a reconcile function fed from informers through its own work queue. */
interface Controller {
  name: string;
  informer: Informer;
  reconcile(client: RestClient, informer: Informer): Promise<Reconcile<string>> | Reconcile<string>;
  workers: number;
  /** What else queues a key, and which: by default the informer's objects by namespace/name. */
  sources?: Array<{ informer: Informer; key(obj: { metadata?: { name?: string; namespace?: string } }): string | undefined; onDelete?: boolean }>;
}

/**
 * The controller-manager: each controller is an informer feeding a work
 * queue and one reconcile function. Stops when `signal` aborts.
 */
export async function runControllerManager(config: ClientConfig, signal: AbortSignal, options: ControllerManagerOptions = {}): Promise<void> {
  const client = new RestClient(config, { qps: 50, burst: 100 });
  const informers = new Map<string, Informer>();
  const informerFor = (ref: ResourceRef) => {
    const key = `${ref.group}/${ref.resource}`;
    if (!informers.has(key)) informers.set(key, new Informer(client, ref));
    return informers.get(key)!;
  };
  const accounts = informerFor(SERVICE_ACCOUNTS);
  const controllers: Controller[] = [
    { name: 'namespace', informer: informerFor(NAMESPACES), reconcile: namespaceReconciler, workers: 2 },
    {
      name: 'serviceaccount', informer: informerFor(NAMESPACES), workers: 1,
      reconcile: (c, namespaces) => serviceAccountReconciler(c, namespaces, accounts),
      sources: [
        { informer: informerFor(NAMESPACES), key: (o) => o.metadata?.name },
        { informer: accounts, key: (o) => (o.metadata?.name === DEFAULT_ACCOUNT ? o.metadata.namespace : undefined), onDelete: true },
      ],
    },
  ];
  if (options.clusterSigningCertFile && options.clusterSigningKeyFile) {
    const certPem = readFileSync(options.clusterSigningCertFile, 'utf8');
    const ca = { cert: new x509.X509Certificate(certPem), certPem, key: await importPrivateKey(readFileSync(options.clusterSigningKeyFile, 'utf8')) };
    controllers.push(
      { name: 'csrapproving', informer: informerFor(CSRS), reconcile: csrApprovingReconciler, workers: 1 },
      { name: 'csrsigning', informer: informerFor(CSRS), reconcile: (c, i) => csrSigningReconciler(c, i, ca), workers: 1 },
    );
  }
  const queues = controllers.map((c) => {
    const queue = new WorkQueue<string>();
    for (const source of c.sources ?? [{ informer: c.informer, key: (o) => objectKey(o as never) }]) {
      const enqueue = (obj: { metadata?: { name?: string; namespace?: string } }) => {
        const key = source.key(obj);
        if (key) queue.add(key);
      };
      source.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj), ...(source.onDelete ? { onDelete: enqueue } : {}) });
    }
    return queue;
  });
  for (const informer of informers.values()) {
    informer.start();
    signal.addEventListener('abort', () => void informer.stop(), { once: true });
  }
  await Promise.all([...informers.values()].map((i) => i.waitForSync(signal)));
  log.info('controller-manager started', { controllers: controllers.map((c) => c.name) });
  await Promise.all(controllers.map(async (c, i) => runControllerLoop(queues[i], await c.reconcile(client, c.informer), { name: c.name, workers: c.workers, signal })));
  client.close();
}
