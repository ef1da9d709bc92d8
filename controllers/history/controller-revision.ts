import { deepEqual } from '../../api/deep-equal.js';
import { newControllerRef } from '../../api/owner-references.js';
import type { AnyObject } from '../../client/resource.js';
import { computeHash } from '../deployment/pod-template-hash.js';

/** The label every ControllerRevision carries with the hash of its data (kube's ControllerRevisionHashLabel). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

// A revision's name is "<parent>-<hash>" and must stay a DNS subdomain of 253 characters: the parent's part is cut at 223.
const MAX_PREFIX_LENGTH = 223;

/** ControllerRevisionName: "<prefix>-<hash>", the prefix shortened so the name stays valid. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, MAX_PREFIX_LENGTH)}-${hash}`;
}

/**
 * HashControllerRevision: the hash of a revision's data, moved on by the
 * parent's collisionCount so that a name taken by different data can be
 * left for another.
 */
export function hashControllerRevision(data: unknown, collisionCount?: number): string {
  // computeHash hashes any JSON value canonically; a revision's data is wrapped so it is always an object.
  return computeHash({ data } as unknown as AnyObject, collisionCount);
}

/** What a new revision records. */
export interface RevisionSpec {
  /** The parent's pod template labels: the parent's selector finds its revisions by them. */
  templateLabels?: Record<string, string>;
  /** The parent's annotations, for those that copy them (a DaemonSet's change-cause shows in rollout history). */
  annotations?: Record<string, string>;
  data: unknown;
  revision: number;
  collisionCount?: number;
}

/**
 * NewControllerRevision: a revision of `data` controlled by `parent`,
 * labelled as the parent's pods are (so the parent's selector finds it,
 * as kubectl's rollout history looks for it) and with its hash, named
 * after both.
 */
export function newControllerRevision(parent: AnyObject, parentKind: { apiVersion: string; kind: string }, spec: RevisionSpec): AnyObject {
  const { templateLabels, annotations, data, revision, collisionCount } = spec;
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.metadata.name!, hash),
      namespace: parent.metadata.namespace,
      labels: { ...templateLabels, [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
      ownerReferences: [newControllerRef(parent, parentKind.apiVersion, parentKind.kind)],
    },
    data,
    revision,
  };
}

/** EqualRevision: the same data (hash labels, when both have one, must agree first). */
export function equalRevision(a: AnyObject | undefined, b: AnyObject | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha && hb && ha !== hb) return false;
  return deepEqual(a.data, b.data);
}

/** SortControllerRevisions: oldest first, by revision, then creation, then name. */
export function sortRevisions(revisions: AnyObject[]): AnyObject[] {
  return [...revisions].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0)
    || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '')
    || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** The number a new revision takes: one past the highest. */
export function nextRevision(revisions: AnyObject[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision ?? 0), 0) + 1;
}

/**
 * Which old revisions to delete so that at most `limit` are kept: the
 * oldest first, never one still in use (live pods run it).
 */
export function revisionsToTruncate(old: AnyObject[], limit: number, inUse: (revision: AnyObject) => boolean): AnyObject[] {
  let excess = old.length - limit;
  const victims: AnyObject[] = [];
  for (const revision of sortRevisions(old)) {
    if (excess <= 0) break;
    if (inUse(revision)) continue;
    victims.push(revision);
    excess--;
  }
  return victims;
}
