import { isAlreadyExists, isConflict, isNotFound } from '../../client/api-error.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { objectKey } from '../../client/store.js';
import { retentionOwnerRefs } from './claim-retention.js';
import { claimsFor, parseOrdinal } from './stateful-pod.js';

/** A claim a pod needs is still being deleted: the pod waits for it to go, then gets a fresh one. */
export class ClaimTerminatingError extends Error {}

/**
 * kube's StatefulPodControl: pod and claim writes for one StatefulSet,
 * each told in an event on the set. Claims are made before the pod that
 * mounts them and are never deleted with it.
 */
export class StatefulPodControl {
  constructor(private readonly client: RestClient, private readonly claims: Informer, private readonly recorder: EventRecorder) {}

  /**
   * createPersistentVolumeClaims: the pod's missing claims, owned as the
   * retention policy says. Also for a pod that exists but has not started:
   * a claim deleted under it would otherwise keep it pending for ever.
   */
  async createMissingClaims(set: AnyObject, pod: AnyObject): Promise<void> {
    const ordinal = parseOrdinal(pod)!.ordinal;
    for (const claim of claimsFor(set, ordinal).values()) {
      const existing = this.claims.store.get(objectKey(claim));
      if (existing?.metadata.deletionTimestamp) throw new ClaimTerminatingError(`claim ${claim.metadata.name} is being deleted`);
      if (existing) continue;
      const refs = retentionOwnerRefs(claim, set, undefined, true);
      if (refs?.length) claim.metadata.ownerReferences = refs;
      try {
        await this.client.create(PERSISTENT_VOLUME_CLAIMS, claim);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
        throw err;
      }
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    }
  }

  /** CreateStatefulPod: claims first, then the pod; a pod of that name already there is fine (the cache was behind). */
  async createPod(set: AnyObject, pod: AnyObject): Promise<void> {
    await this.createMissingClaims(set, pod);
    try {
      await this.client.create(PODS, pod);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
      throw err;
    }
    this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  /** DeleteStatefulPod: by uid, so a replacement of the same name the cache has not shown yet is never hit. */
  async deletePod(set: AnyObject, pod: AnyObject): Promise<void> {
    try {
      await this.client.delete(PODS, pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      // Gone already, or replaced by a pod of the same name (the uid precondition fails): nothing of ours to delete.
      if (isNotFound(err) || isConflict(err)) return;
      this.recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`);
      throw err;
    }
    this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  /** UpdatePodClaimForRetentionPolicy: the pod's existing claims get the owners the policy asks for. */
  async updateClaimOwners(set: AnyObject, pod: AnyObject, inRange: boolean): Promise<void> {
    const ordinal = parseOrdinal(pod)!.ordinal;
    for (const wanted of claimsFor(set, ordinal).values()) {
      const claim = this.claims.store.get(objectKey(wanted));
      if (!claim || claim.metadata.deletionTimestamp) continue;
      const refs = retentionOwnerRefs(claim, set, pod, inRange);
      if (!refs) continue;
      try {
        await this.client.update(PERSISTENT_VOLUME_CLAIMS, { ...claim, metadata: { ...claim.metadata, ownerReferences: refs } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
