import { isPodActive, isPodReady, podReadySince } from '../../api/pod-status.js';
import type { AnyObject } from '../../client/resource.js';

/** The annotation users set to make some pods cheaper to remove on scale-down. */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** The pod's deletion cost; 0 when unset or not an int32 written without a sign or leading zeros. */
export function deletionCost(pod: AnyObject): number {
  const value = pod.metadata.annotations?.[POD_DELETION_COST];
  if (value === undefined || !/^(0|-?[1-9][0-9]*|-0[0-9]*)$/.test(value)) return 0;
  const n = Number(value);
  return Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

/** The highest restart count of regular containers, then of sidecars (init containers that always restart). */
function maxRestarts(pod: AnyObject): [number, number] {
  const regular = Math.max(0, ...((pod.status?.containerStatuses ?? []) as AnyObject[]).map((c) => c.restartCount ?? 0));
  const sidecars = new Set(((pod.spec?.initContainers ?? []) as AnyObject[]).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const sidecar = Math.max(0, ...((pod.status?.initContainerStatuses ?? []) as AnyObject[]).filter((c) => sidecars.has(c.name)).map((c) => c.restartCount ?? 0));
  return [regular, sidecar];
}

const created = (pod: AnyObject): number | undefined => {
  const at = Date.parse(pod.metadata.creationTimestamp ?? '');
  return Number.isNaN(at) ? undefined : at;
};

/** Go's afterOrZero: a missing time counts as later than any other. */
function laterOrMissing(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/** Ages bucketed by powers of two (LogarithmicScaleDown), compared in nanoseconds as kube does. */
function logRankDiff(a: number, b: number, nowMs: number): number {
  const rank = (t: number) => {
    const ns = (nowMs - t) * 1e6;
    return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
  };
  return rank(a) - rank(b);
}

/** Compares two timestamps where the one to delete first is the later (or missing) one, by log-scale age. */
function compareTimes(a: number | undefined, b: number | undefined, pa: AnyObject, pb: AnyObject, nowMs: number): number | undefined {
  if (a === b) return undefined;
  if (a === undefined || b === undefined) return laterOrMissing(a, b) ? -1 : 1;
  const diff = logRankDiff(a, b, nowMs);
  if (diff === 0) {
    const ua = pa.metadata.uid ?? '';
    const ub = pb.metadata.uid ?? '';
    return ua < ub ? -1 : ua > ub ? 1 : 0;
  }
  return diff < 0 ? -1 : 1;
}

/**
 * kube's ActivePodsWithRanks order: the pods to delete first sort first.
 * Unscheduled before scheduled; Pending before Unknown before Running; not
 * ready before ready; lower deletion cost first; more pods of the same owner
 * on the node (`rank`) first; ready for less time first; more restarts first;
 * newer first. Equal creation or ready times in the same power-of-two age
 * bucket are ordered by UID, so scale-downs spread over pods of similar age.
 */
export function comparePodsForDeletion(a: AnyObject, b: AnyObject, rankA: number, rankB: number, nowMs: number): number {
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (!nodeA || !nodeB)) return !nodeA ? -1 : 1;
  const phaseA = phaseOrdinal[a.status?.phase] ?? 0;
  const phaseB = phaseOrdinal[b.status?.phase] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA - costB;
  if (rankA !== rankB) return rankB - rankA;
  if (readyA && readyB) {
    const byReady = compareTimes(podReadySince(a), podReadySince(b), a, b, nowMs);
    if (byReady) return byReady;
  }
  const [regularA, sidecarA] = maxRestarts(a);
  const [regularB, sidecarB] = maxRestarts(b);
  if (regularA !== regularB) return regularB - regularA;
  if (sidecarA !== sidecarB) return sidecarB - sidecarA;
  return compareTimes(created(a), created(b), a, b, nowMs) ?? 0;
}

/**
 * The `count` pods to delete from `pods`, ranking each by how many active
 * pods of `related` (the pods of every ReplicaSet with the same owner) share
 * its node, so doubled-up nodes shrink first.
 */
export function podsToDelete(pods: AnyObject[], related: AnyObject[], count: number, nowMs = Date.now()): AnyObject[] {
  if (count >= pods.length) return pods.slice(0, count);
  const onNode = new Map<string, number>();
  for (const pod of related) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((x, y) => comparePodsForDeletion(x.pod, y.pod, x.rank, y.rank, nowMs));
  return ranked.slice(0, count).map((r) => r.pod);
}
