import { loadKubeconfig } from '../../client/kubeconfig.js';
import { COMPONENT_FLAGS, componentSettings, stopOnSignals } from '../../component-base/component.js';
import { parseTypedFlags } from '../../component-base/flags.js';
import { CLOUD_CONTROLLER_MANAGER_COMPONENT, runCloudControllerManager } from '../../controllers/cloud/cloud-controller-manager.js';
import { CLOUD_CONTROLLER_MANAGER_DEFAULTS } from '../../controllers/cloud/cloud-context.js';
import { tryParseCidr } from '../../api/net.js';

const FLAGS = {
  ...COMPONENT_FLAGS,
  'cloud-provider': 'string',
  'cluster-name': 'string',
  region: 'string',
  controllers: 'list',
  'configure-cloud-routes': 'bool',
  'allocate-node-cidrs': 'bool',
  'cluster-cidr': 'string',
  'node-monitor-period': 'duration',
  'node-status-update-frequency': 'duration',
  'route-reconciliation-period': 'duration',
  'concurrent-service-syncs': 'int',
} as const;

/**
 * `skiff cloud-controller-manager --cloud-provider=aws --cluster-name=NAME
 * --kubeconfig=PATH [flags]`: the AWS cloud-controller-manager's role, until
 * SIGTERM, under leader election unless --leader-elect=false; exits 1 when
 * leadership is lost. The AWS endpoint comes from the SDK's own
 * configuration (AWS_ENDPOINT_URL and its per-service variants).
 */
export async function cloudControllerManagerCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, FLAGS);
  const provider = flags['cloud-provider'] ?? 'aws';
  if (provider !== 'aws') throw new Error(`--cloud-provider=${provider}: only aws is supported`);
  const clusterCidr = flags['cluster-cidr'];
  if (clusterCidr && !tryParseCidr(clusterCidr)) throw new Error(`--cluster-cidr: invalid CIDR ${clusterCidr}`);
  const configureCloudRoutes = flags['configure-cloud-routes'] ?? CLOUD_CONTROLLER_MANAGER_DEFAULTS.configureCloudRoutes;
  if (flags['allocate-node-cidrs'] && !clusterCidr) throw new Error('--allocate-node-cidrs needs --cluster-cidr');
  const serviceSyncs = flags['concurrent-service-syncs'];
  if (serviceSyncs !== undefined && serviceSyncs < 1) throw new Error('--concurrent-service-syncs must be at least 1');
  const settings = componentSettings(flags, CLOUD_CONTROLLER_MANAGER_COMPONENT);
  const config = loadKubeconfig({ path: settings.kubeconfig });
  const outcome = await runCloudControllerManager(config, stopOnSignals('cloud-controller-manager'), {
    controllers: flags.controllers ?? CLOUD_CONTROLLER_MANAGER_DEFAULTS.controllers,
    clusterName: flags['cluster-name'] ?? CLOUD_CONTROLLER_MANAGER_DEFAULTS.clusterName,
    region: flags.region,
    configureCloudRoutes,
    clusterCidr,
    nodeMonitorPeriodMs: flags['node-monitor-period'] ?? CLOUD_CONTROLLER_MANAGER_DEFAULTS.nodeMonitorPeriodMs,
    nodeStatusUpdateFrequencyMs: flags['node-status-update-frequency'] ?? CLOUD_CONTROLLER_MANAGER_DEFAULTS.nodeStatusUpdateFrequencyMs,
    routeReconciliationPeriodMs: flags['route-reconciliation-period'] ?? CLOUD_CONTROLLER_MANAGER_DEFAULTS.routeReconciliationPeriodMs,
    concurrentSyncs: serviceSyncs ? { service: serviceSyncs } : {},
  }, { settings });
  if (outcome === 'lost') process.exit(1);
}
