import { deepEqual } from '../../api/deep-equal.js';
import type { KObject } from '../../api/kind.js';
import type { AnyObject } from '../../client/resource.js';
import { STATEFUL_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { availableInMs } from '../replicaset/pod-availability.js';
import { isCreated, isRunningAndReady, isTerminating, podRevision } from './stateful-pod.js';

export interface StatefulSetStatusResult {
  status: KObject;
  /** When the next ready pod becomes available (minReadySeconds), if one is waiting. */
  nextAvailableInMs?: number;
}

/**
 * The status kube's updateStatefulSet computes from the set's pods: pods
 * made, ready and available, and those at each revision. A rolling update
 * is complete once every pod is updated and ready: the update revision then
 * becomes the current one.
 */
export function computeStatus(set: AnyObject, pods: AnyObject[], currentRevision: string, updateRevision: string, collisionCount: number, nowMs = Date.now()): StatefulSetStatusResult {
  const status: KObject = {
    observedGeneration: set.metadata.generation ?? 0,
    replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0,
    currentRevision, updateRevision, collisionCount,
  };
  const minReady = set.spec.minReadySeconds ?? 0;
  let nextAvailableInMs: number | undefined;
  for (const pod of pods) {
    if (!isCreated(pod)) continue;
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      const wait = availableInMs(pod, minReady, nowMs);
      if (wait === 0) status.availableReplicas++;
      else if (wait !== undefined && Number.isFinite(wait)) nextAvailableInMs = Math.min(nextAvailableInMs ?? wait, wait);
    }
    if (isTerminating(pod)) continue;
    if (podRevision(pod) === currentRevision) status.currentReplicas++;
    if (podRevision(pod) === updateRevision) status.updatedReplicas++;
  }
  if (set.spec.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = updateRevision;
  }
  // Zero counts are left out as Go's omitempty does, but for the two kube always writes.
  for (const c of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'observedGeneration', 'collisionCount']) if (!status[c]) delete status[c];
  if (set.status?.conditions) status.conditions = set.status.conditions;
  return { status, nextAvailableInMs };
}

/** updateStatefulSetStatus: writes the status unless nothing changed; one retry on a fresh read. */
export async function updateStatefulSetStatus(client: RestClient, set: AnyObject, status: KObject): Promise<void> {
  if (deepEqual(set.status ?? {}, status)) return;
  let current = set;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.updateStatus(STATEFUL_SETS, { ...current, status });
      return;
    } catch (err) {
      if (attempt >= 1) throw err;
      current = await client.get(STATEFUL_SETS, set.metadata.name!, { namespace: set.metadata.namespace });
    }
  }
}
