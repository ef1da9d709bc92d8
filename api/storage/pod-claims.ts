import type { KObject } from '../kind.js';
import { isControlledBy } from '../owner-references.js';

/**
 * The claims a pod's volumes use (kube's component-helpers/storage/ephemeral
 * and the pod-to-claim walk the scheduler and the volume controllers share).
 */

/** ephemeral.VolumeClaimName: the claim a generic ephemeral volume gets, named after the pod and the volume. */
export const ephemeralClaimName = (pod: KObject, volume: KObject): string => `${pod.metadata.name}-${volume.name}`;

/**
 * ephemeral.VolumeIsForPod: the pod controls the claim, so it was made for
 * this pod's ephemeral volume and not for an earlier pod of the same name.
 */
export const isClaimForPod = (pod: KObject, claim: KObject): boolean => isControlledBy(claim, pod);

export interface PodClaim {
  name: string;
  /** A generic ephemeral volume's claim, which the pod must own. */
  ephemeral: boolean;
}

/** The claims of a pod's volumes, in volume order: persistentVolumeClaim ones by name, ephemeral ones by the name their claim gets. */
export function podClaims(pod: KObject): PodClaim[] {
  const claims: PodClaim[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim) claims.push({ name: v.persistentVolumeClaim.claimName ?? '', ephemeral: false });
    else if (v?.ephemeral) claims.push({ name: ephemeralClaimName(pod, v), ephemeral: true });
  }
  return claims;
}

/** The names of the claims a pod uses, those without a name left out (kube's PodPVCIndexFunc). */
export function claimNamesOf(pod: KObject): string[] {
  const names: string[] = [];
  for (const { name } of podClaims(pod)) if (name) names.push(name);
  return names;
}
