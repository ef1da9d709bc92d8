import { log } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
/** The rollback request of extensions/v1beta1, carried in apps/v1 as an annotation. */
export const ROLLBACK_TO = 'deprecated.deployment.rollback.to';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Annotations that belong to the Deployment or the ReplicaSet itself, never copied between them. */
const notCopied = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO]);
export const copiedAnnotation = (key: string): boolean => !notCopied.has(key);

// The revision history annotation stays under this many characters (about 100 revisions).
const maxRevisionHistoryChars = 2000;

/** An object's revision; 0 when unset, NaN when not a number. */
export function revisionOf(obj: AnyObject): number {
  const value = obj.metadata.annotations?.[REVISION];
  if (value === undefined) return 0;
  return /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
}

/** The highest revision among the ReplicaSets, skipping any that is not a number. */
export function maxRevision(replicaSets: AnyObject[]): number {
  let max = 0;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (v > max) max = v;
  }
  return max;
}

/** The second highest revision: the one before the current (kube's LastRevision). */
export function lastRevision(replicaSets: AnyObject[]): number {
  let max = 0;
  let second = 0;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (Number.isNaN(v)) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) {
      second = v;
    }
  }
  return second;
}

function annotationsOf(obj: AnyObject): Record<string, string> {
  return (obj.metadata.annotations ??= {});
}

/** Sets the desired and max replicas annotations; true when they changed. */
export function setReplicasAnnotations(rs: AnyObject, desired: number, max: number): boolean {
  const annotations = annotationsOf(rs);
  let updated = false;
  for (const [key, value] of [[DESIRED_REPLICAS, String(desired)], [MAX_REPLICAS, String(max)]]) {
    if (annotations[key] !== value) {
      annotations[key] = value;
      updated = true;
    }
  }
  return updated;
}

export function replicasAnnotationsNeedUpdate(rs: AnyObject, desired: number, max: number): boolean {
  const annotations = rs.metadata.annotations;
  return !annotations || annotations[DESIRED_REPLICAS] !== String(desired) || annotations[MAX_REPLICAS] !== String(max);
}

/** An integer annotation of a ReplicaSet (desired-replicas, max-replicas), if it holds one. */
export function intAnnotation(rs: AnyObject, key: string): number | undefined {
  const value = rs.metadata.annotations?.[key];
  if (value === undefined || !/^[+-]?\d+$/.test(value)) return undefined;
  return Number(value);
}

/**
 * kube's SetNewReplicaSetAnnotations: copies the Deployment's annotations
 * (change-cause among them) onto its new ReplicaSet and raises the
 * ReplicaSet's revision to `newRevision` when it is lower; a ReplicaSet that
 * had a revision before (a rollback to it) remembers the old one in its
 * revision history. A ReplicaSet about to be made gets the replicas
 * annotations too. True when anything changed.
 */
export function setNewReplicaSetAnnotations(d: AnyObject, rs: AnyObject, newRevision: number, exists: boolean, desired: number, max: number): boolean {
  const annotations = annotationsOf(rs);
  let changed = false;
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (!copiedAnnotation(key) || annotations[key] === value) continue;
    annotations[key] = value;
    changed = true;
  }
  const oldRevision = annotations[REVISION];
  let oldRevisionNumber = 0;
  if (oldRevision !== undefined && oldRevision !== '') {
    if (!/^[+-]?\d+$/.test(oldRevision)) {
      log.info('the revision of the ReplicaSet is not a number; not updating it', { replicaSet: rs.metadata.name, revision: oldRevision });
      return false;
    }
    oldRevisionNumber = Number(oldRevision);
  }
  if (oldRevisionNumber < newRevision) {
    annotations[REVISION] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) appendRevisionHistory(annotations, oldRevision);
  }
  if (!exists && setReplicasAnnotations(rs, desired, max)) changed = true;
  return changed;
}

/** Adds a revision to the history, dropping the oldest ones while the list would be too long. */
function appendRevisionHistory(annotations: Record<string, string>, revision: string): void {
  const history = annotations[REVISION_HISTORY];
  if (!history) {
    annotations[REVISION_HISTORY] = revision;
    return;
  }
  const revisions = history.split(',');
  let total = history.length + revision.length + 1;
  let start = 0;
  while (total > maxRevisionHistoryChars && start < revisions.length) {
    total -= revisions[start].length + 1;
    start++;
  }
  if (total <= maxRevisionHistoryChars) annotations[REVISION_HISTORY] = [...revisions.slice(start), revision].join(',');
}

/** Sets the Deployment's revision annotation; true when it changed. */
export function setDeploymentRevision(d: AnyObject, revision: string): boolean {
  if ((d.metadata.annotations?.[REVISION] ?? '') === revision) return false;
  const annotations = annotationsOf(d);
  annotations[REVISION] = revision;
  return true;
}

/** The revision a rollback annotation asks for (0: the previous one); undefined when there is none or it is not a number. */
export function rollbackTo(d: AnyObject): number | undefined {
  const value = d.metadata.annotations?.[ROLLBACK_TO];
  if (!value || !/^[+-]?\d+$/.test(value)) return undefined;
  return Number(value);
}
