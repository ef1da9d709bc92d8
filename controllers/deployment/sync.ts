import { clone, deepEqual } from '../../api/deep-equal.js';
import { isControlledBy, newControllerRef } from '../../api/owner-references.js';
import { isAlreadyExists, isNamespaceTerminating, isNotFound } from '../../client/api-error.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { logError } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { DEPLOYMENTS, REPLICA_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Store } from '../../client/store.js';
import {
  DESIRED_REPLICAS, intAnnotation, maxRevision, replicasAnnotationsNeedUpdate, REVISION, rollbackTo, setDeploymentRevision,
  setNewReplicaSetAnnotations, setReplicasAnnotations,
} from './annotations.js';
import {
  FAILED_RS_CREATE_REASON, FOUND_NEW_RS_REASON, getCondition, MIN_AVAILABLE_REASON, MIN_UNAVAILABLE_REASON, newCondition,
  NEW_RS_REASON, PAUSED_REASON, RESUMED_REASON, setCondition, TIMED_OUT_REASON,
} from './conditions.js';
import { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH } from './pod-template-hash.js';
import {
  actualReplicaCount, availableReplicaCount, getProportion, isRollingUpdate, isSaturated, maxSurge, maxUnavailable,
  newRSNewReplicas, readyReplicaCount, replicaCount, specReplicas,
} from './replica-math.js';
import { activeReplicaSets, byRevision, bySizeNewer, bySizeOlder, findActiveOrLatest, findNewReplicaSet, findOldReplicaSets } from './replica-set-order.js';

/** What one sync of one Deployment works with. */
export interface SyncContext {
  client: RestClient;
  recorder: EventRecorder;
  /** The ReplicaSet cache, read when a create finds its name taken. */
  replicaSets: Store<AnyObject>;
  /** Set when the Deployment must be looked at again later (a progress deadline to check). */
  requeueAfter?: number;
}

/** progressDeadlineSeconds set to something other than "never" (MaxInt32). */
export const hasProgressDeadline = (d: AnyObject): boolean =>
  typeof d.spec.progressDeadlineSeconds === 'number' && d.spec.progressDeadlineSeconds !== 2 ** 31 - 1;

/**
 * Writes the Deployment's status (and, as the status subresource allows for
 * Deployments, its annotations). The sync goes on with the same object, so
 * it takes the new resourceVersion: a later write of this sync does not
 * conflict with its own earlier one.
 */
export async function updateDeploymentStatus(ctx: SyncContext, d: AnyObject): Promise<void> {
  const stored = await ctx.client.updateStatus(DEPLOYMENTS, d);
  d.metadata.resourceVersion = stored.metadata.resourceVersion;
}

/**
 * The new ReplicaSet (made when `create` and missing) and the old ones,
 * with the new one's revision raised above every old one's and copied onto
 * the Deployment (kube's getAllReplicaSetsAndSyncRevision).
 */
export async function getAllReplicaSetsAndSyncRevision(ctx: SyncContext, d: AnyObject, rsList: AnyObject[], create: boolean): Promise<[AnyObject | undefined, AnyObject[]]> {
  const oldRSs = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(ctx, d, rsList, oldRSs, create);
  return [newRS, oldRSs];
}

