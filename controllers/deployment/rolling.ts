import { logError } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { syncRolloutStatus } from './progress.js';
import { availableReplicaCount, deploymentComplete, maxUnavailable, newRSNewReplicas, replicaCount, specReplicas } from './replica-math.js';
import { activeReplicaSets, byCreation } from './replica-set-order.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent, type SyncContext } from './sync.js';

/**
 * A RollingUpdate step (kube's rolloutRolling): grow the new ReplicaSet as
 * far as maxSurge allows, else shrink old ones as far as maxUnavailable
 * allows, one kind of move per sync; once complete, prune old ReplicaSets.
 */
export async function rolloutRolling(ctx: SyncContext, d: AnyObject, rsList: AnyObject[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true);
  const allRSs = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(ctx, allRSs, newRS!, d)) return syncRolloutStatus(ctx, allRSs, newRS, d);
  if (await reconcileOldReplicaSets(ctx, allRSs, activeReplicaSets(oldRSs), newRS!, d)) return syncRolloutStatus(ctx, allRSs, newRS, d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(ctx, oldRSs, d);
  return syncRolloutStatus(ctx, allRSs, newRS, d);
}

async function reconcileNewReplicaSet(ctx: SyncContext, allRSs: AnyObject[], newRS: AnyObject, d: AnyObject): Promise<boolean> {
  const replicas = specReplicas(d);
  if (specReplicas(newRS) === replicas) return false;
  if (specReplicas(newRS) > replicas) return (await scaleReplicaSetAndRecordEvent(ctx, newRS, replicas, d))[0];
  return (await scaleReplicaSetAndRecordEvent(ctx, newRS, newRSNewReplicas(d, allRSs, newRS), d))[0];
}

/**
 * Shrinks old ReplicaSets without dropping below replicas - maxUnavailable
 * available pods. Pods of the new ReplicaSet that are not available yet
 * count against the budget, so a broken new template cannot drain the old
 * ones; unhealthy old pods go first, since removing them costs no availability.
 */
async function reconcileOldReplicaSets(ctx: SyncContext, allRSs: AnyObject[], oldRSs: AnyObject[], newRS: AnyObject, d: AnyObject): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = replicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  // As in kube, a failed step here fails no sync: it is logged, and a later sync tries again.
  const failed = (phase: string) => (err: unknown): undefined => {
    logError(err, { controller: 'deployment', deployment: `${d.metadata.namespace}/${d.metadata.name}`, phase });
    return undefined;
  };
  const cleaned = await cleanupUnhealthyReplicas(ctx, oldRSs, d, maxScaledDown).catch(failed('scale down unhealthy replicas of old ReplicaSets'));
  if (!cleaned) return false;
  const scaledDown = await scaleDownOldReplicaSets(ctx, [...cleaned.oldRSs, newRS], cleaned.oldRSs, d).catch(failed('scale down old ReplicaSets'));
  if (scaledDown === undefined) return false;
  return cleaned.count + scaledDown > 0;
}

/** Scales old ReplicaSets down by their unavailable replicas, oldest first, at most `maxCleanup` in all. */
async function cleanupUnhealthyReplicas(ctx: SyncContext, oldRSs: AnyObject[], d: AnyObject, maxCleanup: number): Promise<{ oldRSs: AnyObject[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (const [i, rs] of sorted.entries()) {
    if (total >= maxCleanup) break;
    const replicas = specReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(maxCleanup - total, replicas - available);
    const newCount = replicas - count;
    if (newCount > replicas) throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${replicas} -> ${newCount}`);
    const [, updated] = await scaleReplicaSetAndRecordEvent(ctx, rs, newCount, d);
    total += count;
    sorted[i] = updated;
  }
  return { oldRSs: sorted, count: total };
}

/** Scales old ReplicaSets down, oldest first, by what availability above the minimum allows. */
async function scaleDownOldReplicaSets(ctx: SyncContext, allRSs: AnyObject[], oldRSs: AnyObject[], d: AnyObject): Promise<number> {
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    const replicas = specReplicas(rs);
    if (replicas === 0) continue;
    const count = Math.min(replicas, budget - total);
    await scaleReplicaSetAndRecordEvent(ctx, rs, replicas - count, d);
    total += count;
  }
  return total;
}
