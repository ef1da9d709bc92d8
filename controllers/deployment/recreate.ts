import { isPodTerminal } from '../../api/pod-status.js';
import type { AnyObject } from '../../client/resource.js';
import { syncRolloutStatus } from './progress.js';
import { actualReplicaCount, deploymentComplete, specReplicas } from './replica-math.js';
import { activeReplicaSets } from './replica-set-order.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, scaleReplicaSetAndRecordEvent, type SyncContext } from './sync.js';

/**
 * Whether any pod of an old ReplicaSet may still run: its ReplicaSet still
 * counts replicas, or a pod of it exists outside Succeeded and Failed
 * (terminating ones included: their containers may still be running).
 */
function oldPodsRunning(newRS: AnyObject | undefined, oldRSs: AnyObject[], podsByReplicaSet: Map<string, AnyObject[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByReplicaSet) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => !isPodTerminal(p))) return true;
  }
  return false;
}

/**
 * A Recreate step (kube's rolloutRecreate): scale every old ReplicaSet to
 * zero, wait until none of their pods is left running, and only then make
 * (or grow) the new ReplicaSet, so old and new pods never run together.
 */
export async function rolloutRecreate(ctx: SyncContext, d: AnyObject, rsList: AnyObject[], podsByReplicaSet: Map<string, AnyObject[]>): Promise<void> {
  // The new ReplicaSet is not made yet: it must not start pods before the old ones are down.
  let [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) {
    const [scaled, updated] = await scaleReplicaSetAndRecordEvent(ctx, rs, 0, d);
    if (!scaled) continue;
    scaledDown = true;
    oldRSs = oldRSs.map((o) => (o.metadata.uid === updated.metadata.uid ? updated : o));
  }
  if (scaledDown) return syncRolloutStatus(ctx, [...oldRSs, newRS], newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podsByReplicaSet)) return syncRolloutStatus(ctx, allRSs, newRS, d);
  if (!newRS) {
    [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true);
    allRSs = [...oldRSs, newRS];
  }
  await scaleReplicaSetAndRecordEvent(ctx, newRS!, specReplicas(d), d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(ctx, oldRSs, d);
  return syncRolloutStatus(ctx, allRSs, newRS, d);
}
