import { isNodeReady } from '../../api/node-status.js';
import { changedCondition, disruptionTarget, isPodTerminal, type PodCondition } from '../../api/pod-status.js';
import { nodeTaints } from '../../api/taints.js';
import { TAINT_NODE_OUT_OF_SERVICE } from '../../api/well-known.js';
import { isNotFound } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { Informer } from '../../client/informer.js';
import { log, logError } from '../../client/log.js';
import { parallelize } from '../../client/parallelize.js';
import { patchPodStatus } from '../../client/patch-pod-status.js';
import type { AnyObject } from '../../client/resource.js';
import { NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerDescriptor, ControllerManagerOptions } from '../controller.js';

const GC = 'gc';
// Deletions in flight at once; kube starts them all together, this keeps a large backlog from flooding the client.
const deleteWorkers = 16;

type Options = Pick<ControllerManagerOptions, 'terminatedPodGcThreshold' | 'podGcPeriodMs' | 'podGcQuarantineMs'>;

/**
 * Pod GC's own isPodTerminated: any phase but Pending, Running and Unknown,
 * so a pod without a phase counts too (wider than isPodTerminal).
 */
const isTerminated = (pod: AnyObject): boolean => !['Pending', 'Running', 'Unknown'].includes(pod.status?.phase);
const isEvicted = (pod: AnyObject): boolean => pod.status?.phase === 'Failed' && pod.status?.reason === 'Evicted';

/** Evicted pods first (so pods controllers still count go last), then oldest first, then by name. */
function byEvictionAndCreation(a: AnyObject, b: AnyObject): number {
  if (isEvicted(a) !== isEvicted(b)) return isEvicted(a) ? -1 : 1;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const [na, nb] = [a.metadata.name ?? '', b.metadata.name ?? ''];
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * kube's pod garbage collector (pkg/controller/podgc), one pass every
 * period: finished pods beyond --terminated-pod-gc-threshold, oldest first;
 * terminating pods on a NotReady node tainted out-of-service; pods bound to
 * a node that is gone (missing from the cache for a quarantine, then
 * confirmed by a GET); terminating pods never bound. Each is marked Failed
 * first (an orphan also gets DisruptionTarget) and force-deleted.
 */
export class PodGcController {
  readonly queue = new WorkQueue<string>();
  /** Node names missing from the cache, and when their quarantine ends. */
  private readonly quarantine = new Map<string, number>();

  constructor(private readonly client: RestClient, private readonly nodes: Informer, private readonly pods: Informer, private readonly opts: Options) {
    this.queue.add(GC);
  }

  readonly reconcile = async (): Promise<ReconcileResult> => {
    const pods = this.pods.store.list();
    if (this.opts.terminatedPodGcThreshold > 0) await this.gcTerminated(pods);
    await this.gcTerminating(pods);
    await this.gcOrphaned(pods);
    await this.gcUnscheduledTerminating(pods);
    return { requeueAfter: this.opts.podGcPeriodMs };
  };

  private async gcTerminated(pods: AnyObject[]): Promise<void> {
    const terminated = pods.filter(isTerminated);
    const excess = terminated.length - this.opts.terminatedPodGcThreshold;
    if (excess <= 0) return;
    log.info('Garbage collecting pods', { controller: 'pod-garbage-collector', numPods: excess });
    await this.deleteAll(terminated.sort(byEvictionAndCreation).slice(0, excess), 'terminated');
  }

  private async gcTerminating(pods: AnyObject[]): Promise<void> {
    const outOfService = pods.filter((pod) => {
      if (!pod.metadata.deletionTimestamp) return false;
      const node = this.nodes.store.get(pod.spec?.nodeName ?? '');
      return node && !isNodeReady(node) && nodeTaints(node).some((t) => t.key === TAINT_NODE_OUT_OF_SERVICE);
    });
    await this.deleteAll(outOfService.sort(byEvictionAndCreation), 'terminating on an out-of-service node');
  }

  private async gcOrphaned(pods: AnyObject[]): Promise<void> {
    const now = Date.now();
    for (const pod of pods) {
      const nodeName = pod.spec?.nodeName;
      if (nodeName && !this.nodes.store.has(nodeName) && !this.quarantine.has(nodeName)) this.quarantine.set(nodeName, now + this.opts.podGcQuarantineMs);
    }
    const deleted = new Set<string>();
    for (const [nodeName, until] of this.quarantine) {
      if (until > now) continue;
      this.quarantine.delete(nodeName);
      if (this.nodes.store.has(nodeName)) continue;
      try {
        await this.client.get(NODES, nodeName);
      } catch (err) {
        if (isNotFound(err)) deleted.add(nodeName);
        else logError(err, { controller: 'pod-garbage-collector', node: nodeName, phase: 'check that the node is gone' });
      }
    }
    const orphans = pods.filter((pod) => deleted.has(pod.spec?.nodeName));
    await this.deleteAll(orphans, 'orphaned', disruptionTarget('DeletionByPodGC', 'PodGC: node no longer exists'));
  }

  private async gcUnscheduledTerminating(pods: AnyObject[]): Promise<void> {
    await this.deleteAll(pods.filter((pod) => pod.metadata.deletionTimestamp && !pod.spec?.nodeName), 'unscheduled and terminating');
  }

  private async deleteAll(pods: AnyObject[], why: string, condition?: PodCondition): Promise<void> {
    await parallelize(pods, deleteWorkers, async (pod) => {
      try {
        await this.markFailedAndDelete(pod, condition);
        log.info('PodGC force deleted pod', { controller: 'pod-garbage-collector', pod: `${pod.metadata.namespace}/${pod.metadata.name}`, reason: why });
      } catch (err) {
        if (!isNotFound(err)) logError(err, { controller: 'pod-garbage-collector', pod: `${pod.metadata.namespace}/${pod.metadata.name}`, phase: `delete ${why} pod` });
      }
    });
  }

  /** A pod nobody will finish (its node is gone or out of service) is marked Failed before it goes, so its owners see how it ended. */
  private async markFailedAndDelete(pod: AnyObject, condition?: PodCondition): Promise<void> {
    if (!isPodTerminal(pod)) {
      const changed = condition && changedCondition(pod, condition);
      await patchPodStatus(this.client, pod, { phase: 'Failed', ...(changed ? { conditions: [changed] } : {}) });
    }
    await this.client.delete(PODS, pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds: 0 });
  }
}

export const podGcController: ControllerDescriptor = {
  name: 'pod-garbage-collector-controller', aliases: ['podgc'], enabledByDefault: true,
  create(ctx) {
    const c = new PodGcController(ctx.client, ctx.informers.for(NODES), ctx.informers.for(PODS), ctx.options);
    return [{ name: 'podgc', queue: c.queue, reconcile: c.reconcile, workers: 1 }];
  },
};
