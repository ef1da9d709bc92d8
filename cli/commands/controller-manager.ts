import { loadKubeconfig } from '../../client/kubeconfig.js';
import { COMPONENT_FLAGS, componentSettings, stopOnSignals } from '../../component-base/component.js';
import { CONTROLLER_MANAGER_COMPONENT, runControllerManager } from '../../controllers/controller-manager.js';
import { CONTROLLER_MANAGER_DEFAULTS } from '../../controllers/controller.js';
import { parseTypedFlags } from '../../component-base/flags.js';

const FLAGS = {
  ...COMPONENT_FLAGS,
  controllers: 'list',
  'cluster-signing-cert-file': 'string',
  'cluster-signing-key-file': 'string',
  'root-ca-file': 'string',
  'allocate-node-cidrs': 'bool',
  'cluster-cidr': 'string',
  'node-cidr-mask-size': 'int',
  'node-cidr-mask-size-ipv4': 'int',
  'node-cidr-mask-size-ipv6': 'int',
  'service-cluster-ip-range': 'string',
  'node-monitor-period': 'duration',
  'node-monitor-grace-period': 'duration',
  'node-startup-grace-period': 'duration',
  'node-eviction-rate': 'float',
  'secondary-node-eviction-rate': 'float',
  'large-cluster-size-threshold': 'int',
  'unhealthy-zone-threshold': 'float',
  'terminated-pod-gc-threshold': 'int',
  'concurrent-deployment-syncs': 'int',
  'concurrent-replicaset-syncs': 'int',
  'concurrent-endpoint-syncs': 'int',
  'concurrent-service-endpoint-syncs': 'int',
  'concurrent-gc-syncs': 'int',
  'concurrent-namespace-syncs': 'int',
} as const;

/** --concurrent-<name>-syncs flags by the controller queue they size. */
const CONCURRENCY: Record<string, string> = {
  'concurrent-deployment-syncs': 'deployment',
  'concurrent-replicaset-syncs': 'replicaset',
  'concurrent-endpoint-syncs': 'endpoints',
  'concurrent-service-endpoint-syncs': 'endpointslice',
  'concurrent-gc-syncs': 'garbagecollector',
  'concurrent-namespace-syncs': 'namespace',
};

/**
 * `skiff controller-manager --kubeconfig=PATH [kube-controller-manager flags]`:
 * runs the controllers until SIGTERM, under leader election unless
 * --leader-elect=false; exits 1 when leadership is lost.
 */
export async function controllerManagerCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, FLAGS);
  if (!flags['cluster-signing-cert-file'] !== !flags['cluster-signing-key-file']) throw new Error('--cluster-signing-cert-file and --cluster-signing-key-file go together');
  if (flags['allocate-node-cidrs'] && !flags['cluster-cidr']) throw new Error('--allocate-node-cidrs needs --cluster-cidr');
  const settings = componentSettings(flags, CONTROLLER_MANAGER_COMPONENT);
  const concurrentSyncs: Record<string, number> = {};
  for (const [flag, name] of Object.entries(CONCURRENCY)) {
    const n = flags[flag as keyof typeof flags] as number | undefined;
    if (n === undefined) continue;
    if (n < 1) throw new Error(`--${flag} must be at least 1`);
    concurrentSyncs[name] = n;
  }
  const config = loadKubeconfig({ path: settings.kubeconfig });
  const outcome = await runControllerManager(config, stopOnSignals('controller-manager'), {
    controllers: flags.controllers ?? CONTROLLER_MANAGER_DEFAULTS.controllers,
    clusterSigningCertFile: flags['cluster-signing-cert-file'],
    clusterSigningKeyFile: flags['cluster-signing-key-file'],
    rootCaFile: flags['root-ca-file'],
    allocateNodeCidrs: flags['allocate-node-cidrs'] ?? false,
    clusterCidr: flags['cluster-cidr'],
    nodeCidrMaskSize: flags['node-cidr-mask-size'],
    nodeCidrMaskSizeIpv4: flags['node-cidr-mask-size-ipv4'],
    nodeCidrMaskSizeIpv6: flags['node-cidr-mask-size-ipv6'],
    serviceClusterIpRange: flags['service-cluster-ip-range'],
    nodeMonitorPeriodMs: flags['node-monitor-period'] ?? CONTROLLER_MANAGER_DEFAULTS.nodeMonitorPeriodMs,
    nodeMonitorGracePeriodMs: flags['node-monitor-grace-period'] ?? CONTROLLER_MANAGER_DEFAULTS.nodeMonitorGracePeriodMs,
    nodeStartupGracePeriodMs: flags['node-startup-grace-period'] ?? CONTROLLER_MANAGER_DEFAULTS.nodeStartupGracePeriodMs,
    nodeEvictionRate: flags['node-eviction-rate'] ?? CONTROLLER_MANAGER_DEFAULTS.nodeEvictionRate,
    secondaryNodeEvictionRate: flags['secondary-node-eviction-rate'] ?? CONTROLLER_MANAGER_DEFAULTS.secondaryNodeEvictionRate,
    largeClusterSizeThreshold: flags['large-cluster-size-threshold'] ?? CONTROLLER_MANAGER_DEFAULTS.largeClusterSizeThreshold,
    unhealthyZoneThreshold: flags['unhealthy-zone-threshold'] ?? CONTROLLER_MANAGER_DEFAULTS.unhealthyZoneThreshold,
    terminatedPodGcThreshold: flags['terminated-pod-gc-threshold'] ?? CONTROLLER_MANAGER_DEFAULTS.terminatedPodGcThreshold,
    podGcPeriodMs: CONTROLLER_MANAGER_DEFAULTS.podGcPeriodMs,
    podGcQuarantineMs: CONTROLLER_MANAGER_DEFAULTS.podGcQuarantineMs,
    concurrentSyncs,
  }, { settings });
  if (outcome === 'lost') process.exit(1);
}
