import { isPodTerminal } from '../../api/pod-status.js';
import { claimNamesOf } from '../../api/storage/pod-claims.js';
import type { AnyObject } from '../../client/resource.js';
import type { Informer } from '../../client/informer.js';
import type { SharedInformers } from '../../client/shared-informers.js';

/** The pod index both the binder and pvc-protection use: pods by the "namespace/name" of each claim they mount. */
export const POD_CLAIM_INDEX = 'pvc';

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
  if (isPodTerminal(pod)) return true;
  const status = pod.status ?? {};
  return !!pod.metadata.deletionTimestamp
    && notRunning(status.initContainerStatuses) && notRunning(status.containerStatuses) && notRunning(status.ephemeralContainerStatuses);
}
