import type { AnyObject } from '../../client/resource.js';
import { availableInMs } from '../replicaset/pod-availability.js';
import { isPodUpdated } from './daemon-pod.js';

/** An int-or-percent of `total`; a DaemonSet rounds percentages up for both surge and unavailability. */
function scaledUp(value: unknown, total: number): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const m = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  if (!m) throw new Error(`invalid value for IntOrString: ${JSON.stringify(value)}`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

/**
 * updatedDesiredNodeCounts: maxSurge and maxUnavailable as node counts of
 * the `desired` nodes; when both come out 0 (a percentage of few nodes)
 * one node at a time may be unavailable, or the update would never move.
 */
export function updateBudget(ds: AnyObject, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate ?? {} : {};
  const maxSurge = scaledUp(ru.maxSurge, desired);
  let maxUnavailable = scaledUp(ru.maxUnavailable, desired);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

/** AllowsSurge: an updated pod may start beside the old one on its node. */
export function allowsSurge(ds: AnyObject): boolean {
  const ru = ds.spec.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate : undefined;
  return !!ru && scaledUp(ru.maxSurge, 1) !== 0;
}

export const isPodAvailable = (pod: AnyObject, minReadySeconds: number, nowMs: number): boolean => availableInMs(pod, minReadySeconds, nowMs) === 0;

/**
 * findUpdatedPodsOnNode: a node's live daemon pods as at most one of the
 * current revision and one older; undefined when there are more, which the
 * manage pass resolves first.
 */
function podsOnNode(pods: AnyObject[], hash: string): { newPod?: AnyObject; oldPod?: AnyObject } | undefined {
  let newPod: AnyObject | undefined;
  let oldPod: AnyObject | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { newPod, oldPod };
}

export interface RollingUpdatePlan {
  /** Old pods to delete (names); the manage pass then creates their replacements. */
  podsToDelete: string[];
  /** Nodes to start an updated pod on beside the old one (surge). */
  nodesToSurge: string[];
}

/**
 * One step of a DaemonSet's rolling update (kube's rollingUpdate), over the
 * daemon pods by node (every one of the `desired` nodes that should run
 * one is there, some with no pod). Without surge, old pods are deleted while the
 * nodes without an available current pod stay within maxUnavailable; an
 * old pod that is not available anyway goes at once. With surge, an updated
 * pod starts beside an old available one on up to maxSurge nodes at a time,
 * and the old one goes once the new one is available.
 */
export function planRollingUpdate(ds: AnyObject, nodeToPods: Map<string, AnyObject[]>, desired: number, hash: string, nowMs: number,
  stillEligible: (nodeName: string) => boolean): RollingUpdatePlan {
  const { maxSurge, maxUnavailable } = updateBudget(ds, desired);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const available = (pod: AnyObject) => isPodAvailable(pod, minReady, nowMs);
  if (maxSurge === 0) {
    let unavailable = 0;
    const replaceNow: string[] = [];
    const candidates: string[] = [];
    for (const pods of nodeToPods.values()) {
      const found = podsOnNode(pods, hash);
      if (!found) {
        unavailable++;
        continue;
      }
      const { newPod, oldPod } = found;
      if ((!newPod && !oldPod) || (newPod && oldPod)) unavailable++;
      else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (!available(oldPod!)) replaceNow.push(oldPod!.metadata.name!);
      else if (unavailable < maxUnavailable) candidates.push(oldPod!.metadata.name!);
    }
    const room = Math.min(Math.max(maxUnavailable - unavailable, 0), candidates.length);
    return { podsToDelete: [...replaceNow, ...candidates.slice(0, room)], nodesToSurge: [] };
  }

  const podsToDelete: string[] = [];
  const surgeNow: string[] = [];
  const candidates: string[] = [];
  let surging = 0;
  for (const [nodeName, pods] of nodeToPods) {
    const found = podsOnNode(pods, hash);
    if (!found) {
      surging++;
      continue;
    }
    const { newPod, oldPod } = found;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        // Nothing to keep available here: replace at once, or just remove it if the node no longer takes the daemon.
        if (!stillEligible(nodeName)) podsToDelete.push(oldPod.metadata.name!);
        else surgeNow.push(nodeName);
      } else if (surging < maxSurge) {
        candidates.push(nodeName);
      }
    } else if (!available(newPod)) {
      surging++;
    } else {
      podsToDelete.push(oldPod.metadata.name!);
    }
  }
  const room = Math.min(Math.max(maxSurge - surging, 0), candidates.length);
  return { podsToDelete, nodesToSurge: [...surgeNow, ...candidates.slice(0, room)] };
}
