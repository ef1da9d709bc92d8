import type { AnyObject } from '../../client/resource.js';
import { revisionOf } from './annotations.js';
import { equalIgnoreHash } from './pod-template-hash.js';
import { specReplicas } from './replica-math.js';

const createdAt = (rs: AnyObject): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** Oldest first; names break ties (kube's ReplicaSetsByCreationTimestamp). */
export function byCreation(a: AnyObject, b: AnyObject): number {
  const d = createdAt(a) - createdAt(b);
  if (d) return d;
  return a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0;
}

/** Largest first, newer first among equals: where replicas go when scaling up. */
export const bySizeNewer = (a: AnyObject, b: AnyObject): number => specReplicas(b) - specReplicas(a) || byCreation(b, a);

/** Largest first, older first among equals: where replicas come from when scaling down. */
export const bySizeOlder = (a: AnyObject, b: AnyObject): number => specReplicas(b) - specReplicas(a) || byCreation(a, b);

/** Lowest revision first, then oldest (kube's ReplicaSetsByRevision); unparsable revisions count as 0. */
export function byRevision(a: AnyObject, b: AnyObject): number {
  const ra = revisionOf(a) || 0;
  const rb = revisionOf(b) || 0;
  return ra === rb ? byCreation(a, b) : ra - rb;
}

export const activeReplicaSets = (list: Array<AnyObject | undefined>): AnyObject[] =>
  list.filter((rs): rs is AnyObject => !!rs && specReplicas(rs) > 0);

/** The oldest ReplicaSet whose template is the Deployment's: the new one. */
export function findNewReplicaSet(d: AnyObject, replicaSets: AnyObject[]): AnyObject | undefined {
  return [...replicaSets].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** Every ReplicaSet but the new one. */
export function findOldReplicaSets(d: AnyObject, replicaSets: AnyObject[]): AnyObject[] {
  const newRS = findNewReplicaSet(d, replicaSets);
  return replicaSets.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/**
 * The one ReplicaSet that should hold every replica when only one has any
 * (or the newest when none has), undefined while several share them.
 */
export function findActiveOrLatest(newRS: AnyObject | undefined, oldRSs: AnyObject[]): AnyObject | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}
