import { hostname } from 'node:os';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { tryParseCidr } from '../../api/net.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { stopOnSignals } from '../../component-base/component.js';
import { parseTypedFlags } from '../../component-base/flags.js';
import { systemNft } from '../../proxy/nft.js';
import { PROXY_TABLE, Proxier } from '../../proxy/proxier.js';
import { parseBindAddress, serveProxyEndpoints } from '../../proxy/proxy-serving.js';

const FLAGS = {
  kubeconfig: 'string', 'hostname-override': 'string', 'cluster-cidr': 'list', 'nodeport-addresses': 'list',
  'sync-period': 'duration', 'min-sync-period': 'duration', 'healthz-bind-address': 'string', 'metrics-bind-address': 'string',
  'proxy-mode': 'string', 'kube-api-qps': 'int', 'kube-api-burst': 'int', cleanup: 'bool',
} as const;

/**
 * `skiff proxy --kubeconfig=PATH [kube-proxy flags]`: kube-proxy's role on
 * a node, in nftables mode, in the network namespace it runs in, until
 * SIGTERM. `--cleanup` removes its table and exits, as kube-proxy's does.
 */
export async function proxyCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, FLAGS);
  if (flags.cleanup) {
    if (await systemNft.list(PROXY_TABLE)) await systemNft.apply(`delete table ip ${PROXY_TABLE}\n`);
    return;
  }
  const mode = flags['proxy-mode'] ?? 'nftables';
  if (mode !== 'nftables') throw new Error(`--proxy-mode=${mode}: only nftables is supported`);
  const clusterCidrs = flags['cluster-cidr'] ?? [];
  const nodePortAddresses = flags['nodeport-addresses']?.length ? flags['nodeport-addresses'] : ['primary'];
  for (const cidr of [...clusterCidrs, ...nodePortAddresses.filter((a) => a !== 'primary')]) {
    if (!tryParseCidr(cidr)) throw new Error(`invalid CIDR ${JSON.stringify(cidr)} (--cluster-cidr and --nodeport-addresses take CIDRs; --nodeport-addresses also takes "primary")`);
  }
  const syncPeriodMs = flags['sync-period'] ?? 30_000;
  const minSyncPeriodMs = flags['min-sync-period'] ?? 1_000;
  if (syncPeriodMs <= 0) throw new Error('--sync-period must be greater than 0');
  if (minSyncPeriodMs < 0 || minSyncPeriodMs > syncPeriodMs) throw new Error('--min-sync-period must be between 0 and --sync-period');
  const healthzBind = parseBindAddress('healthz-bind-address', flags['healthz-bind-address'] ?? '0.0.0.0:10256');
  const metricsBind = parseBindAddress('metrics-bind-address', flags['metrics-bind-address'] ?? '127.0.0.1:10249');
  const nodeName = (flags['hostname-override'] ?? hostname()).toLowerCase();
  const client = new RestClient(loadKubeconfig({ path: flags.kubeconfig }), { qps: flags['kube-api-qps'] ?? 5, burst: flags['kube-api-burst'] ?? 10 });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const proxier = new Proxier(client, { nodeName, clusterCidrs, nodePortAddresses, syncPeriodMs, minSyncPeriodMs, registry });
  const health = () => proxier.health();
  const listeners = await Promise.all([
    healthzBind && serveProxyEndpoints(healthzBind, health),
    metricsBind && serveProxyEndpoints(metricsBind, health, registry),
  ]);
  try {
    await proxier.run(stopOnSignals('proxy'));
  } finally {
    await Promise.all(listeners.map((l) => l?.close()));
    client.close();
  }
}
