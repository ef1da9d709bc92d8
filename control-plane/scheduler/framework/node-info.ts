import { nodeCondition } from '../../../api/node-status.js';
import type { LabelSelector } from '../../../api/selectors/label-selector.js';
import { nodeTaints, type Taint } from '../../../api/taints.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from '../../../api/well-known.js';
import type { AnyObject } from '../../../client/resource.js';
import type { PodInfo } from './pod-info.js';
import { addResource, emptyResource, nodeAllocatable, type Resource } from './resource.js';

let lastGeneration = 0;
const nextGeneration = () => ++lastGeneration;

/**
 * The taint kube's node lifecycle controller puts on a node whose Ready
 * condition is False (not-ready) or Unknown or missing (unreachable). The
 * scheduler assumes it at once, so a node that stopped reporting gets no
 * new pods before the controller has caught up, while pods that tolerate
 * it (DaemonSets) still fit.
 */
function readinessTaint(node: AnyObject): Taint | undefined {
  const ready = nodeCondition(node.status, 'Ready');
  if (ready?.status === 'True') return undefined;
  return { key: ready?.status === 'False' ? TAINT_NODE_NOT_READY : TAINT_NODE_UNREACHABLE, effect: 'NoSchedule' };
}

/**
 * Everything the filters and scores ask of one node, kept up to date as pods
 * come and go: allocatable as numbers, what its pods request, the host ports
 * they hold, which of them carry affinity terms. `generation` changes with
 * every change, so derived counts can be remembered between cycles.
 */
export class NodeInfo {
  node?: AnyObject;
  labels: Record<string, string> = {};
  unschedulable = false;
  /** Every taint of the node's spec. */
  taints: readonly Taint[] = [];
  /** The NoSchedule and NoExecute taints, with the one readiness implies: what the TaintToleration filter checks. */
  noScheduleTaints: readonly Taint[] = [];
  preferNoScheduleTaints: readonly Taint[] = [];
  allocatable: Resource = emptyResource();
  allowedPods = 0;
  readonly requested: Resource = emptyResource();
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  readonly pods: PodInfo[] = [];
  readonly podsWithAffinity: PodInfo[] = [];
  readonly podsWithRequiredAntiAffinity: PodInfo[] = [];
  readonly podsWithVolumes: PodInfo[] = [];
  /** protocol/port -> host IP -> pods holding it. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  generation = nextGeneration();
  private allocatableSource?: unknown;
  private readonly matchCounts = new Map<string, { generation: number; count: number }>();

  constructor(readonly name: string) {}

  setNode(node: AnyObject): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.unschedulable = node.spec?.unschedulable === true;
    const taints = nodeTaints(node);
    this.taints = taints;
    const noSchedule = taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
    const implied = readinessTaint(node);
    if (implied && !noSchedule.some((t) => t.key === implied.key && t.effect === implied.effect)) noSchedule.push(implied);
    this.noScheduleTaints = noSchedule;
    this.preferNoScheduleTaints = taints.filter((t) => t.effect === 'PreferNoSchedule');
    const allocatable = node.status?.allocatable;
    if (allocatable !== this.allocatableSource) {
      this.allocatableSource = allocatable;
      const parsed = nodeAllocatable(allocatable);
      this.allocatable = parsed.resource;
      this.allowedPods = parsed.allowedPods;
    }
    this.generation = nextGeneration();
  }

  addPod(pod: PodInfo): void {
    this.pods.push(pod);
    if (pod.hasPodAffinity) this.podsWithAffinity.push(pod);
    if (pod.requiredAntiAffinityTerms.length) this.podsWithRequiredAntiAffinity.push(pod);
    if (pod.usesVolumes) this.podsWithVolumes.push(pod);
    this.account(pod, 1);
  }

  /** Answers whether the pod was there. */
  removePod(uid: string): boolean {
    const pod = removeByUid(this.pods, uid);
    if (!pod) return false;
    removeByUid(this.podsWithAffinity, uid);
    removeByUid(this.podsWithRequiredAntiAffinity, uid);
    removeByUid(this.podsWithVolumes, uid);
    this.account(pod, -1);
    return true;
  }

  private account(pod: PodInfo, sign: 1 | -1): void {
    addResource(this.requested, pod.requests, sign);
    this.nonZeroMilliCPU += sign * pod.nonZeroMilliCPU;
    this.nonZeroMemory += sign * pod.nonZeroMemory;
    for (const p of pod.hostPorts) {
      const key = `${p.protocol}/${p.port}`;
      let ips = this.usedPorts.get(key);
      if (!ips) this.usedPorts.set(key, (ips = new Map()));
      const n = (ips.get(p.ip) ?? 0) + sign;
      if (n > 0) ips.set(p.ip, n);
      else ips.delete(p.ip);
      if (!ips.size) this.usedPorts.delete(key);
    }
    this.generation = nextGeneration();
  }

  /**
   * How many pods here, in `namespace` and not being deleted, `selector`
   * matches (countPodsMatchSelector); remembered under `memoKey` until the
   * node changes, since spreading asks for every node in every cycle.
   */
  countMatching(namespace: string, selector: LabelSelector, memoKey: string): number {
    const memo = this.matchCounts.get(memoKey);
    if (memo && memo.generation === this.generation) return memo.count;
    let count = 0;
    if (!selector.empty()) {
      for (const p of this.pods) {
        if (!p.deleting && p.namespace === namespace && selector.matches(p.labels)) count++;
      }
    }
    if (!memo && this.matchCounts.size >= 32) this.matchCounts.clear();
    this.matchCounts.set(memoKey, { generation: this.generation, count });
    return count;
  }
}

function removeByUid(list: PodInfo[], uid: string): PodInfo | undefined {
  const i = list.findIndex((p) => p.uid === uid);
  if (i < 0) return undefined;
  const [pod] = list.splice(i, 1);
  return pod;
}
