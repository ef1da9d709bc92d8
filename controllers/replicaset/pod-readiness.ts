import type { AnyObject } from '../../client/resource.js';

/** A pod counts toward a controller's replicas until it terminates or is being deleted. */
export function isPodActive(pod: AnyObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

function readyCondition(pod: AnyObject): AnyObject | undefined {
  return (pod.status?.conditions as AnyObject[] | undefined)?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: AnyObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod became Ready (ms since the epoch); undefined unless it is Ready. */
export function podReadySince(pod: AnyObject): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True') return undefined;
  const at = Date.parse(c.lastTransitionTime ?? '');
  return Number.isNaN(at) ? undefined : at;
}

/**
 * How long until a Ready pod counts as available: 0 once it has been Ready
 * for more than minReadySeconds, undefined while it is not Ready at all.
 */
export function availableInMs(pod: AnyObject, minReadySeconds: number, nowMs: number): number | undefined {
  if (!isPodReady(pod)) return undefined;
  if (!minReadySeconds) return 0;
  const since = podReadySince(pod);
  // A Ready condition without a transition time never becomes available, as in kube.
  if (since === undefined) return Infinity;
  // kube's test is "since + minReady is strictly before now".
  const remaining = since + minReadySeconds * 1000 - nowMs;
  return remaining < 0 ? 0 : remaining + 1;
}

export function isPodAvailable(pod: AnyObject, minReadySeconds: number, nowMs: number): boolean {
  return availableInMs(pod, minReadySeconds, nowMs) === 0;
}
