import type { Lease } from 'etcd3';
import type { KObject } from '../../api/kind.js';
import { deepEqual } from '../../api/deep-equal.js';
import { parseAddress } from '../../api/net.js';
import { LABEL_SERVICE_NAME, LABEL_SKIP_MIRROR } from '../../api/well-known.js';
import { log } from '../../client/log.js';
import type { ResourceStore } from './registry/resource-store.js';
import type { EtcdKV } from './storage/etcd-kv.js';
import { toStatusError } from './http/respond.js';

/** Where each API server keeps its address under a lease (kube-apiserver's own key). */
const MASTER_LEASES = '/registry/masterleases/';
/** kube-apiserver's: a lease outlives two missed renewals, and every server reconciles this often. */
const LEASE_TTL_SECONDS = 15;
const RECONCILE_INTERVAL_MS = 10_000;

export interface KubernetesServiceStores {
  services: ResourceStore;
  endpoints: ResourceStore;
  endpointSlices: ResourceStore;
}

/**
 * The `kubernetes` Service in `default`, and its Endpoints and EndpointSlice
 * listing every API server, as kube-apiserver's lease reconciler keeps them:
 * each server holds its address in etcd under a short lease and rewrites the
 * endpoints from the live leases, so servers that stop drop out within the
 * lease's time and none overwrites the others. How pods find the API.
 */
export class KubernetesService {
  private lease?: Lease;
  private timer?: NodeJS.Timeout;
  private readonly address?: string;

  constructor(private readonly kv: EtcdKV, private readonly stores: KubernetesServiceStores, private readonly clusterIP: string, host: string, private readonly port: number) {
    // Kubernetes refuses loopback endpoints: a server bound to loopback only has no address pods could reach.
    this.address = host.startsWith('127.') || host === '::1' || host === 'localhost' || !parseAddress(host) ? undefined : host;
  }

  async start(): Promise<void> {
    await this.ensureService();
    if (!this.address) return;
    this.lease = this.kv.lease(LEASE_TTL_SECONDS);
    this.lease.on('lost', (err) => log.error('the API server\'s master lease was lost', { error: err.message }));
    await this.lease.put(`${MASTER_LEASES}${this.address}`).value(JSON.stringify({ address: this.address, port: this.port }));
    await this.reconcile();
    this.timer = setInterval(() => this.reconcile().catch((err) => log.error('cannot update the kubernetes endpoints', { error: (err as Error).message })), RECONCILE_INTERVAL_MS);
  }

  /** Gives up this server's lease and takes its address out of the endpoints, as a server shutting down does. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const lease = this.lease;
    this.lease = undefined;
    if (!lease) return;
    await lease.revoke().catch(() => undefined);
    await this.reconcile().catch((err) => log.error('cannot remove this API server from the kubernetes endpoints', { error: (err as Error).message }));
  }

  private async ensureService(): Promise<void> {
    const service: KObject = {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: this.clusterIP, ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: this.port }], sessionAffinity: 'None' },
    };
    await createOrKeep(this.stores.services, service);
  }

  /** The endpoints from the live leases: every server's address, in order. */
  private async reconcile(): Promise<void> {
    const { kvs } = await this.kv.range(MASTER_LEASES);
    const servers = kvs.map((kv) => JSON.parse(kv.value.toString('utf8')) as { address: string; port: number })
      .filter((s) => typeof s.address === 'string')
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    const port = servers[0]?.port ?? this.port;
    const subsets = servers.length ? [{ addresses: servers.map((s) => ({ ip: s.address })), ports: [{ name: 'https', port, protocol: 'TCP' }] }] : [];
    await upsert(this.stores.endpoints, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default', labels: { [LABEL_SKIP_MIRROR]: 'true' } }, subsets,
    }, (current) => ({ ...current, subsets }));
    const endpoints = servers.map((s) => ({ addresses: [s.address], conditions: { ready: true } }));
    const ports = [{ name: 'https', port, protocol: 'TCP' }];
    await upsert(this.stores.endpointSlices, {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { [LABEL_SERVICE_NAME]: 'kubernetes' } },
      addressType: 'IPv4', endpoints, ports,
    }, (current) => ({ ...current, endpoints, ports }));
  }
}

async function createOrKeep(store: ResourceStore, obj: KObject): Promise<boolean> {
  try {
    await store.create(obj, 'default');
    return true;
  } catch (err) {
    if (toStatusError(err).code !== 409) throw err;
    return false;
  }
}

async function upsert(store: ResourceStore, obj: KObject, merge: (current: KObject) => KObject): Promise<void> {
  if (await createOrKeep(store, obj)) return;
  await store.update('default', obj.metadata.name, (current) => {
    const next = merge(current);
    return deepEqual(next, current) ? current : next;
  });
}
