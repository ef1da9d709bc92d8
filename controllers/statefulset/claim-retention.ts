import type { OwnerReference } from '../../api/owner-references.js';
import type { AnyObject } from '../../client/resource.js';

const refTo = (obj: AnyObject, apiVersion: string, kind: string): OwnerReference =>
  ({ apiVersion, kind, name: obj.metadata.name!, uid: obj.metadata.uid! });

/**
 * The owner references a claim must carry under the set's
 * persistentVolumeClaimRetentionPolicy (kube's
 * updateClaimOwnerRefForSetAndPod): whenDeleted Delete makes the set an
 * owner, so the garbage collector removes the claim with the set;
 * whenScaled Delete makes a scaled-down pod the owner, so the claim goes
 * with that pod. A pod still in range never owns its claim: it is
 * recreated under the same name and must find the claim there.
 * Answers undefined when the claim's references are already right.
 */
export function retentionOwnerRefs(claim: AnyObject, set: AnyObject, pod: AnyObject | undefined, inRange: boolean): OwnerReference[] | undefined {
  const policy = set.spec.persistentVolumeClaimRetentionPolicy ?? {};
  const refs: OwnerReference[] = claim.metadata.ownerReferences ?? [];
  const ownedBySet = policy.whenDeleted === 'Delete' && (inRange || policy.whenScaled !== 'Delete');
  const ownedByPod = !!pod && policy.whenScaled === 'Delete' && !inRange;
  const others = refs.filter((r) => r.uid !== set.metadata.uid && (!pod || r.uid !== pod.metadata.uid));
  const wanted = [...others];
  if (ownedBySet) wanted.push(refs.find((r) => r.uid === set.metadata.uid) ?? refTo(set, 'apps/v1', 'StatefulSet'));
  if (ownedByPod) wanted.push(refs.find((r) => r.uid === pod.metadata.uid) ?? refTo(pod, 'v1', 'Pod'));
  const key = (list: OwnerReference[]) => list.map((r) => r.uid).sort().join(',');
  return key(wanted) === key(refs) ? undefined : wanted;
}
