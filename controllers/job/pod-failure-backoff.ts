import type { AnyObject } from '../../client/resource.js';

/** kube's DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff: 10 s, doubling per failure, at most 6 minutes. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 360_000;

/** The wait before a replacement after `failures` failures in a row. */
export function podFailureBackoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(POD_FAILURE_BACKOFF_MS * 2 ** Math.min(failures - 1, 30), MAX_POD_FAILURE_BACKOFF_MS);
}

/**
 * When a finished pod finished: its containers' last termination, else its
 * Ready condition's last change, else its deletion or creation, as kube's
 * getFinishedTime falls back.
 */
export function podFinishedAt(pod: AnyObject): number {
  const ends = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]
    .map((c: AnyObject) => Date.parse(c.state?.terminated?.finishedAt ?? ''))
    .filter((t: number) => !Number.isNaN(t));
  if (ends.length) return Math.max(...ends);
  const ready = (pod.status?.conditions ?? []).find((c: AnyObject) => c.type === 'Ready');
  const at = Date.parse(ready?.lastTransitionTime ?? pod.metadata.deletionTimestamp ?? pod.metadata.creationTimestamp ?? '');
  return Number.isNaN(at) ? 0 : at;
}

/**
 * How long until a replacement may be made: the failures since the last
 * success among the pods still present, backed off from the latest of them.
 */
export function remainingBackoffMs(pods: AnyObject[], nowMs: number): number {
  const lastSuccess = Math.max(0, ...pods.filter((p) => p.status?.phase === 'Succeeded').map(podFinishedAt));
  const failures = pods.filter((p) => p.status?.phase === 'Failed').map(podFinishedAt).filter((t) => t >= lastSuccess);
  if (!failures.length) return 0;
  return Math.max(0, Math.max(...failures) + podFailureBackoffMs(failures.length) - nowMs);
}

/**
 * With restartPolicy OnFailure a failing container restarts in place, so
 * its restarts are the Job's failures (kube's pastBackoffLimitOnFailure).
 */
export function pastBackoffLimitOnFailure(job: AnyObject, active: AnyObject[]): boolean {
  if (job.spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of active) {
    for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
