import type { AnyObject } from '../../client/resource.js';
import type { Informer } from '../../client/informer.js';
import type { SharedInformers } from '../../client/shared-informers.js';

/** The pod index both the binder and pvc-protection use: pods by the "namespace/name" of each claim they mount. */
export const POD_CLAIM_INDEX = 'pvc';

/** The claim a generic ephemeral volume gets: named after the pod and the volume. */
export const ephemeralClaimName = (pod: AnyObject, volume: AnyObject): string => `${pod.metadata.name}-${volume.name}`;

/** Claim names a pod refers to, through persistentVolumeClaim volumes or the claims of its ephemeral ones. */
export function claimNamesOf(pod: AnyObject): string[] {
  const names: string[] = [];
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.persistentVolumeClaim?.claimName) names.push(volume.persistentVolumeClaim.claimName);
    else if (volume.ephemeral) names.push(ephemeralClaimName(pod, volume));
  }
  return names;
}

/** Adds the claim index to the shared pod informer (once, whoever asks first). */
export function indexPodsByClaim(informers: SharedInformers, pods: Informer): void {
  informers.index(pods, POD_CLAIM_INDEX, (pod) => claimNamesOf(pod).map((name) => `${pod.metadata.namespace}/${name}`));
}

const notRunning = (statuses: AnyObject[] | undefined): boolean => (statuses ?? []).every((s) => s.state?.terminated || s.state?.waiting);

/**
 * kube's volumeutil.IsPodTerminated: finished, or being deleted with no
 * container left running.
 */
export function isPodTerminated(pod: AnyObject): boolean {
  const status = pod.status ?? {};
  if (status.phase === 'Succeeded' || status.phase === 'Failed') return true;
  return !!pod.metadata.deletionTimestamp
    && notRunning(status.initContainerStatuses) && notRunning(status.containerStatuses) && notRunning(status.ephemeralContainerStatuses);
}
