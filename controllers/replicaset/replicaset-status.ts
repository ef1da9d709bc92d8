import { deepEqual } from '../../api/deep-equal.js';
import { isPodReady } from '../../api/pod-status.js';
import { selectorFromSet } from '../../api/selectors/label-selector.js';
import { now } from '../../api/time.js';
import type { AnyObject, ResourceRef } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';
import { availableInMs } from './pod-availability.js';

export const REPLICA_FAILURE = 'ReplicaFailure';

type Condition = Record<string, any>;

export interface ReplicaSetStatusResult {
  status: Record<string, any>;
  /** When the next ready pod becomes available (minReadySeconds), if any is waiting. */
  nextAvailableInMs?: number;
}

/**
 * kube's calculateStatus: counts of the active pods the ReplicaSet owns, and
 * a ReplicaFailure condition while creating or deleting pods fails (kept
 * from the first failure until a sync succeeds).
 */
export function calculateStatus(rs: AnyObject, pods: AnyObject[], manageError: unknown, nowMs = Date.now()): ReplicaSetStatusResult {
  const template = selectorFromSet(rs.spec.template?.metadata?.labels);
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  let nextAvailableInMs: number | undefined;
  for (const pod of pods) {
    if (template.matches(pod.metadata.labels)) fullyLabeled++;
    if (!isPodReady(pod)) continue;
    ready++;
    const wait = availableInMs(pod, minReadySeconds, nowMs);
    if (wait === 0) available++;
    else if (wait !== undefined && Number.isFinite(wait)) nextAvailableInMs = Math.min(nextAvailableInMs ?? wait, wait);
  }
  let conditions: Condition[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError && !failure) {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const message = manageError instanceof Error ? manageError.message : String(manageError);
    conditions.push({ type: REPLICA_FAILURE, status: 'True', lastTransitionTime: now(), reason, message });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: Record<string, any> = { ...rs.status, replicas: pods.length };
  setOrOmit(status, 'fullyLabeledReplicas', fullyLabeled);
  setOrOmit(status, 'readyReplicas', ready);
  setOrOmit(status, 'availableReplicas', available);
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
  return { status, nextAvailableInMs };
}

/** Zero counts are left out, as Go's omitempty writes them. */
function setOrOmit(status: Record<string, any>, field: string, value: number): void {
  if (value) status[field] = value;
  else delete status[field];
}

const sameCounts = (a: Record<string, any> | undefined, b: Record<string, any>) =>
  (a?.replicas ?? 0) === b.replicas && (a?.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0)
  && (a?.readyReplicas ?? 0) === (b.readyReplicas ?? 0) && (a?.availableReplicas ?? 0) === (b.availableReplicas ?? 0);

/**
 * Writes the status unless nothing changed and the generation was already
 * observed; when the write fails reads the ReplicaSet once more and tries
 * again (kube's single retry). Answers the ReplicaSet (or ReplicationController,
 * as `resource` says) as stored.
 */
export async function updateReplicaSetStatus(client: RestClient, resource: ResourceRef, rs: AnyObject, status: Record<string, any>): Promise<AnyObject> {
  const generation = rs.metadata.generation ?? 0;
  if (sameCounts(rs.status, status) && generation === (rs.status?.observedGeneration ?? 0)
    && deepEqual(rs.status?.conditions ?? [], status.conditions ?? [])) return rs;
  let current = rs;
  for (let attempt = 0; ; attempt++) {
    try {
      // The generation acted on is the one read at the start of the sync, even on the retry.
      return await client.updateStatus(resource, { ...current, status: { ...status, observedGeneration: generation } });
    } catch (err) {
      if (attempt >= 1) throw err;
      current = await client.get(resource, rs.metadata.name!, { namespace: rs.metadata.namespace });
    }
  }
}
