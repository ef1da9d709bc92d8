import { networkInterfaces } from 'node:os';
import type { Registry } from 'prom-client';
import { containsAddress, parseAddress, parseCidr } from '../api/net.js';
import { ANNOTATION_LAST_CHANGE_TRIGGER_TIME } from '../api/well-known.js';
import { Informer } from '../client/informer.js';
import { log } from '../client/log.js';
import type { AnyObject } from '../client/resource.js';
import { ENDPOINT_SLICES, NODES, SERVICES } from '../client/resources.js';
import { SLICES_BY_SERVICE, slicesByService } from '../controllers/endpointutil/slices-by-service.js';
import type { RestClient } from '../client/rest-client.js';
import { clearConntrack, staleUdpFlows } from './conntrack.js';
import { fullSyncScript, partialSyncScript } from './nft-transaction.js';
import { systemNft, type Nft } from './nft.js';
import { emptyRuleset, mergeRulesets, serviceRuleset, staticRuleset, type Ruleset } from './nftables-ruleset.js';
import { ProxyMetrics } from './proxy-metrics.js';
import { ServiceHealthServers, type ServiceHealth } from './service-health-servers.js';
import { servicePorts, type ServicePort } from './service-port.js';
import { SyncRunner } from './sync-runner.js';

/** The proxy's own nftables table (kube-proxy's is `kube-proxy`; another name keeps the two apart on one node). */
export const PROXY_TABLE = 'skiff-proxy';
/** kube-proxy re-writes everything this often even when nothing failed, in case something else changed the table. */
const FULL_SYNC_PERIOD_MS = 3_600_000;

export interface ProxierOptions {
  nodeName: string;
  /** --cluster-cidr: traffic to a cluster IP from outside these is masqueraded. */
  clusterCidrs: string[];
  /** --nodeport-addresses: `primary` (the node's InternalIP, the default) and/or CIDRs of this host's addresses. */
  nodePortAddresses: string[];
  /** --sync-period and --min-sync-period. */
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  registry: Registry;
  nft?: Nft;
  table?: string;
  /** Where health check node ports listen (all addresses by default). */
  healthCheckBindAddress?: string;
}

/**
 * kube-proxy's role on a node, in nftables: Services and their
 * EndpointSlices (and the node's own addresses, for NodePorts) are watched;
 * each change marks its Service and asks for a sync, which computes the
 * marked Services' part of the table again and applies only its
 * differences from what was applied, in one nft transaction. The first
 * sync, one after a failure and one an hour write everything instead.
 */
export class Proxier {
  readonly metrics: ProxyMetrics;
  private readonly services: Informer;
  private readonly slices: Informer;
  private readonly node: Informer;
  private readonly nft: Nft;
  private readonly table: string;
  private readonly healthServers: ServiceHealthServers;
  private readonly runner: SyncRunner;
  /** Each Service's part of the table as last applied, and its ports (health checks read them). */
  private readonly applied = new Map<string, { rules: Ruleset; ports: ServicePort[] }>();
  private appliedStatic?: Ruleset;
  private needFull = true;
  /** Services whose part of the table may have changed since the last sync. */
  private dirty = new Set<string>();
  private lastFullSync = 0;
  /** Trigger times of the slice changes the next sync programs. */
  private pendingTriggers: number[] = [];
  private lastSyncedAt = 0;
  private queuedAt?: number;

  constructor(client: RestClient, private readonly options: ProxierOptions) {
    this.metrics = new ProxyMetrics(options.registry);
    this.nft = options.nft ?? systemNft;
    this.table = options.table ?? PROXY_TABLE;
    this.healthServers = new ServiceHealthServers(options.healthCheckBindAddress);
    this.services = new Informer(client, SERVICES);
    this.slices = new Informer(client, ENDPOINT_SLICES, {
      indexers: { [SLICES_BY_SERVICE]: slicesByService },
    });
    this.node = new Informer(client, NODES, { fieldSelector: `metadata.name=${options.nodeName}` });
    this.runner = new SyncRunner(() => this.sync(), options.minSyncPeriodMs, options.syncPeriodMs);
  }

