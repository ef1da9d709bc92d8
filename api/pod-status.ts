import type { KObject } from './kind.js';
import { now } from './time.js';

/**
 * What a pod's status says of it, as kube's podutil reads it: conditions,
 * readiness, whether it finished, whether it still counts for its owner.
 */

/** A pod condition as the API carries it (Ready, PodScheduled, DisruptionTarget, ...). */
export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

/** podutil.GetPodCondition: the condition of this type in the pod's status. */
export function podCondition(pod: KObject, type: string): PodCondition | undefined {
  const conditions = pod.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  for (let i = 0; i < conditions.length; i++) if (conditions[i]?.type === type) return conditions[i];
  return undefined;
}

/** podutil.IsPodReady: the Ready condition is True. */
export const isPodReady = (pod: KObject): boolean => podCondition(pod, 'Ready')?.status === 'True';

/** When the pod became Ready (ms since the epoch); undefined unless it is Ready with a transition time. */
export function podReadySince(pod: KObject): number | undefined {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True') return undefined;
  const at = Date.parse(c.lastTransitionTime ?? '');
  return Number.isNaN(at) ? undefined : at;
}

/** podutil.IsPodTerminal: Succeeded or Failed, for good. */
export function isPodTerminal(pod: KObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** controller.IsPodActive: a pod counts toward its owner's replicas until it terminates or is being deleted. */
export const isPodActive = (pod: KObject): boolean => !isPodTerminal(pod) && !pod.metadata?.deletionTimestamp;

/**
 * podutil.UpdatePodCondition: the condition as it will be stored (its
 * transition time kept when the status stays, now otherwise), or undefined
 * when the pod already carries exactly that.
 */
export function changedCondition(pod: KObject, wanted: PodCondition): PodCondition | undefined {
  const old = podCondition(pod, wanted.type);
  const next: PodCondition = { ...wanted, lastTransitionTime: old && old.status === wanted.status ? old.lastTransitionTime : now() };
  if (!old) return next;
  const same = old.status === next.status && (old.reason ?? '') === (next.reason ?? '') && (old.message ?? '') === (next.message ?? '')
    && (old.lastProbeTime ?? null) === (next.lastProbeTime ?? null) && (old.lastTransitionTime ?? null) === (next.lastTransitionTime ?? null);
  return same ? undefined : next;
}

/** The DisruptionTarget condition kube adds before a controller deletes a pod. */
export const disruptionTarget = (reason: string, message: string): PodCondition => ({ type: 'DisruptionTarget', status: 'True', reason, message });