async function getNewReplicaSet(ctx: SyncContext, d: AnyObject, rsList: AnyObject[], oldRSs: AnyObject[], create: boolean): Promise<AnyObject | undefined> {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  const replicas = specReplicas(d);
  if (existing) {
    const rs = clone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rs, newRevision, true, replicas, replicas + maxSurge(d));
    const minReadySeconds = d.spec.minReadySeconds ?? 0;
    if (annotationsUpdated || (rs.spec.minReadySeconds ?? 0) !== minReadySeconds) {
      setMinReadySeconds(rs.spec, minReadySeconds);
      return ctx.client.update(REPLICA_SETS, rs);
    }
    let needsUpdate = setDeploymentRevision(d, rs.metadata.annotations?.[REVISION] ?? '');
    // A Deployment first seen by this controller mid-rollout starts its progress clock now.
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      d.status ??= {};
      setCondition(d.status, newCondition('Progressing', 'True', FOUND_NEW_RS_REASON, `Found new replica set "${rs.metadata.name}"`));
      needsUpdate = true;
    }
    if (needsUpdate) await updateDeploymentStatus(ctx, d);
    return rs;
  }
  if (!create) return undefined;

  const collisionCount: number | undefined = d.status?.collisionCount;
  const hash = computeHash(d.spec.template, collisionCount);
  const template = clone(d.spec.template);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash } };
  const selector = clone(d.spec.selector);
  selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH]: hash };
  const name = `${d.metadata.name}-${hash}`;
  const newRS: AnyObject = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    // The name follows from the template, so a create repeated on a stale cache meets the first one.
    metadata: { name, namespace: d.metadata.namespace, ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')], labels: template.metadata.labels },
    spec: { replicas: 0, selector, template },
  };
  setMinReadySeconds(newRS.spec, d.spec.minReadySeconds ?? 0);
  const newReplicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = newReplicas;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false, replicas, replicas + maxSurge(d));

  let created: AnyObject;
  let alreadyExists = false;
  try {
    created = await ctx.client.create(REPLICA_SETS, newRS);
  } catch (err) {
    if (isAlreadyExists(err)) {
      const found = ctx.replicaSets.get(`${d.metadata.namespace}/${name}`);
      if (!found) throw err;
      // Ours with our template: the cache was just behind. Anything else is a hash collision.
      if (isControlledBy(found, d) && equalIgnoreHash(d.spec.template, found.spec.template)) {
        created = found;
        alreadyExists = true;
      } else {
        d.status ??= {};
        d.status.collisionCount = (collisionCount ?? 0) + 1;
        // The next sync, with the new count, makes a ReplicaSet of another name; the create's error requeues it.
        await updateDeploymentStatus(ctx, d).catch((statusErr) => logError(statusErr, {
          controller: 'deployment', deployment: `${d.metadata.namespace}/${d.metadata.name}`, phase: 'record collisionCount after a ReplicaSet name collision', collisionCount: d.status.collisionCount,
        }));
        throw err;
      }
    } else {
      if (isNamespaceTerminating(err)) throw err;
      const message = `Failed to create new replica set "${name}": ${(err as Error).message}`;
      if (hasProgressDeadline(d)) {
        d.status ??= {};
        setCondition(d.status, newCondition('Progressing', 'False', FAILED_RS_CREATE_REASON, message));
        // The failure to create matters more than a failure to report it: that is only logged.
        await updateDeploymentStatus(ctx, d).catch((statusErr) => logError(statusErr, {
          controller: 'deployment', deployment: `${d.metadata.namespace}/${d.metadata.name}`, phase: `record condition ${FAILED_RS_CREATE_REASON}`,
        }));
      }
      ctx.recorder.event(d, 'Warning', FAILED_RS_CREATE_REASON, message);
      throw err;
    }
  }
  if (!alreadyExists && newReplicas > 0) {
    ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${newReplicas}`);
  }
  let needsUpdate = setDeploymentRevision(d, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    d.status ??= {};
    setCondition(d.status, newCondition('Progressing', 'True', NEW_RS_REASON, `Created new replica set "${created.metadata.name}"`));
    needsUpdate = true;
  }
  if (needsUpdate) await updateDeploymentStatus(ctx, d);
  return created;
}

/** Zero is left out, as Go's omitempty writes it, so an unchanged spec keeps its generation. */
function setMinReadySeconds(spec: Record<string, any>, seconds: number): void {
  if (seconds) spec.minReadySeconds = seconds;
  else delete spec.minReadySeconds;
}

/**
 * Resizes one ReplicaSet, keeping its desired/max replicas annotations in
 * step with the Deployment; answers whether its size changed and the
 * ReplicaSet as stored.
 */
export async function scaleReplicaSet(ctx: SyncContext, rs: AnyObject, newScale: number, d: AnyObject): Promise<[boolean, AnyObject]> {
  const oldScale = specReplicas(rs);
  const sizeNeedsUpdate = oldScale !== newScale;
  const desired = specReplicas(d);
  const max = desired + maxSurge(d);
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return [false, rs];
  const copy = clone(rs);
  copy.spec.replicas = newScale;
  setReplicasAnnotations(copy, desired, max);
  const updated = await ctx.client.update(REPLICA_SETS, copy);
  if (sizeNeedsUpdate) {
    const direction = oldScale < newScale ? 'up' : 'down';
    ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${updated.metadata.name} from ${oldScale} to ${newScale}`);
  }
  return [sizeNeedsUpdate, updated];
}

/** scaleReplicaSet, only when the size differs. */
export async function scaleReplicaSetAndRecordEvent(ctx: SyncContext, rs: AnyObject, newScale: number, d: AnyObject): Promise<[boolean, AnyObject]> {
  if (specReplicas(rs) === newScale) return [false, rs];
  return scaleReplicaSet(ctx, rs, newScale, d);
}

/**
 * A change of spec.replicas (or a paused Deployment) spreads replicas over
 * the ReplicaSets in proportion to their sizes, so a scale in the middle of
 * a rollout neither speeds it up nor adds risk (kube's scale).
 */
