import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deepEqual } from '../../api/deep-equal.js';
import { ANNOTATION_DESCRIPTION, CONFIG_MAP_ROOT_CA } from '../../api/well-known.js';
import { isNamespaceTerminating, isNotFound } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { Informer } from '../../client/informer.js';
import { CONFIG_MAPS, NAMESPACES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { WorkQueue } from '../../client/workqueue.js';
import { enqueueFrom, workersFor, type ControllerDescriptor } from '../controller.js';

/** kube's words, so tools that read the annotation find what they find on any cluster. */
const ROOT_CA_DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. '
  + 'No other usage is guaranteed across distributions of Kubernetes clusters.';

/**
 * The root CA publisher: every active namespace has a ConfigMap
 * kube-root-ca.crt whose ca.crt is the bundle pods verify the API server
 * with (the ServiceAccount admission plugin projects it into every pod). One
 * deleted is made again; one edited is set back. Keys are namespace names.
 */
export function rootCaCertPublisherReconciler(client: RestClient, namespaces: Informer, configMaps: Informer, rootCA: string) {
  const data = { 'ca.crt': rootCA };
  return async function reconcile(namespace: string): Promise<ReconcileResult> {
    const ns = namespaces.store.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const cm = configMaps.store.get(`${namespace}/${CONFIG_MAP_ROOT_CA}`);
    if (!cm) {
      try {
        await client.create(CONFIG_MAPS, {
          apiVersion: 'v1', kind: 'ConfigMap',
          metadata: { name: CONFIG_MAP_ROOT_CA, namespace, annotations: { [ANNOTATION_DESCRIPTION]: ROOT_CA_DESCRIPTION } },
          data,
        }, { namespace });
      } catch (err) {
        // The namespace went away or began terminating meanwhile: nothing to publish into.
        if (isNotFound(err) || isNamespaceTerminating(err)) return;
        throw err;
      }
      return;
    }
    // Any description will do, as in kube; the data must be the bundle and nothing else.
    if (deepEqual(cm.data ?? {}, data) && cm.metadata.annotations?.[ANNOTATION_DESCRIPTION]) return;
    await client.update(CONFIG_MAPS, {
      ...cm,
      metadata: { ...cm.metadata, annotations: { ...cm.metadata.annotations, [ANNOTATION_DESCRIPTION]: ROOT_CA_DESCRIPTION } },
      data,
    });
  };
}

/**
 * The bundle to publish: --root-ca-file, else the CA the controller-manager
 * itself trusts the API server with (its kubeconfig's), as kube does. A file
 * that holds no certificate stops the controller-manager rather than
 * handing pods a bundle that verifies nothing.
 */
export function rootCaBundle(rootCaFile: string | undefined, kubeconfigCA: string | undefined): string {
  if (!rootCaFile) return kubeconfigCA ?? '';
  const pem = readFileSync(rootCaFile, 'utf8');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  try {
    if (blocks.length === 0) throw new Error('data does not contain any valid RSA or ECDSA certificates');
    for (const block of blocks) new X509Certificate(block);
  } catch (err) {
    throw new Error(`error parsing root-ca-file at ${rootCaFile}: ${(err as Error).message}`);
  }
  return pem;
}

export const rootCaCertPublisherController: ControllerDescriptor = {
  name: 'root-ca-certificate-publisher-controller', aliases: ['root-ca-cert-publisher'], enabledByDefault: true,
  create(ctx) {
    const rootCA = rootCaBundle(ctx.options.rootCaFile, ctx.client.config.ca);
    const namespaces = ctx.informers.for(NAMESPACES);
    const configMaps = ctx.informers.for(CONFIG_MAPS);
    const queue = new WorkQueue<string>();
    enqueueFrom(namespaces, queue, (ns) => ns.metadata.name, { onDelete: false });
    enqueueFrom(configMaps, queue, (cm) => (cm.metadata.name === CONFIG_MAP_ROOT_CA ? cm.metadata.namespace : undefined));
    return [{
      name: 'root_ca_cert_publisher', queue,
      reconcile: rootCaCertPublisherReconciler(ctx.client, namespaces, configMaps, rootCA),
      workers: workersFor(ctx, 'root_ca_cert_publisher', 1),
    }];
  },
};
