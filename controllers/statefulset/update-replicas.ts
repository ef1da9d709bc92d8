import type { AnyObject } from '../../client/resource.js';
import { scaledValue } from '../deployment/replica-math.js';
import type { StatefulPodControl } from './stateful-pod-control.js';
import { isFinished, isHealthy, isRunningAndReady, isTerminating, parseOrdinal, podRevision, startOrdinal } from './stateful-pod.js';

export interface UpdateReplicasOptions {
  podControl: StatefulPodControl;
  nowMs: number;
  /** The pod of an ordinal, at the current revision (below a partition) or the update revision. */
  newPod(ordinal: number, useCurrent: boolean): AnyObject;
  updateRevision: string;
}

const ordinalOf = (pod: AnyObject): number => parseOrdinal(pod)!.ordinal;

/** maxUnavailable as a pod count over the replicas (percentages round up), never below one. */
function maxUnavailableOf(set: AnyObject, replicas: number): number {
  const value = set.spec.updateStrategy?.rollingUpdate?.maxUnavailable;
  return Math.max(1, value === undefined || value === null ? 1 : scaledValue(value, replicas, true));
}

/**
 * kube's updateStatefulSet, one step at a time: every ordinal in range gets
 * a pod (finished pods are deleted, to be made again under the same name
 * with the same claims), then pods beyond the range go, highest ordinal
 * first, then old pods are replaced from the highest ordinal down to the
 * partition. Under OrderedReady each step waits for the pods before it to
 * be Running and Ready and makes one change per sync; under Parallel every
 * creation and deletion happens at once. Rolling updates wait in both.
 */
export async function updateReplicas(set: AnyObject, pods: AnyObject[], opts: UpdateReplicasOptions): Promise<void> {
  const { podControl, nowMs, newPod, updateRevision } = opts;
  const monotonic = set.spec.podManagementPolicy !== 'Parallel';
  const minReady = set.spec.minReadySeconds ?? 0;
  const count = set.spec.replicas ?? 1;
  const start = startOrdinal(set);
  const rolling = set.spec.updateStrategy?.type === 'RollingUpdate';
  const partition = rolling ? set.spec.updateStrategy.rollingUpdate?.partition ?? 0 : 0;

  const replicas: Array<AnyObject | undefined> = new Array(count).fill(undefined);
  const condemned: AnyObject[] = [];
  for (const pod of pods) {
    const index = ordinalOf(pod) - start;
    if (index >= 0 && index < count) replicas[index] = pod;
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

  // Claims follow the retention policy: in range they stay with the set, beyond it they may go with their pod.
  for (const pod of replicas) if (pod) await podControl.updateClaimOwners(set, pod, true);
  for (const pod of condemned) await podControl.updateClaimOwners(set, pod, false);

  const creations: Array<Promise<void>> = [];
  for (let index = 0; index < count; index++) {
    const pod = replicas[index];
    if (pod && isFinished(pod)) {
      if (!isTerminating(pod)) await podControl.deletePod(set, pod);
      // Made again on a later sync, once the old one has left the API.
      if (monotonic) return;
      continue;
    }
    if (!pod) {
      const create = podControl.createPod(set, newPod(start + index, rolling && index < partition));
      if (monotonic) return create;
      creations.push(create);
      continue;
    }
    if (pod.status?.phase === 'Pending' && !isTerminating(pod)) await podControl.createMissingClaims(set, pod);
    if (monotonic && (isTerminating(pod) || !isHealthy(pod, minReady, nowMs))) return;
  }
  await Promise.all(creations);

  // Only the lowest unhealthy pod may be removed while unhealthy: a broken pod must not block a scale-down.
  const unhealthy = [...condemned].reverse().find((p) => !isHealthy(p, minReady, nowMs));
  const deletions: Array<Promise<void>> = [];
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return;
      continue;
    }
    if (monotonic && !isRunningAndReady(pod) && pod !== unhealthy) return;
    const deletion = podControl.deletePod(set, pod);
    if (monotonic) return deletion;
    deletions.push(deletion);
  }
  await Promise.all(deletions);
  if (!rolling) return;

  // Replacing old pods: at most maxUnavailable of the ordinals in range may be down at once, the highest go first.
  const live = replicas.filter((p): p is AnyObject => !!p);
  const unavailable = count - live.length + live.filter((p) => !isHealthy(p, minReady, nowMs)).length;
  let budget = maxUnavailableOf(set, count) - unavailable;
  for (let index = count - 1; index >= partition && budget > 0; index--) {
    const pod = replicas[index];
    if (!pod || isTerminating(pod) || podRevision(pod) === updateRevision) continue;
    await podControl.deletePod(set, pod);
    budget--;
  }
}
