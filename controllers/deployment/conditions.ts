import { now } from '../../api/time.js';

/** A Deployment condition as it is stored. */
export type Condition = Record<string, any>;
type Status = Record<string, any>;

// Reasons of the Progressing condition, as kube-controller-manager writes them.
export const NEW_RS_REASON = 'NewReplicaSetCreated';
export const FOUND_NEW_RS_REASON = 'FoundNewReplicaSet';
export const RS_UPDATED_REASON = 'ReplicaSetUpdated';
export const NEW_RS_AVAILABLE_REASON = 'NewReplicaSetAvailable';
export const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';
export const PAUSED_REASON = 'DeploymentPaused';
export const RESUMED_REASON = 'DeploymentResumed';
export const FAILED_RS_CREATE_REASON = 'ReplicaSetCreateError';
// Reasons of the Available condition.
export const MIN_AVAILABLE_REASON = 'MinimumReplicasAvailable';
export const MIN_UNAVAILABLE_REASON = 'MinimumReplicasUnavailable';

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string): Condition {
  const at = now();
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

export function getCondition(status: Status | undefined, type: string): Condition | undefined {
  return (status?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
}

/**
 * kube's SetDeploymentCondition: a condition with the same status and
 * reason is left as it is; one with the same status keeps its transition time.
 */
export function setCondition(status: Status, condition: Condition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = current && current.status === condition.status ? { ...condition, lastTransitionTime: current.lastTransitionTime } : condition;
  status.conditions = [...((status.conditions as Condition[] | undefined) ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: Status, type: string): void {
  const left = ((status.conditions as Condition[] | undefined) ?? []).filter((c) => c.type !== type);
  if (left.length) status.conditions = left;
  else delete status.conditions;
}
