import { isPodReady, podReadySince } from '../../api/pod-status.js';
import type { AnyObject } from '../../client/resource.js';

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
