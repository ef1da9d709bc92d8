import { get } from 'node:https';
import type { AnyObject } from '../../client/resource.js';
import { ENDPOINT_SLICES, NAMESPACES, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { SecureServing } from '../../component-base/secure-serving.js';
import { runDns, type DnsSettings } from '../../dns/run-dns.js';
import { identityConfig, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';

/** The user `skiff dns` runs as: its bootstrap ClusterRole is all it has. */
export const DNS_USER = 'system:skiff-dns';

export interface RunningDns {
  port: number;
  serving?: SecureServing;
  /** Stops the server as SIGTERM does, and waits until it has. */
  stop(): Promise<void>;
}

/** Runs `skiff dns` in this process against the test cluster as system:skiff-dns, on free ports of 127.0.0.1; answers once it is ready (its informers synced). */
export async function startDns(cluster: TestCluster, settings: Partial<DnsSettings> = {}): Promise<RunningDns> {
  const config = await identityConfig(cluster, DNS_USER);
  const abort = new AbortController();
  let serving: SecureServing | undefined;
  let listening!: (port: number) => void;
  const port = new Promise<number>((resolve) => (listening = resolve));
  const running = runDns(config, abort.signal, {
    clusterDomain: 'cluster.local', bindAddress: '127.0.0.1', port: 0, upstreams: [],
    component: { qps: 0, burst: 0, serving: { bindAddress: '127.0.0.1', securePort: await freePort() } },
    ...settings,
  }, { onServing: (s) => (serving = s), onListening: (s) => listening(s.port) });
  const failed = running.then(() => {
    throw new Error('skiff dns stopped before it served');
  });
  const listeningOn = await Promise.race([port, failed]);
  await eventually('skiff dns to be ready', async () => (await fetchText(`${serving!.url}/readyz`)).status === 200);
  return {
    port: listeningOn,
    get serving() {
      return serving;
    },
    async stop() {
      abort.abort();
      await running;
    },
  };
}

/** GET over a component's self-signed HTTPS endpoint. */
export function fetchText(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
}

export async function createNamespace(client: RestClient, name: string): Promise<void> {
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export function createService(client: RestClient, namespace: string, name: string, spec: Record<string, unknown>): Promise<AnyObject> {
  return client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });
}

export interface EndpointSpec {
  ip: string;
  hostname?: string;
  ready?: boolean;
}

/** An EndpointSlice of a Service, as a controller other than the DNS server would write it. */
export function createSlice(client: RestClient, namespace: string, service: string, name: string, endpoints: EndpointSpec[], ports: Record<string, unknown>[] = [], addressType = 'IPv4'): Promise<AnyObject> {
  return client.create(ENDPOINT_SLICES, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'test.skiff.dev' } },
    addressType,
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip], ...(e.hostname ? { hostname: e.hostname } : {}), ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }),
    })),
    ports,
  });
}
