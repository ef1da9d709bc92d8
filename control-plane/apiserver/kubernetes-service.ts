import type { KObject } from '../../api/kind.js';
import { deepEqual } from '../../api/deep-equal.js';
import { LABEL_SKIP_MIRROR } from '../../api/well-known.js';
import type { ResourceStore } from './registry/resource-store.js';
import { toStatusError } from './http/respond.js';

/**
 * The `kubernetes` Service in `default` and its Endpoints, pointing at this
 * API server, as kube-apiserver keeps them: how pods find the API.
 */
export async function ensureKubernetesService(services: ResourceStore, endpoints: ResourceStore, clusterIP: string, host: string, port: number): Promise<void> {
  const service: KObject = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP, ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: port }], sessionAffinity: 'None' },
  };
  try {
    await services.create(service, 'default');
  } catch (err) {
    if (toStatusError(err).code !== 409) throw err;
  }
  // Kubernetes refuses loopback endpoints: a server bound to loopback only has no address pods could reach.
  if (host.startsWith('127.') || host === '::1' || host === 'localhost') return;
  const subsets = [{ addresses: [{ ip: host }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
  try {
    await endpoints.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { [LABEL_SKIP_MIRROR]: 'true' } }, subsets }, 'default');
  } catch (err) {
    if (toStatusError(err).code !== 409) throw err;
    await endpoints.update('default', 'kubernetes', (current) => (deepEqual(current.subsets, subsets) ? current : { ...current, subsets }));
  }
}
