import { deepEqual } from '../../api/deep-equal.js';
import { changedCondition, disruptionTarget } from '../../api/pod-status.js';
import { matchingTolerations, nodeTaints, type Taint, type Toleration } from '../../api/taints.js';
import { isNotFound } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import { patchPodStatus } from '../../client/patch-pod-status.js';
import type { AnyObject } from '../../client/resource.js';
import { NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { objectKey, splitKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerDescriptor } from '../controller.js';
import { indexPodsByNodeName, POD_NODE_NAME_INDEX } from '../pods-by-node.js';

// kube's UpdateWorkerSize.
const workers = 8;

const noExecuteTaints = (node: AnyObject | undefined): Taint[] => nodeTaints(node).filter((t) => t.effect === 'NoExecute');
const taintId = (t: Taint) => `${t.key}\0${t.effect}`;

/**
 * kube's taint eviction controller (pkg/controller/tainteviction): a pod on
 * a node with NoExecute taints it does not tolerate is deleted at once; one
 * whose tolerations for them all run out (tolerationSeconds) is deleted
 * when the first runs out, counted from when its taint was added; one
 * tolerating them for good stays. Keys are pods, queued again whenever
 * their node's NoExecute taints or their own tolerations change, so a
 * pending deletion is dropped when the taint goes first.
 */
export class TaintEvictionController {
  readonly queue = new WorkQueue<string>();
  /** Deletions waiting for a toleration to run out, by pod key: their deadline. */
  private readonly scheduled = new Map<string, number>();
  /** When this controller first saw each NoExecute taint, for taints that carry no timeAdded. */
  private readonly firstSeen = new Map<string, Map<string, number>>();

  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
    private readonly nodes: Informer,
    private readonly pods: Informer,
  ) {
    const podsOf = (name: string) => pods.store.indexKeys(POD_NODE_NAME_INDEX, name);
    nodes.addEventHandler({
      onAdd: (node) => this.nodeChanged(node, podsOf),
      onUpdate: (old, node) => {
        if (!deepEqual(noExecuteTaints(old), noExecuteTaints(node))) this.nodeChanged(node, podsOf);
      },
      onDelete: (node) => {
        this.firstSeen.delete(node.metadata.name!);
        for (const key of podsOf(node.metadata.name!)) this.queue.add(key);
      },
    });
    pods.addEventHandler({
      onAdd: (pod) => this.queue.add(objectKey(pod)),
      onUpdate: (old, pod) => {
        if (old.spec?.nodeName !== pod.spec?.nodeName || !deepEqual(old.spec?.tolerations, pod.spec?.tolerations)) this.queue.add(objectKey(pod));
      },
      onDelete: (pod) => this.queue.add(objectKey(pod)),
    });
  }

  readonly reconcile = async (key: string): Promise<ReconcileResult> => {
    const pod = this.pods.store.get(key);
    const nodeName: string | undefined = pod?.spec?.nodeName;
    if (!pod) return this.cancel(key);
    // Unbound, or already on its way out: nothing to evict.
    if (!nodeName || pod.metadata.deletionTimestamp) {
      this.scheduled.delete(key);
      return;
    }
    const taints = noExecuteTaints(this.nodes.store.get(nodeName));
    if (!taints.length) return this.cancel(key);
    const used = matchingTolerations(taints, pod.spec?.tolerations ?? []);
    const deadline = used ? this.deadline(nodeName, taints, used) : Date.now();
    if (deadline === Infinity) return this.cancel(key);
    const remaining = deadline - Date.now();
    if (remaining > 0) {
      this.scheduled.set(key, deadline);
      return { requeueAfter: remaining };
    }
    this.scheduled.delete(key);
    await this.evict(pod);
  };

  /**
   * When the pod's time is up: each taint's matching toleration allows
   * tolerationSeconds from when that taint was added (none set: forever;
   * zero or less: none at all); the earliest of these wins.
   */
  private deadline(nodeName: string, taints: Taint[], used: Toleration[]): number {
    let deadline = Infinity;
    taints.forEach((taint, i) => {
      const seconds = used[i].tolerationSeconds;
      if (seconds === undefined || seconds === null) return;
      const added = Date.parse(taint.timeAdded ?? '');
      const since = Number.isFinite(added) ? added : this.firstSeen.get(nodeName)?.get(taintId(taint)) ?? Date.now();
      deadline = Math.min(deadline, since + Math.max(0, seconds) * 1000);
    });
    return deadline;
  }

  private cancel(key: string): void {
    if (!this.scheduled.delete(key)) return;
    const { namespace, name } = splitKey(key);
    this.recorder.event(podRef({ metadata: { namespace, name } }), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  /** Marks the pod a disruption target (kube's DeletionByTaintManager), then deletes it with its grace period. */
  private async evict(cached: AnyObject): Promise<void> {
    const { name, namespace } = cached.metadata;
    this.recorder.event(podRef(cached), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    let pod: AnyObject;
    try {
      pod = await this.client.get(PODS, name!, { namespace });
      const condition = changedCondition(pod, disruptionTarget('DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint'));
      if (condition) await patchPodStatus(this.client, pod, { conditions: [condition] });
      await this.client.delete(PODS, name!, { namespace, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private nodeChanged(node: AnyObject, podsOf: (name: string) => string[]): void {
    const name = node.metadata.name!;
    const taints = noExecuteTaints(node);
    const before = this.firstSeen.get(name);
    const seen = new Map(taints.map((t) => [taintId(t), before?.get(taintId(t)) ?? Date.now()] as const));
    if (seen.size) this.firstSeen.set(name, seen);
    else this.firstSeen.delete(name);
    for (const key of podsOf(name)) this.queue.add(key);
  }
}

/** kube's eviction events name the pod by namespace and name only. */
const podRef = (pod: AnyObject): AnyObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace } });

export const taintEvictionController: ControllerDescriptor = {
  name: 'taint-eviction-controller', aliases: ['taint-eviction-controller'], enabledByDefault: true,
  create(ctx) {
    const nodes = ctx.informers.for(NODES);
    const pods = ctx.informers.for(PODS);
    indexPodsByNodeName(ctx.informers, pods);
    const c = new TaintEvictionController(ctx.client, ctx.recorder('taint-eviction-controller'), nodes, pods);
    return [{ name: 'taint-eviction', queue: c.queue, reconcile: c.reconcile, workers }];
  },
};