export async function scale(ctx: SyncContext, d: AnyObject, newRS: AnyObject | undefined, oldRSs: AnyObject[]): Promise<void> {
  const replicas = specReplicas(d);
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) {
    if (specReplicas(single) !== replicas) await scaleReplicaSetAndRecordEvent(ctx, single, replicas, d);
    return;
  }
  // A saturated new ReplicaSet (one adopted in that state, say) leaves nothing to the old ones.
  if (isSaturated(d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(ctx, old, 0, d);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - replicaCount(all);
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    if (toAdd === 0) {
      sizes.set(rs.metadata.name!, specReplicas(rs));
      continue;
    }
    const proportion = getProportion(rs, d, toAdd, added);
    sizes.set(rs.metadata.name!, specReplicas(rs) + proportion);
    added += proportion;
  }
  for (const [i, rs] of all.entries()) {
    let size = sizes.get(rs.metadata.name!)!;
    // Rounding leftovers go to the largest ReplicaSet.
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    await scaleReplicaSet(ctx, rs, size, d);
  }
}

/**
 * Deletes old ReplicaSets beyond revisionHistoryLimit, oldest revision
 * first, but only those already scaled to nothing with no pods left.
 */
export async function cleanupDeployment(ctx: SyncContext, oldRSs: AnyObject[], d: AnyObject): Promise<void> {
  const limit = d.spec.revisionHistoryLimit;
  if (typeof limit !== 'number' || limit === 2 ** 31 - 1) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - limit;
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (const rs of cleanable.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    try {
      await ctx.client.delete(REPLICA_SETS, rs.metadata.name!, { namespace: rs.metadata.namespace });
    } catch (err) {
      // Stop at the first failure rather than press on against an overloaded API server.
      if (!isNotFound(err)) throw err;
    }
  }
}

/** Fields of a status as Go's omitempty writes them: zero counts left out. */
function countsOnly(counts: Record<string, number>): Record<string, any> {
  return Object.fromEntries(Object.entries(counts).filter(([, v]) => v !== 0));
}

/** The Deployment's status from its ReplicaSets' (kube's calculateStatus). */
export function calculateStatus(allRSs: Array<AnyObject | undefined>, newRS: AnyObject | undefined, d: AnyObject): Record<string, any> {
  const available = availableReplicaCount(allRSs);
  const unavailable = Math.max(0, replicaCount(allRSs) - available);
  const status = countsOnly({
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
  });
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = [...d.status.conditions];
  if (available >= specReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', MIN_AVAILABLE_REASON, 'Deployment has minimum availability.'));
  } else {
    setCondition(status, newCondition('Available', 'False', MIN_UNAVAILABLE_REASON, 'Deployment does not have minimum availability.'));
  }
  return status;
}

export async function syncDeploymentStatus(ctx: SyncContext, allRSs: Array<AnyObject | undefined>, newRS: AnyObject | undefined, d: AnyObject): Promise<void> {
  const status = calculateStatus(allRSs, newRS, d);
  if (deepEqual(d.status ?? {}, status)) return;
  d.status = status;
  await updateDeploymentStatus(ctx, d);
}

/** A scale of a paused Deployment, or one whose size changed: proportional scaling only (kube's sync). */
export async function sync(ctx: SyncContext, d: AnyObject, rsList: AnyObject[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  await scale(ctx, d, newRS, oldRSs);
  if (d.spec.paused && rollbackTo(d) === undefined) await cleanupDeployment(ctx, oldRSs, d);
  await syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS, d);
}

/** A Deployment being deleted only has its status kept current. */
export async function syncStatusOnly(ctx: SyncContext, d: AnyObject, rsList: AnyObject[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  await syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS, d);
}

/** Whether spec.replicas changed since the active ReplicaSets were last sized (their desired-replicas annotation). */
export async function isScalingEvent(ctx: SyncContext, d: AnyObject, rsList: AnyObject[]): Promise<boolean> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, false);
  return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
    const desired = intAnnotation(rs, DESIRED_REPLICAS);
    return desired !== undefined && desired !== specReplicas(d);
  });
}

/**
 * Marks pausing and resuming in the Progressing condition (status Unknown),
 * so time spent paused never counts against the progress deadline. A
 * deadline already exceeded is left as reported.
 */
export async function checkPausedConditions(ctx: SyncContext, d: AnyObject): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === TIMED_OUT_REASON) return;
  const pausedCondition = cond?.reason === PAUSED_REASON;
  d.status ??= {};
  if (d.spec.paused && !pausedCondition) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', PAUSED_REASON, 'Deployment is paused'));
  } else if (!d.spec.paused && pausedCondition) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', RESUMED_REASON, 'Deployment is resumed'));
  } else {
    return;
  }
  await updateDeploymentStatus(ctx, d);
}
