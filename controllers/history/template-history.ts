import { clone, deepEqual } from '../../api/deep-equal.js';
import type { LabelSelector } from '../../api/selectors/label-selector.js';
import type { KObject } from '../../api/kind.js';
import type { AnyObject } from '../../client/resource.js';
import { CONTROLLER_REVISION_HASH_LABEL, nextRevision, revisionsToTruncate, sortRevisions } from './controller-revision.js';
import type { RevisionHistory } from './revision-history.js';

/**
 * What a DaemonSet's or StatefulSet's ControllerRevision records (kube's
 * getPatch): its template as a strategic merge patch that replaces the
 * template whole. `kubectl rollout undo` sends exactly this back.
 */
export function templatePatch(parent: AnyObject): KObject {
  return { spec: { template: { ...clone(parent.spec.template ?? {}), $patch: 'replace' } } };
}

/** Match: the revision records the parent's current template. */
export const matchesTemplate = (parent: AnyObject, revision: AnyObject): boolean => deepEqual(templatePatch(parent), revision.data);

/** The pod template a revision records. */
export function revisionTemplate(revision: AnyObject): KObject {
  const { $patch: _replace, ...template } = clone(revision.data?.spec?.template ?? {});
  return template;
}

/** The hash a revision is known by, which daemon pods of that revision carry. */
export const revisionHash = (revision: AnyObject): string => revision.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';

export interface TemplateHistory {
  current: AnyObject;
  old: AnyObject[];
  /** Revisions deleted as duplicates of the current one: their pods count as current. */
  duplicateHashes: string[];
  /** The collision count the DaemonSet's status must record. */
  collisionCount: number;
}

/**
 * constructHistory: a DaemonSet's or StatefulSet's revisions split into
 * the one matching its template (created when missing, renumbered to the newest when an old
 * template came back, duplicates removed) and the old ones.
 */
export async function constructHistory(history: RevisionHistory, parent: AnyObject, selector: LabelSelector): Promise<TemplateHistory> {
  const all = await history.list(parent, selector);
  const matching = all.filter((r) => matchesTemplate(parent, r));
  const old = all.filter((r) => !matchesTemplate(parent, r));
  const wanted = nextRevision(old);
  let collisionCount = parent.status?.collisionCount ?? 0;
  let current: AnyObject;
  const duplicateHashes: string[] = [];
  if (!matching.length) {
    ({ revision: current, collisionCount } = await history.create(parent, {
      templateLabels: parent.spec.template?.metadata?.labels, annotations: parent.metadata.annotations, data: templatePatch(parent), revision: wanted, collisionCount,
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

/** cleanupHistory: old revisions beyond revisionHistoryLimit go, oldest first, unless still in use. */
export async function cleanupHistory(history: RevisionHistory, parent: AnyObject, old: AnyObject[], inUse: (revision: AnyObject) => boolean): Promise<void> {
  const victims = revisionsToTruncate(old, parent.spec.revisionHistoryLimit ?? 10, inUse);
  for (const revision of victims) await history.delete(revision);
}