  /** Runs until the signal: informers first, the first sync once they have synced. */
  async run(signal: AbortSignal): Promise<void> {
    const serviceChanged = (svc: AnyObject) => {
      this.metrics.serviceChanges.inc();
      this.dirty.add(`${svc.metadata.namespace}/${svc.metadata.name}`);
      this.queue();
    };
    this.services.addEventHandler({ onAdd: serviceChanged, onUpdate: (a, b) => a !== b && serviceChanged(b), onDelete: serviceChanged });
    this.slices.addEventHandler({
      onAdd: (s) => this.sliceChanged(undefined, s),
      onUpdate: (a, b) => a !== b && this.sliceChanged(a, b),
      onDelete: (s) => this.sliceChanged(s, undefined),
    });
    // A node's status changes every heartbeat; only its addresses matter here (NodePorts answer on them).
    const addresses = (n: AnyObject) => JSON.stringify(n.status?.addresses ?? []);
    this.node.addEventHandler({ onAdd: () => this.queue(), onUpdate: (a, b) => addresses(a) !== addresses(b) && this.queue(), onDelete: () => this.queue() });
    for (const i of [this.services, this.slices, this.node]) i.start();
    try {
      await Promise.all([this.services, this.slices, this.node].map((i) => i.waitForSync(signal)));
      this.runner.start();
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    } finally {
      this.runner.stop();
      await Promise.all([this.services, this.slices, this.node].map((i) => i.stop()));
      await this.healthServers.close();
    }
  }

  /**
   * kube-proxy's /healthz answer: healthy when no change has waited for a
   * sync longer than twice the sync period.
   */
  health(): { healthy: boolean; lastUpdated: Date; currentTime: Date } {
    const now = Date.now();
    const waiting = this.queuedAt !== undefined && this.queuedAt > this.lastSyncedAt ? now - this.queuedAt : 0;
    return { healthy: this.lastSyncedAt > 0 && waiting < 2 * this.options.syncPeriodMs, lastUpdated: new Date(this.lastSyncedAt), currentTime: new Date(now) };
  }

