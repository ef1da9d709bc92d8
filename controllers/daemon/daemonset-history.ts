import { clone, deepEqual } from '../../api/deep-equal.js';
import type { LabelSelector } from '../../api/selectors/label-selector.js';
import type { KObject } from '../../api/kind.js';
import type { AnyObject } from '../../client/resource.js';
import { CONTROLLER_REVISION_HASH_LABEL, nextRevision, revisionsToTruncate, sortRevisions } from '../history/controller-revision.js';
import type { RevisionHistory } from '../history/revision-history.js';

/**
 * What a DaemonSet's ControllerRevision records (kube's getPatch): its
 * template as a strategic merge patch that replaces the template whole.
 * `kubectl rollout undo` sends exactly this back to the DaemonSet.
 */
export function daemonSetPatch(ds: AnyObject): KObject {
  return { spec: { template: { ...clone(ds.spec.template ?? {}), $patch: 'replace' } } };
}

/** Match: the revision records the DaemonSet's current template. */
export const matchesDaemonSet = (ds: AnyObject, revision: AnyObject): boolean => deepEqual(daemonSetPatch(ds), revision.data);

/** The hash a revision is known by, which daemon pods of that revision carry. */
export const revisionHash = (revision: AnyObject): string => revision.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';

export interface DaemonSetHistory {
  current: AnyObject;
  old: AnyObject[];
  /** Revisions deleted as duplicates of the current one: their pods count as current. */
  duplicateHashes: string[];
  /** The collision count the DaemonSet's status must record. */
  collisionCount: number;
}

/**
 * constructHistory: the DaemonSet's revisions split into the one matching
 * its template (created when missing, renumbered to the newest when an old
 * template came back, duplicates removed) and the old ones.
 */
export async function constructHistory(history: RevisionHistory, ds: AnyObject, selector: LabelSelector): Promise<DaemonSetHistory> {
  const all = await history.list(ds, selector);
  const matching = all.filter((r) => matchesDaemonSet(ds, r));
  const old = all.filter((r) => !matchesDaemonSet(ds, r));
  const wanted = nextRevision(old);
  let collisionCount = ds.status?.collisionCount ?? 0;
  let current: AnyObject;
  const duplicateHashes: string[] = [];
  if (!matching.length) {
    ({ revision: current, collisionCount } = await history.create(ds, {
      templateLabels: ds.spec.template?.metadata?.labels, annotations: ds.metadata.annotations, data: daemonSetPatch(ds), revision: wanted, collisionCount,
    }));
  } else {
    // Racing syncs may have made the same revision twice: the newest stays.
    const sorted = sortRevisions(matching);
    current = sorted.pop()!;
    for (const dup of sorted) {
      duplicateHashes.push(revisionHash(dup));
      await history.delete(dup);
    }
    if ((current.revision ?? 0) < wanted) current = await history.renumber(current, wanted);
  }
  return { current, old, duplicateHashes, collisionCount };
}

/** cleanupHistory: old revisions beyond revisionHistoryLimit go, oldest first, unless live pods still run them. */
export async function cleanupHistory(history: RevisionHistory, ds: AnyObject, old: AnyObject[], livePods: AnyObject[], hashLabel: string): Promise<void> {
  const live = new Set(livePods.map((p) => p.metadata.labels?.[hashLabel]).filter(Boolean));
  const victims = revisionsToTruncate(old, ds.spec.revisionHistoryLimit ?? 10, (r) => live.has(revisionHash(r)));
  for (const revision of victims) await history.delete(revision);
}
