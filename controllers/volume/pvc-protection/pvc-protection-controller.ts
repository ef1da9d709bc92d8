import { withFinalizer, withoutFinalizer } from '../../../api/finalizers.js';
import { PVC_PROTECTION_FINALIZER } from '../../../api/well-known.js';
import { claimNamesOf, ephemeralClaimName, isClaimForPod } from '../../../api/storage/pod-claims.js';
import { isNotFound } from '../../../client/api-error.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';
import type { Informer } from '../../../client/informer.js';
import type { AnyObject } from '../../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import { WorkQueue } from '../../../client/workqueue.js';
import { workersFor, type ControllerDescriptor } from '../../controller.js';
import { indexPodsByClaim, isPodTerminated, POD_CLAIM_INDEX } from '../pods-by-claim.js';
import { isDeletionCandidate, needsFinalizer } from '../protection.js';

/**
 * A force-deleted pod, or one the kubelet finished and the API server set
 * up for removal (grace period zero), no longer holds its ephemeral claim:
 * that breaks a cycle where a pod finalizer waits for its claim to go.
 */
const isShutDown = (pod: AnyObject): boolean => !!pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;

/**
 * kube's podUsesPVC. Only scheduled pods count: the kubelet sees a pod once
 * it is bound and refuses to start one whose claim is being deleted. A
 * scheduled pod holds a claim it mounts whatever its phase, until the pod
 * object itself is gone.
 */
function podUsesClaim(pod: AnyObject, claim: AnyObject): boolean {
  if (!pod.spec?.nodeName) return false;
  return (pod.spec.volumes ?? []).some((volume: AnyObject) =>
    volume.persistentVolumeClaim?.claimName === claim.metadata.name
    || (!!volume.ephemeral && !isShutDown(pod) && ephemeralClaimName(pod, volume) === claim.metadata.name && isClaimForPod(pod, claim)));
}

/**
 * The PVC protection controller: a claim being deleted keeps its
 * kubernetes.io/pvc-protection finalizer while a pod uses it; claims that
 * lack the finalizer get it. Keys are "namespace/name" of claims.
 */
export function pvcProtectionReconciler(client: RestClient, claims: Informer, pods: Informer) {
  // The cache may not hold a pod created a moment ago; a live list of the
  // namespace is the word that lets a claim go.
  async function inUse(claim: AnyObject): Promise<boolean> {
    const key = `${claim.metadata.namespace}/${claim.metadata.name}`;
    if (pods.store.byIndex(POD_CLAIM_INDEX, key).some((pod) => podUsesClaim(pod, claim))) return true;
    const live = await client.list(PODS, { namespace: claim.metadata.namespace });
    return live.items.some((pod) => podUsesClaim(pod, claim));
  }

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const claim = claims.store.get(key);
    if (!claim) return;
    try {
      if (isDeletionCandidate(claim, PVC_PROTECTION_FINALIZER) && !await inUse(claim)) {
        await client.update(PERSISTENT_VOLUME_CLAIMS, withoutFinalizer(claim, PVC_PROTECTION_FINALIZER));
      } else if (needsFinalizer(claim, PVC_PROTECTION_FINALIZER)) {
        await client.update(PERSISTENT_VOLUME_CLAIMS, withFinalizer(claim, PVC_PROTECTION_FINALIZER));
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
}

export const pvcProtectionController: ControllerDescriptor = {
  name: 'persistentvolumeclaim-protection-controller', aliases: ['pvc-protection'], enabledByDefault: true,
  create(ctx) {
    const claims = ctx.informers.for<AnyObject>(PERSISTENT_VOLUME_CLAIMS);
    const pods = ctx.informers.for<AnyObject>(PODS);
    indexPodsByClaim(ctx.informers, pods);
    const queue = new WorkQueue<string>();
    const claimChanged = (claim: AnyObject) => {
      if (needsFinalizer(claim, PVC_PROTECTION_FINALIZER) || isDeletionCandidate(claim, PVC_PROTECTION_FINALIZER)) queue.add(`${claim.metadata.namespace}/${claim.metadata.name}`);
    };
    claims.addEventHandler({ onAdd: claimChanged, onUpdate: (_old, claim) => claimChanged(claim) });
    // Only a pod that stops counting can release a claim: one deleted, finished or not (yet) scheduled.
    const podChanged = (pod: AnyObject, deleted: boolean) => {
      if (!deleted && !isPodTerminated(pod) && pod.spec?.nodeName) return;
      for (const name of claimNamesOf(pod)) queue.add(`${pod.metadata.namespace}/${name}`);
    };
    pods.addEventHandler({
      onAdd: (pod) => podChanged(pod, false),
      onUpdate: (old, pod) => {
        podChanged(pod, false);
        // A pod replaced by another of the same name may have held claims the new one does not mention.
        if (old.metadata.uid !== pod.metadata.uid) podChanged(old, true);
      },
      onDelete: (pod) => podChanged(pod, true),
    });
    return [{ name: 'pvc-protection', queue, reconcile: pvcProtectionReconciler(ctx.client, claims, pods), workers: workersFor(ctx, 'pvc-protection', 1) }];
  },
};