  private sliceChanged(before: AnyObject | undefined, after: AnyObject | undefined): void {
    this.metrics.endpointChanges.inc();
    for (const slice of [before, after]) for (const key of slice ? slicesByService(slice) : []) this.dirty.add(key);
    const trigger = after?.metadata?.annotations?.[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
    if (trigger && trigger !== before?.metadata?.annotations?.[ANNOTATION_LAST_CHANGE_TRIGGER_TIME]) {
      const at = Date.parse(trigger);
      if (!Number.isNaN(at)) this.pendingTriggers.push(at);
    }
    this.queue();
  }

  private queue(): void {
    if (this.queuedAt === undefined || this.queuedAt <= this.lastSyncedAt) this.queuedAt = Date.now();
    this.metrics.lastQueued.set(Date.now() / 1000);
    this.runner.request();
  }

  /** A Service's ports this node programs, with their endpoints (none for a Service that is gone). */
  private portsOf(key: string): ServicePort[] {
    const svc = this.services.store.get(key);
    return svc ? servicePorts(svc, this.slices.store.byIndex(SLICES_BY_SERVICE, key), this.options.nodeName) : [];
  }

  private async sync(): Promise<void> {
    const started = performance.now();
    const triggers = this.pendingTriggers;
    this.pendingTriggers = [];
    const dirty = this.dirty;
    this.dirty = new Set();
    const syncStartedAt = Date.now();
    const full = this.needFull || Date.now() - this.lastFullSync > FULL_SYNC_PERIOD_MS;
    const ctx = { clusterCidrs: this.options.clusterCidrs, nodePortIPs: this.nodePortIPs() };
    const keys = full ? new Set([...this.services.store.keys(), ...this.applied.keys()]) : dirty;
    const computed = new Map([...keys].map((key) => {
      const ports = this.portsOf(key);
      return [key, { rules: serviceRuleset(ports, ctx), ports }] as const;
    }));
    const staticWant = staticRuleset(ctx);
    try {
      if (full) {
        const want = mergeRulesets([staticWant, ...[...computed.values()].map((c) => c.rules)]);
        const existing = (await this.nft.list(this.table)) ?? { chains: [], sets: [] };
        await this.nft.apply(fullSyncScript(this.table, want, existing));
        this.lastFullSync = Date.now();
      } else {
        const have = mergeRulesets([this.appliedStatic ?? emptyRuleset(), ...[...keys].map((k) => this.applied.get(k)?.rules ?? emptyRuleset())]);
        const want = mergeRulesets([staticWant, ...[...computed.values()].map((c) => c.rules)]);
        const script = partialSyncScript(this.table, have, want);
        if (script) await this.nft.apply(script);
      }
      this.needFull = false;
      this.appliedStatic = staticWant;
      const before = [...computed.keys()].flatMap((k) => this.applied.get(k)?.ports ?? []);
      for (const [key, part] of computed) {
        if (part.ports.length) this.applied.set(key, part);
        else this.applied.delete(key);
      }
      await this.healthServers.sync(healthChecks([...this.applied.values()].flatMap((p) => p.ports)));
      await clearConntrack(staleUdpFlows(before, [...computed.values()].flatMap((c) => c.ports)));
    } catch (err) {
      // The next sync writes everything: what the table holds after a failure is not known.
      this.needFull = true;
      for (const key of dirty) this.dirty.add(key);
      this.pendingTriggers.push(...triggers);
      this.metrics.syncFailures.inc();
      log.error('syncing proxy rules failed', { error: (err as Error).message });
      this.runner.request();
      return;
    }
    const seconds = (performance.now() - started) / 1000;
    this.metrics.syncDuration.observe(seconds);
    (full ? this.metrics.fullSyncDuration : this.metrics.partialSyncDuration).observe(seconds);
    const now = Date.now();
    for (const at of triggers) this.metrics.programmingLatency.observe(Math.max(0, now - at) / 1000);
    this.lastSyncedAt = syncStartedAt;
    this.metrics.lastSync.set(now / 1000);
  }

  /** The addresses NodePorts answer on: the node's primary address and this host's addresses in the CIDRs given. */
  private nodePortIPs(): string[] {
    const out = new Set<string>();
    for (const entry of this.options.nodePortAddresses) {
      if (entry === 'primary') {
        const node = this.node.store.list()[0];
        const addresses: { type: string; address: string }[] = node?.status?.addresses ?? [];
        const internal = addresses.filter((a) => a.type === 'InternalIP' && parseAddress(a.address)?.family === 4);
        for (const a of internal.slice(0, 1)) out.add(a.address);
        continue;
      }
      const cidr = parseCidr(entry);
      for (const addrs of Object.values(networkInterfaces())) {
        for (const a of addrs ?? []) {
          const parsed = parseAddress(a.address);
          if (parsed && containsAddress(cidr, parsed.value, parsed.family)) out.add(a.address);
        }
      }
    }
    return [...out].filter((ip) => parseAddress(ip)?.family === 4);
  }
}

/** The health check node ports to serve: one per `externalTrafficPolicy: Local` load balancer, with its local endpoints. */
function healthChecks(ports: ServicePort[]): Map<number, ServiceHealth> {
  const out = new Map<number, ServiceHealth & { ips: Set<string> }>();
  for (const sp of ports) {
    if (!sp.healthCheckNodePort) continue;
    const entry = out.get(sp.healthCheckNodePort) ?? { namespace: sp.namespace, name: sp.name, localEndpoints: 0, ips: new Set<string>() };
    for (const ep of sp.endpoints) if (ep.local && ep.ready) entry.ips.add(ep.ip);
    entry.localEndpoints = entry.ips.size;
    out.set(sp.healthCheckNodePort, entry);
  }
  return new Map([...out].map(([port, { namespace, name, localEndpoints }]) => [port, { namespace, name, localEndpoints }]));
}
