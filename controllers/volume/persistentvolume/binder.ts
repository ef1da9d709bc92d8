import { deepEqual } from '../../../api/deep-equal.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, hasAnnotation } from '../../../api/storage/annotations.js';
import { bindVolumeToClaim } from '../../../api/storage/volume-binding.js';
import { compareQuantities, parseQuantity } from '../../../api/validation/quantity.js';
import type { AssumeCache } from '../../../client/assume-cache.js';
import type { EventRecorder, EventType } from '../../../client/event-recorder.js';
import type { Informer } from '../../../client/informer.js';
import type { AnyObject } from '../../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import type { WorkQueue } from '../../../client/workqueue.js';

/** What the claim and volume syncs share: the caches they decide on and the means to act. */
export interface Binder {
  client: RestClient;
  recorder: EventRecorder;
  volumes: AssumeCache;
  claims: AssumeCache;
  classes: Informer;
  pods: Informer;
  claimQueue: WorkQueue<string>;
}

export const claimKey = (claim: AnyObject): string => `${claim.metadata.namespace}/${claim.metadata.name}`;
export const claimRefKey = (ref: AnyObject): string => `${ref.namespace}/${ref.name}`;

const withAnnotation = (obj: AnyObject, name: string): AnyObject =>
  ({ ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [name]: 'yes' } } });

/**
 * Saves the claim's phase; capacity and access modes follow the volume it
 * is bound to (cleared without one). Capacity is copied only as the claim
 * becomes bound: a later difference may be a resize in progress.
 */
export async function updateClaimStatus(b: Binder, claim: AnyObject, phase: string, volume?: AnyObject): Promise<AnyObject> {
  const status: AnyObject = { ...claim.status };
  let dirty = false;
  const becoming = claim.status?.phase !== phase;
  if (becoming) {
    status.phase = phase;
    dirty = true;
  }
  if (!volume) {
    for (const field of ['accessModes', 'capacity']) {
      if (status[field] !== undefined) {
        delete status[field];
        dirty = true;
      }
    }
  } else {
    if (!deepEqual(claim.status?.accessModes, volume.spec?.accessModes)) {
      status.accessModes = volume.spec?.accessModes;
      dirty = true;
    }
    if (becoming) {
      const volumeSize = parseQuantity(volume.spec?.capacity?.storage);
      if (!volumeSize) throw new Error(`PersistentVolume "${volume.metadata.name}" is without a storage capacity`);
      const claimSize = parseQuantity(claim.status?.capacity?.storage);
      if (!claimSize || compareQuantities(volumeSize, claimSize) !== 0) {
        status.capacity = volume.spec.capacity;
        dirty = true;
      }
    }
  }
  if (!dirty) return claim;
  return b.claims.written(await b.client.updateStatus(PERSISTENT_VOLUME_CLAIMS, { ...claim, status }));
}

/** updateClaimStatus that also reports the change, once: only when the phase actually moves. */
export async function updateClaimStatusWithEvent(b: Binder, claim: AnyObject, phase: string, volume: AnyObject | undefined, type: EventType, reason: string, message: string): Promise<AnyObject> {
  if (claim.status?.phase === phase) return claim;
  const updated = await updateClaimStatus(b, claim, phase, volume);
  b.recorder.event(updated, type, reason, message);
  return updated;
}

export async function updateVolumePhase(b: Binder, volume: AnyObject, phase: string, message = ''): Promise<AnyObject> {
  if (volume.status?.phase === phase) return volume;
  const status: AnyObject = { ...volume.status, phase, message };
  if (!message) delete status.message;
  return b.volumes.written(await b.client.updateStatus(PERSISTENT_VOLUMES, { ...volume, status }));
}

/** updateVolumePhase that also reports the change, once: only when the phase actually moves. */
export async function updateVolumePhaseWithEvent(b: Binder, volume: AnyObject, phase: string, type: EventType, reason: string, message: string): Promise<AnyObject> {
  if (volume.status?.phase === phase) return volume;
  const updated = await updateVolumePhase(b, volume, phase, message);
  b.recorder.event(updated, type, reason, message);
  return updated;
}

/**
 * Binds in kube's order, volume first: its claimRef (marked as the
 * controller's doing unless it was pre-bound to this claim) and phase, then
 * the claim's volumeName, annotations and status. Any step failing leaves
 * a state the next sync of either object completes.
 */
export async function bind(b: Binder, volume: AnyObject, claim: AnyObject): Promise<void> {
  const boundVolume = bindVolumeToClaim(volume, claim);
  if (boundVolume) volume = b.volumes.written(await b.client.update(PERSISTENT_VOLUMES, boundVolume));
  volume = await updateVolumePhase(b, volume, 'Bound');

  let nextClaim = claim;
  if (claim.spec?.volumeName !== volume.metadata.name) {
    nextClaim = { ...nextClaim, spec: { ...nextClaim.spec, volumeName: volume.metadata.name } };
    if (!hasAnnotation(nextClaim, ANN_BOUND_BY_CONTROLLER)) nextClaim = withAnnotation(nextClaim, ANN_BOUND_BY_CONTROLLER);
  }
  if (!hasAnnotation(nextClaim, ANN_BIND_COMPLETED)) nextClaim = withAnnotation(nextClaim, ANN_BIND_COMPLETED);
  if (nextClaim !== claim) claim = b.claims.written(await b.client.update(PERSISTENT_VOLUME_CLAIMS, nextClaim));
  await updateClaimStatus(b, claim, 'Bound', volume);
}

/**
 * Undoes a binding the claim did not keep: a volume the controller bound
 * becomes free again; one a user pre-bound keeps its claimRef without the
 * uid, still reserved for that claim name.
 */
export async function unbindVolume(b: Binder, volume: AnyObject): Promise<void> {
  let next: AnyObject;
  if (hasAnnotation(volume, ANN_BOUND_BY_CONTROLLER)) {
    const { [ANN_BOUND_BY_CONTROLLER]: _dropped, ...annotations } = volume.metadata.annotations as Record<string, string>;
    const { claimRef: _ref, ...spec } = volume.spec;
    next = { ...volume, metadata: { ...volume.metadata, annotations: Object.keys(annotations).length ? annotations : undefined }, spec };
  } else {
    const { uid: _uid, ...claimRef } = volume.spec.claimRef;
    next = { ...volume, spec: { ...volume.spec, claimRef } };
  }
  const updated = b.volumes.written(await b.client.update(PERSISTENT_VOLUMES, next));
  await updateVolumePhase(b, updated, 'Available');
}
