import { clone } from '../../api/deep-equal.js';
import { nodeCondition, zoneKey, type NodeCondition } from '../../api/node-status.js';
import { nodeTaints, taintExists, type Taint } from '../../api/taints.js';
import {
  LABEL_ARCH, LABEL_ARCH_BETA, LABEL_NODE_EXCLUDE_DISRUPTION, LABEL_OS, LABEL_OS_BETA, NAMESPACE_NODE_LEASE, TAINT_NODE_UNSCHEDULABLE,
} from '../../api/well-known.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import { log, logError } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { LEASES, NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { parallelize } from '../../client/parallelize.js';
import { objectKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { enqueueFrom, type ControllerContext, type ControllerDescriptor, type ControllerManagerOptions } from '../controller.js';
import { recordNodeEvent, recordNodeStatusChange } from '../node-events.js';
import { indexPodsByNodeName, POD_NODE_NAME_INDEX } from '../pods-by-node.js';
import { CONDITION_TAINT_KEYS, CONDITION_TAINTS, NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE } from './condition-taints.js';
import { markPodsNotReady } from './mark-pods-not-ready.js';
import { NodeHealthTracker, type NodeReadyConditions } from './node-health.js';
import { RateLimitedQueue, type TryOutcome } from './rate-limited-queue.js';
import { swapNodeTaints } from './swap-node-taints.js';
import { computeZoneState, type ZoneState } from './zones.js';

// The monitor queue's two keys: they share one worker, so the zone queues are never used by two passes at once.
const MONITOR_NODE_HEALTH = 'monitor-node-health';
const NO_EXECUTE_TAINTING = 'no-execute-tainting';
// kube's NodeEvictionPeriod: how often waiting zone queues are tried.
const nodeEvictionPeriodMs = 100;
// kube's NodeHealthUpdateRetry.
const healthUpdateAttempts = 5;
// kube's nodeUpdateWorkerSize and podUpdateWorkerSize.
const nodeWorkers = 8;
const podWorkers = 4;

/** The beta OS and arch labels, kept equal to their stable forms (kube's labelReconcileInfo). */
const RECONCILED_LABELS: [primary: string, secondary: string][] = [
  [LABEL_OS, LABEL_OS_BETA],
  [LABEL_ARCH, LABEL_ARCH_BETA],
];

/** A zone's health as last computed, and its queue of nodes waiting for their NoExecute taint: made and dropped together. */
interface Zone {
  state: ZoneState;
  tainter: RateLimitedQueue;
}

type Options = Pick<ControllerManagerOptions,
  'nodeMonitorPeriodMs' | 'nodeMonitorGracePeriodMs' | 'nodeStartupGracePeriodMs' | 'nodeEvictionRate' | 'secondaryNodeEvictionRate' | 'largeClusterSizeThreshold' | 'unhealthyZoneThreshold'>;

/**
 * kube's node lifecycle controller (pkg/controller/nodelifecycle). Every
 * --node-monitor-period it updates each node's health from its Lease and
 * Ready heartbeats, marks a silent node's conditions Unknown, queues
 * unhealthy nodes per zone for their NoExecute taint (rate-limited, and
 * stopped when every zone is down), and marks pods on a node that stopped
 * being Ready not Ready. On every node change it keeps the NoSchedule taints
 * in line with the node's conditions and spec.unschedulable.
 */
export class NodeLifecycleController {
  readonly nodeQueue = new WorkQueue<string>();
  readonly podQueue = new WorkQueue<string>();
  readonly monitorQueue = new WorkQueue<string>();
  private readonly health: NodeHealthTracker;
  private readonly knownNodes = new Map<string, AnyObject>();
  private readonly zones = new Map<string, Zone>();
  private readonly nodesToRetry = new Set<string>();

  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
    private readonly nodes: Informer,
    private readonly pods: Informer,
    leases: Informer,
    private readonly opts: Options,
  ) {
    this.health = new NodeHealthTracker(
      { monitorGracePeriodMs: opts.nodeMonitorGracePeriodMs, startupGracePeriodMs: opts.nodeStartupGracePeriodMs },
      (name) => leases.store.get(`${NAMESPACE_NODE_LEASE}/${name}`),
    );
    enqueueFrom(nodes, this.nodeQueue, objectKey, { onDelete: false });
    pods.addEventHandler({
      onAdd: (pod) => {
        if (pod.spec?.nodeName) this.podQueue.add(objectKey(pod));
      },
      onUpdate: (old, pod) => {
        if (pod.spec?.nodeName && pod.spec.nodeName !== old.spec?.nodeName) this.podQueue.add(objectKey(pod));
      },
    });
    this.monitorQueue.add(MONITOR_NODE_HEALTH);
  }

  /**
   * The periodic passes: node health every monitor period, NoExecute
   * tainting while nodes wait for it. Like kube's wait.Until loops, a pass
   * that fails is logged and the next one comes after the same period,
   * never after the queue's backoff (which grows to many minutes).
   */
  readonly reconcileMonitor = async (key: string): Promise<ReconcileResult> => {
    if (key === NO_EXECUTE_TAINTING) {
      try {
        if (!(await this.noExecuteTaintingPass())) return;
      } catch (err) {
        logError(err, { controller: 'node-lifecycle', phase: 'NoExecute tainting pass' });
      }
      return { requeueAfter: nodeEvictionPeriodMs };
    }
    try {
      await this.monitorNodeHealth();
    } catch (err) {
      logError(err, { controller: 'node-lifecycle', phase: 'monitor node health' });
    }
    this.monitorQueue.add(NO_EXECUTE_TAINTING);
    return { requeueAfter: this.opts.nodeMonitorPeriodMs };
  };

  /** One node changed: its condition-derived NoSchedule taints and beta labels follow. */
  readonly reconcileNode = async (name: string): Promise<ReconcileResult> => {
    const node = this.nodes.store.get(name);
    if (!node) return;
    const wanted: Taint[] = [];
    const want = (key: string) => {
      const taint = { key, effect: 'NoSchedule' };
      if (!taintExists(wanted, taint)) wanted.push(taint);
    };
    for (const c of node.status?.conditions ?? []) {
      const key = CONDITION_TAINTS[c?.type]?.[c?.status];
      if (key) want(key);
    }
    if (node.spec?.unschedulable === true) want(TAINT_NODE_UNSCHEDULABLE);
    const managed = nodeTaints(node).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_NODE_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
    const add = wanted.filter((t) => !taintExists(managed, t));
    const remove = managed.filter((t) => !taintExists(wanted, t));
    if ((add.length || remove.length) && !(await swapNodeTaints(this.client, node, add, remove))) return;

    const labels: Record<string, string> = node.metadata.labels ?? {};
    const update: Record<string, string> = {};
    for (const [primary, secondary] of RECONCILED_LABELS) {
      if (primary in labels && labels[secondary] !== labels[primary]) update[secondary] = labels[primary];
    }
    if (Object.keys(update).length) await this.client.patch(NODES, name, 'merge', { metadata: { labels: update } });
  };

  /** A pod landed on a node: if that node is not Ready, neither is the pod (kube's processPod). */
  readonly reconcilePod = async (key: string): Promise<ReconcileResult> => {
    const pod = this.pods.store.get(key);
    const nodeName: string | undefined = pod?.spec?.nodeName;
    if (!pod || !nodeName) return;
    const health = this.health.get(nodeName);
    // Not seen by a health pass yet, or gone: the next one covers it.
    if (!health) return;
    if (!this.nodes.store.has(nodeName)) throw new Error(`node ${nodeName} of pod ${key} is not in the cache yet`);
    const ready = nodeCondition(health.status, 'Ready');
    if (ready && ready.status !== 'True') await markPodsNotReady(this.client, this.recorder, [pod], nodeName);
  };

  private async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.store.list();
    const present = new Set(nodes.map((n) => n.metadata.name!));
    this.syncZones(nodes);
    for (const node of nodes) {
      const name = node.metadata.name!;
      if (this.knownNodes.has(name)) continue;
      recordNodeEvent(this.recorder, node, 'RegisteredNode', `Registered Node ${name} in Controller`);
      this.knownNodes.set(name, node);
      await this.markNodeAsReachable(node).catch((err) => logError(err, { controller: 'node-lifecycle', node: name, phase: 'remove taints of a new node' }));
    }
    for (const [name, node] of this.knownNodes) {
      if (present.has(name)) continue;
      recordNodeEvent(this.recorder, node, 'RemovingNode', `Removing Node ${name} from Controller`);
      this.knownNodes.delete(name);
      this.health.forget(name);
      this.nodesToRetry.delete(name);
      // It may have been queued in a zone it has since left.
      for (const zone of this.zones.values()) zone.tainter.remove(name);
    }

    const zoneConditions = new Map<string, (NodeCondition | undefined)[]>();
    await parallelize(nodes, nodeWorkers, (node) => this.monitorNode(node, zoneConditions));
    await this.handleDisruption(zoneConditions, nodes);
  }

  private async monitorNode(cached: AnyObject, zoneConditions: Map<string, (NodeCondition | undefined)[]>): Promise<void> {
    const name = cached.metadata.name!;
    let node = clone(cached);
    let readiness: NodeReadyConditions;
    for (let attempt = 1; ; attempt++) {
      try {
        // The written node's new resourceVersion lets a taint change right after it go through without a conflict.
        readiness = await this.health.tryUpdateNodeHealth(node, async (n) => {
          n.metadata.resourceVersion = (await this.client.updateStatus(NODES, n)).metadata.resourceVersion;
        });
        break;
      } catch (err) {
        if (attempt >= healthUpdateAttempts) {
          logError(err, { controller: 'node-lifecycle', node: name, phase: 'update node health; no pods will be evicted' });
          return;
        }
      }
      try {
        node = await this.client.get(NODES, name);
      } catch (err) {
        logError(err, { controller: 'node-lifecycle', node: name, phase: 'get node to retry its health update; probably deleted' });
        return;
      }
    }
    const { observedReadyCondition: observed, currentReadyCondition: current } = readiness;
    if (!(LABEL_NODE_EXCLUDE_DISRUPTION in (node.metadata.labels ?? {}))) {
      const zone = zoneKey(node.metadata.labels);
      zoneConditions.set(zone, [...(zoneConditions.get(zone) ?? []), current]);
    }
    if (current) {
      await this.processTaintBasedEviction(node, observed);
      const becameNotReady = current.status !== 'True' && observed.status === 'True';
      if (becameNotReady) recordNodeStatusChange(this.recorder, node, 'NodeNotReady');
      if (becameNotReady || (this.nodesToRetry.has(name) && observed.status !== 'True')) {
        try {
          await markPodsNotReady(this.client, this.recorder, this.pods.store.byIndex(POD_NODE_NAME_INDEX, name), name);
        } catch (err) {
          logError(err, { controller: 'node-lifecycle', node: name, phase: 'mark pods not ready; queued for retry' });
          this.nodesToRetry.add(name);
          return;
        }
      }
    }
    this.nodesToRetry.delete(name);
  }

  /** Queues an unhealthy node for its NoExecute taint, or swaps the taint at once when the other one is on; a healthy node loses both. */
  private async processTaintBasedEviction(node: AnyObject, observed: NodeCondition): Promise<void> {
    const name = node.metadata.name!;
    const fail = (phase: string) => (err: unknown) => logError(err, { controller: 'node-lifecycle', node: name, phase });
    switch (observed.status) {
      case 'False':
        if (taintExists(nodeTaints(node), UNREACHABLE_NO_EXECUTE)) {
          await swapNodeTaints(this.client, node, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE]).catch(fail('swap the unreachable taint for not-ready'));
        } else {
          this.markNodeForTainting(node, NOT_READY_NO_EXECUTE);
        }
        break;
      case 'Unknown':
        if (taintExists(nodeTaints(node), NOT_READY_NO_EXECUTE)) {
          await swapNodeTaints(this.client, node, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE]).catch(fail('swap the not-ready taint for unreachable'));
        } else {
          this.markNodeForTainting(node, UNREACHABLE_NO_EXECUTE);
        }
        break;
      case 'True':
        await this.markNodeAsReachable(node).catch(fail('remove NoExecute taints of a healthy node'));
        break;
    }
  }

  /** A node whose taint went missing starts over at the back of its zone's queue. */
  private markNodeForTainting(node: AnyObject, taint: Taint): void {
    // The node may have been read afresh during this pass, in a zone the cache has not shown yet.
    const { tainter } = this.zone(zoneKey(node.metadata.labels));
    if (!taintExists(nodeTaints(node), taint)) tainter.remove(node.metadata.name!);
    tainter.add(node.metadata.name!);
  }

  private async markNodeAsReachable(node: AnyObject): Promise<void> {
    await swapNodeTaints(this.client, node, [], [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE]);
    this.zones.get(zoneKey(node.metadata.labels))?.tainter.remove(node.metadata.name!);
  }

  /** The zone, made (state Initial, a queue at the eviction rate) the first time one of its nodes is seen. */
  private zone(key: string): Zone {
    let zone = this.zones.get(key);
    if (!zone) this.zones.set(key, (zone = { state: 'Initial', tainter: new RateLimitedQueue(this.opts.nodeEvictionRate) }));
    return zone;
  }

  /**
   * Every zone with a node in the cache exists; one whose last node is gone
   * goes, state and queue together. A zone only goes with its nodes, so its
   * waiting nodes and its rate limit outlast passes where none of its nodes
   * counted towards its health.
   */
  private syncZones(nodes: AnyObject[]): void {
    const inUse = new Set(nodes.map((n) => zoneKey(n.metadata.labels)));
    for (const key of inUse) this.zone(key);
    for (const key of this.zones.keys()) if (!inUse.has(key)) this.zones.delete(key);
  }

  /**
   * kube's handleDisruption: each zone's eviction rate follows its health;
   * when every zone is fully down the fault is more likely the control
   * plane's own view, so all NoExecute taints come off and evictions stop
   * until some node is Ready again.
   */
  private async handleDisruption(zoneConditions: Map<string, (NodeCondition | undefined)[]>, nodes: AnyObject[]): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [key, conditions] of zoneConditions) {
      const { state } = computeZoneState(conditions, this.opts.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allAreFullyDisrupted = false;
      newStates.set(key, state);
      this.zone(key);
    }
    // A zone none of whose nodes counted this pass (all excluded from disruption, or
    // none looked at) is left out, and starts over from Initial when they count again, as
    // in kube; its queue stays.
    let allWereFullyDisrupted = true;
    for (const [key, zone] of this.zones) {
      if (!newStates.has(key)) zone.state = 'Initial';
      else if (zone.state !== 'FullDisruption') allWereFullyDisrupted = false;
    }
    if (allAreFullyDisrupted && allWereFullyDisrupted) return;

    if (allAreFullyDisrupted) {
      log.info('Controller detected that all Nodes are not-Ready. Entering master disruption mode', { controller: 'node-lifecycle' });
      for (const node of nodes) {
        await this.markNodeAsReachable(node).catch((err) => logError(err, { controller: 'node-lifecycle', node: node.metadata.name, phase: 'remove NoExecute taints in disruption mode' }));
      }
      for (const key of newStates.keys()) {
        const zone = this.zone(key);
        zone.tainter.swapLimiter(0);
        zone.state = 'FullDisruption';
      }
      return;
    }
    if (allWereFullyDisrupted) {
      log.info('Controller detected that some Nodes are Ready. Exiting master disruption mode', { controller: 'node-lifecycle' });
      this.health.restartProbes(nodes.map((n) => n.metadata.name!));
    }
    for (const [key, next] of newStates) {
      const zone = this.zone(key);
      // Leaving disruption mode, every zone's rate is set afresh.
      if (!allWereFullyDisrupted) {
        if (zone.state === next) continue;
        log.info('Controller detected that zone is now in new state', { controller: 'node-lifecycle', zone: key.replace('\0', ''), state: next });
      }
      this.setLimiterInZone(zone, zoneConditions.get(key)!.length, next);
      zone.state = next;
    }
  }

  private setLimiterInZone(zone: Zone, size: number, state: ZoneState): void {
    if (state === 'Normal' || state === 'FullDisruption') zone.tainter.swapLimiter(this.opts.nodeEvictionRate);
    // A partially disrupted zone slows down when large and stops when small (kube's ReducedQPSFunc).
    else if (state === 'PartialDisruption') zone.tainter.swapLimiter(size > this.opts.largeClusterSizeThreshold ? this.opts.secondaryNodeEvictionRate : 0);
  }

  /** kube's doNoExecuteTaintingPass; answers whether nodes still wait in a running zone queue. */
  private async noExecuteTaintingPass(): Promise<boolean> {
    let waiting = false;
    for (const { tainter } of this.zones.values()) {
      await tainter.try(async ({ name }): Promise<TryOutcome> => {
        const node = this.nodes.store.get(name);
        if (!node) return { done: true };
        const ready = nodeCondition(node.status, 'Ready');
        if (!ready) return { done: false, retryAfterMs: 50 };
        // The two taints mirror Ready, so they never stand together.
        let swap: [Taint, Taint];
        if (ready.status === 'False') swap = [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE];
        else if (ready.status === 'Unknown') swap = [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE];
        else return { done: true };
        try {
          await swapNodeTaints(this.client, node, [swap[0]], [swap[1]]);
          return { done: true };
        } catch (err) {
          logError(err, { controller: 'node-lifecycle', node: name, phase: 'add NoExecute taint' });
          return { done: false, retryAfterMs: 0 };
        }
      });
      if (tainter.length && !tainter.stopped) waiting = true;
    }
    return waiting;
  }

}

export const nodeLifecycleController: ControllerDescriptor = {
  name: 'node-lifecycle-controller', aliases: ['nodelifecycle'], enabledByDefault: true,
  create(ctx: ControllerContext) {
    const nodes = ctx.informers.for(NODES);
    const pods = ctx.informers.for(PODS);
    indexPodsByNodeName(ctx.informers, pods);
    const leases = ctx.informers.for(LEASES, { namespace: NAMESPACE_NODE_LEASE });
    const c = new NodeLifecycleController(ctx.client, ctx.recorder('node-controller'), nodes, pods, leases, ctx.options);
    return [
      { name: 'node-lifecycle', queue: c.nodeQueue, reconcile: c.reconcileNode, workers: nodeWorkers },
      { name: 'node-lifecycle-pods', queue: c.podQueue, reconcile: c.reconcilePod, workers: podWorkers },
      { name: 'node-lifecycle-monitor', queue: c.monitorQueue, reconcile: c.reconcileMonitor, workers: 1 },
    ];
  },
};
