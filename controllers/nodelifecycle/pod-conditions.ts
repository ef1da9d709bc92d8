import { now } from '../../api/time.js';
import type { AnyObject } from '../../client/resource.js';
import { PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

export const podCondition = (pod: AnyObject, type: string): PodCondition | undefined =>
  (Array.isArray(pod.status?.conditions) ? pod.status.conditions : []).find((c: AnyObject) => c?.type === type);

/**
 * kube's UpdatePodCondition: the condition as it will be stored (its
 * transition time kept when the status stays, now otherwise), or undefined
 * when the pod already carries exactly that.
 */
export function changedCondition(pod: AnyObject, wanted: PodCondition): PodCondition | undefined {
  const old = podCondition(pod, wanted.type);
  const next: PodCondition = { ...wanted, lastTransitionTime: old && old.status === wanted.status ? old.lastTransitionTime : now() };
  if (!old) return next;
  const same = old.status === next.status && (old.reason ?? '') === (next.reason ?? '') && (old.message ?? '') === (next.message ?? '')
    && (old.lastProbeTime ?? null) === (next.lastProbeTime ?? null) && (old.lastTransitionTime ?? null) === (next.lastTransitionTime ?? null);
  return same ? undefined : next;
}

/**
 * Writes conditions (merged by type) and other status fields through
 * pods/status, for the pod with this uid only: kube's PatchPodStatus.
 */
export async function patchPodStatus(client: RestClient, pod: AnyObject, status: { phase?: string; conditions?: PodCondition[] }): Promise<AnyObject> {
  return client.patch(PODS, pod.metadata.name!, 'strategic', { metadata: { uid: pod.metadata.uid }, status }, { namespace: pod.metadata.namespace, subresource: 'status' });
}

/** The DisruptionTarget condition kube adds before a controller deletes a pod. */
export const disruptionTarget = (reason: string, message: string): PodCondition => ({ type: 'DisruptionTarget', status: 'True', reason, message });
