import { once } from 'node:events';
import { NAMESPACE_SYSTEM } from '../api/well-known.js';
import { runControllerLoop } from '../client/controller-loop.js';
import type { ClientConfig } from '../client/kubeconfig.js';
import { log } from '../client/log.js';
import { ENDPOINT_SLICES, NAMESPACES, SERVICES } from '../client/resources.js';
import { SharedInformers } from '../client/shared-informers.js';
import { WorkQueue } from '../client/workqueue.js';
import { componentClient, runComponent, type ComponentSettings } from '../component-base/component.js';
import type { SecureServing } from '../component-base/secure-serving.js';
import { enqueueFrom } from '../controllers/controller.js';
import { SLICES_BY_SERVICE, slicesByService } from '../controllers/endpointutil/slices-by-service.js';
import { ClusterZone, SERVICES_BY_CLUSTER_IP, SLICES_BY_ADDRESS, servicesByClusterIP, slicesByAddress } from './cluster-zone.js';
import { DnsMetrics } from './dns-metrics.js';
import { DnsServer } from './dns-server.js';
import { KUBE_DNS_SERVICE, kubeDnsReconciler, kubeDnsSliceName, removeKubeDnsSlice, type SelfRegistration } from './kube-dns-service.js';
import { QueryHandler } from './query-handler.js';
import { Upstream, type UpstreamServer } from './upstream.js';

/**
 * `skiff dns`'s defaults: /metrics on CoreDNS's 9153; a modest client
 * rate, as the server only lists and watches, and writes its one slice.
 */
export const DNS_COMPONENT = { securePort: 9153, qps: 20, burst: 30 };

export interface DnsSettings {
  /** The zone served, cluster.local unless --cluster-domain says otherwise. */
  clusterDomain: string;
  /** Where DNS is served, UDP and TCP. */
  bindAddress: string;
  port: number;
  /** Where names outside the zone go; none refuses them. */
  upstreams: UpstreamServer[];
  /** With --advertise-address and --service-ip: keep kube-system/kube-dns and this server's slice of it. */
  registration?: { advertiseAddress: string; serviceIP: string };
  /** The client rate and the health and metrics endpoint; without them (in-process, in tests): the defaults, and no endpoint. */
  component?: Pick<ComponentSettings, 'qps' | 'burst' | 'serving'>;
}

export interface DnsRun {
  onServing?(serving: SecureServing): void;
  /** Called once DNS is served (tests read the port). */
  onListening?(server: DnsServer): void;
}

/** The one key of self-registration's queue: there is one Service and one slice of this server's. */
const REGISTRATION_KEY = 'kube-dns';

/**
 * The cluster DNS add-on: answers the cluster domain from the informers'
 * Services, EndpointSlices and Namespaces, forwards other names upstream,
 * and, when told its address and the Service IP, keeps kube-system/kube-dns
 * and its own slice of it, which it deletes when it stops. Every server
 * runs on its own (no leader election): each is one endpoint of kube-dns.
 * Runs until `signal` aborts.
 */
export async function runDns(config: ClientConfig, signal: AbortSignal, settings: DnsSettings, hooks: DnsRun = {}): Promise<void> {
  const { client, registry } = componentClient(config, settings.component, DNS_COMPONENT);
  try {
    await runComponent({
      name: 'dns', client, registry, signal, onServing: hooks.onServing,
      settings: settings.component && { serving: settings.component.serving },
      run: async (stop, synced) => {
        const informers = new SharedInformers(client);
        const services = informers.for(SERVICES);
        const slices = informers.for(ENDPOINT_SLICES);
        const namespaces = informers.for(NAMESPACES);
        informers.index(services, SERVICES_BY_CLUSTER_IP, servicesByClusterIP);
        informers.index(slices, SLICES_BY_SERVICE, slicesByService);
        informers.index(slices, SLICES_BY_ADDRESS, slicesByAddress);
        const zone = new ClusterZone(settings.clusterDomain, { services: services.store, slices: slices.store, namespaces: namespaces.store });
        const handler = new QueryHandler({
          zone, upstream: settings.upstreams.length ? new Upstream(settings.upstreams) : undefined,
          metrics: new DnsMetrics(registry),
          synced: () => informers.hasSynced(),
        });
        // Served before the informers sync, so names outside the zone resolve from the start; the zone's answer SERVFAIL until then.
        const server = await DnsServer.listen({ bindAddress: settings.bindAddress, port: settings.port, handler });
        log.info('dns serving', { address: settings.bindAddress, port: server.port, domain: zone.domain, upstreams: settings.upstreams.map((u) => `${u.host}:${u.port}`) });
        hooks.onListening?.(server);
        const reg: SelfRegistration | undefined = settings.registration && {
          ...settings.registration, dnsPort: server.port, metricsPort: settings.component?.serving.securePort || undefined,
        };
        const queue = new WorkQueue<string>();
        if (reg) {
          const sliceName = kubeDnsSliceName(reg.advertiseAddress);
          const ours = (name: string) => (obj: { metadata: { namespace?: string; name?: string } }) =>
            obj.metadata.namespace === NAMESPACE_SYSTEM && obj.metadata.name === name ? REGISTRATION_KEY : undefined;
          enqueueFrom(services, queue, ours(KUBE_DNS_SERVICE));
          enqueueFrom(slices, queue, ours(sliceName));
        }
        informers.start();
        try {
          await informers.waitForSync(stop);
          synced();
          log.info('dns zone synced', { services: services.store.size, endpointSlices: slices.store.size });
          if (reg) {
            queue.add(REGISTRATION_KEY);
            await runControllerLoop(queue, kubeDnsReconciler(client, services, slices, reg), { name: 'kube-dns-registration', signal: stop });
          } else {
            await once(stop, 'abort');
          }
        } catch (err) {
          if (!stop.aborted) throw err;
        } finally {
          queue.shutDown();
          if (reg) await removeKubeDnsSlice(client, reg).catch((err: Error) => log.error('removing the kube-dns endpoint slice failed', { error: err.message }));
          await server.close();
          await informers.stop();
        }
      },
    });
  } finally {
    client.close();
  }
}
