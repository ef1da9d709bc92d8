import type { Reconcile } from '../client/controller-loop.js';
import type { EventRecorder } from '../client/event-recorder.js';
import type { Informer } from '../client/informer.js';
import type { KubeObject } from '../client/resource.js';
import type { RestClient } from '../client/rest-client.js';
import type { SharedInformers } from '../client/shared-informers.js';
import { objectKey } from '../client/store.js';
import type { WorkQueue } from '../client/workqueue.js';

/** What every set of controllers (the controller-manager's, the cloud-controller-manager's) is configured with. */
export interface ControllerSetOptions {
  /** --controllers: `*` for the defaults, a name to enable, `-name` to disable. */
  controllers: string[];
  /** --concurrent-*-syncs: workers per controller, by controller name. */
  concurrentSyncs: Record<string, number>;
}

/** kube-controller-manager's flags, where Skiff's meaning is the same. */
export interface ControllerManagerOptions extends ControllerSetOptions {
  /** --controllers: `*` for the defaults, a name to enable, `-name` to disable. */
  controllers: string[];
  /** --cluster-signing-cert-file / --cluster-signing-key-file: the CA that signs approved CSRs. */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  /** --root-ca-file: the bundle published to every namespace as kube-root-ca.crt; without it, the CA of the controller-manager's kubeconfig. */
  rootCaFile?: string;
  /** --allocate-node-cidrs with --cluster-cidr and --node-cidr-mask-size: podCIDRs for nodes. */
  allocateNodeCidrs: boolean;
  clusterCidr?: string;
  /** Unset means kube's default: 24 for IPv4, 64 for IPv6; dual-stack takes the -ipv4 / -ipv6 ones instead. */
  nodeCidrMaskSize?: number;
  nodeCidrMaskSizeIpv4?: number;
  nodeCidrMaskSizeIpv6?: number;
  /** --service-cluster-ip-range: kept out of node CIDRs when it overlaps the cluster CIDR. */
  serviceClusterIpRange?: string;
  /** --node-monitor-period, --node-monitor-grace-period, --node-startup-grace-period. */
  nodeMonitorPeriodMs: number;
  nodeMonitorGracePeriodMs: number;
  nodeStartupGracePeriodMs: number;
  /** --node-eviction-rate, --secondary-node-eviction-rate: nodes a second per zone whose NoExecute taints go on, when healthy and when partially disrupted. */
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  /** --large-cluster-size-threshold, --unhealthy-zone-threshold: when a zone counts as large, and as partially disrupted. */
  largeClusterSizeThreshold: number;
  unhealthyZoneThreshold: number;
  /** --terminated-pod-gc-threshold: finished pods kept before the oldest are deleted; 0 keeps them all. */
  terminatedPodGcThreshold: number;
  /** Pod GC's pass period and orphan quarantine: fixed in kube (20 s, 40 s) and only shortened by tests, so no flags. */
  podGcPeriodMs: number;
  podGcQuarantineMs: number;
  /** --concurrent-*-syncs: workers per controller, by controller name. */
  concurrentSyncs: Record<string, number>;
}

export const CONTROLLER_MANAGER_DEFAULTS: ControllerManagerOptions = {
  controllers: ['*'],
  allocateNodeCidrs: false,
  nodeMonitorPeriodMs: 5_000,
  // kube 1.32 moved its default to 50 s (kubernetes#126287); Skiff keeps the long-standing 40 s its users were promised.
  nodeMonitorGracePeriodMs: 40_000,
  nodeStartupGracePeriodMs: 60_000,
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
  terminatedPodGcThreshold: 12_500,
  podGcPeriodMs: 20_000,
  podGcQuarantineMs: 40_000,
  concurrentSyncs: {},
};

/** What every controller is built from: one client, the shared informers, events. */
export interface ControllerContext<O extends ControllerSetOptions = ControllerManagerOptions> {
  client: RestClient;
  informers: SharedInformers;
  options: O;
  /** An event recorder reporting as `component` (kube's "From" column: replicaset-controller, ...). */
  recorder(component: string): EventRecorder;
}

/** One work queue and the reconcile function that drains it. */
export interface Controller<K extends NonNullable<unknown> = string> {
  name: string;
  queue: WorkQueue<K>;
  reconcile: Reconcile<K>;
  workers: number;
}

/**
 * A controller as --controllers names it. `create` wires its handlers on
 * the shared informers and answers its queues (usually one); it answers
 * none when its options leave it nothing to do.
 */
export interface ControllerDescriptor<C extends ControllerContext<any> = ControllerContext> {
  /** kube's name (replicaset-controller); `aliases` are the short names --controllers also takes. */
  name: string;
  aliases: string[];
  enabledByDefault: boolean;
  create(ctx: C): Promise<Controller<any>[]> | Controller<any>[];
}

/** A controller's worker count: its --concurrent-*-syncs value, else its default. */
export function workersFor(ctx: ControllerContext<ControllerSetOptions>, name: string, fallback: number): number {
  return ctx.options.concurrentSyncs[name] ?? fallback;
}

/**
 * Queues a key for every add and update of the informer's objects (and
 * deletes, unless `onDelete` is false): by default the object's own
 * namespace/name; `key` may map an object to another key or to none.
 */
export function enqueueFrom<T extends KubeObject>(
  informer: Informer<T>,
  queue: WorkQueue<string>,
  key: (obj: T) => string | undefined | Array<string | undefined> = objectKey,
  opts: { onDelete?: boolean } = {},
): void {
  const add = (obj: T) => {
    for (const k of [key(obj)].flat()) if (k) queue.add(k);
  };
  informer.addEventHandler({ onAdd: add, onUpdate: (_old, obj) => add(obj), ...(opts.onDelete === false ? {} : { onDelete: add }) });
}
