import { deepEqual } from '../../api/deep-equal.js';
import type { AnyObject } from '../../client/resource.js';
import {
  getCondition, newCondition, NEW_RS_AVAILABLE_REASON, removeCondition, RS_UPDATED_REASON, setCondition, TIMED_OUT_REASON, type Condition,
} from './conditions.js';
import { deploymentComplete, deploymentProgressing } from './replica-math.js';
import { calculateStatus, hasProgressDeadline, updateDeploymentStatus, type SyncContext } from './sync.js';

/** Whether the Progressing condition has gone without an update for longer than progressDeadlineSeconds. */
function timedOut(d: AnyObject, status: Record<string, any>, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(status, 'Progressing');
  if (!condition) return false;
  // A finished rollout is not measured again until a new one starts.
  if (condition.reason === NEW_RS_AVAILABLE_REASON) return false;
  if (condition.reason === TIMED_OUT_REASON) return true;
  const from = Date.parse(condition.lastUpdateTime ?? '');
  return from + d.spec.progressDeadlineSeconds * 1000 < nowMs;
}

/** A ReplicaSet's ReplicaFailure condition, as the Deployment reports it; the new ReplicaSet's first. */
function replicaFailures(allRSs: Array<AnyObject | undefined>, newRS: AnyObject | undefined): Condition[] {
  const failures = (list: Array<AnyObject | undefined>) => list.flatMap((rs) => ((rs?.status?.conditions ?? []) as Condition[])
    .filter((c) => c.type === 'ReplicaFailure')
    .map((c) => ({ type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message })));
  const fromNew = failures([newRS]);
  return fromNew.length ? fromNew : failures(allRSs);
}

/**
 * kube's syncRolloutStatus: the status of a rollout in progress, with the
 * Progressing condition saying whether the new ReplicaSet is done
 * (NewReplicaSetAvailable), moving (ReplicaSetUpdated) or stuck beyond the
 * progress deadline (ProgressDeadlineExceeded). When nothing changed, asks
 * to be synced again when the deadline would pass.
 */
export async function syncRolloutStatus(ctx: SyncContext, allRSs: Array<AnyObject | undefined>, newRS: AnyObject | undefined, d: AnyObject): Promise<void> {
  const status = calculateStatus(allRSs, newRS, d);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && current?.reason === NEW_RS_AVAILABLE_REASON;
  const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', NEW_RS_AVAILABLE_REASON, `${subject} has successfully progressed.`));
    } else if (deploymentProgressing(d, status)) {
      // Progress moves lastUpdateTime even when the reason stays the same, which setCondition alone would not.
      const condition = newCondition('Progressing', 'True', RS_UPDATED_REASON, `${subject} is progressing.`);
      if (current) {
        if (current.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, condition);
    } else if (timedOut(d, status, Date.now())) {
      setCondition(status, newCondition('Progressing', 'False', TIMED_OUT_REASON, `${subject} has timed out progressing.`));
    }
  }
  const [failure] = replicaFailures(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, 'ReplicaFailure');

  if (deepEqual(d.status ?? {}, status)) {
    requeueStuckDeployment(ctx, d, status);
    return;
  }
  d.status = status;
  await updateDeploymentStatus(ctx, d);
}

/**
 * A rollout with no sign of progress has nothing to wake its Deployment up
 * when its deadline passes: ask for a sync then (a second late, as kube does
 * against clock skew between seconds-precision timestamps).
 */
function requeueStuckDeployment(ctx: SyncContext, d: AnyObject, status: Record<string, any>): void {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return;
  if (deploymentComplete(d, status) || current.reason === TIMED_OUT_REASON) return;
  const after = Date.parse(current.lastUpdateTime ?? '') + d.spec.progressDeadlineSeconds * 1000 - Date.now();
  const wait = Math.max(after, 0) + 1000;
  ctx.requeueAfter = Math.min(ctx.requeueAfter ?? wait, wait);
}
