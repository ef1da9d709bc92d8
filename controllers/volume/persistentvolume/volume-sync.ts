import { ANN_DYNAMICALLY_PROVISIONED, ANN_MIGRATED_TO, hasAnnotation } from '../../../api/storage/annotations.js';
import { volumeModeMismatch } from '../../../api/storage/volume-binding.js';
import { isNotFound } from '../../../client/api-error.js';
import type { AnyObject } from '../../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES } from '../../../client/resources.js';
import { isPodTerminated, POD_CLAIM_INDEX } from '../pods-by-claim.js';
import { claimRefKey, unbindVolume, updateVolumePhase, updateVolumePhaseWithEvent, type Binder } from './binder.js';
import { migrationAnnotations } from './csi-migration.js';

async function liveClaim(b: Binder, ref: AnyObject): Promise<AnyObject | undefined> {
  try {
    return await b.client.get(PERSISTENT_VOLUME_CLAIMS, ref.name, { namespace: ref.namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * kube's isVolumeReleased: the volume was bound (its claimRef has a uid)
 * and that claim is gone, or is now bound to another volume.
 */
function isVolumeReleased(b: Binder, volume: AnyObject): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref?.uid) return false;
  const claim = b.claims.get(claimRefKey(ref));
  if (!claim || claim.metadata.uid !== ref.uid) return true;
  return !!claim.spec?.volumeName && claim.spec.volumeName !== volume.metadata.name;
}

/** Reclaim reads the volume afresh: an earlier pass may just have changed it. */
async function freshVolume(b: Binder, volume: AnyObject): Promise<AnyObject | undefined> {
  try {
    return b.volumes.written(await b.client.get(PERSISTENT_VOLUMES, volume.metadata.name!));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Why no one here can delete the volume, in kube's words; undefined when
 * its deletion belongs to an external provisioner (one that made it, or the
 * CSI driver standing in for its in-tree plugin). A CSI volume someone made
 * by hand has no deleter: an external provisioner only deletes what it made.
 */
function deleterMissing(volume: AnyObject): string | undefined {
  const provisionedBy: string | undefined = volume.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED];
  if (provisionedBy) return provisionedBy.startsWith('kubernetes.io/') ? `no volume plugin matched name: ${provisionedBy}` : undefined;
  if (hasAnnotation(volume, ANN_MIGRATED_TO)) return undefined;
  return `error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched`;
}

async function deleteVolume(b: Binder, volume: AnyObject): Promise<void> {
  const current = await freshVolume(b, volume);
  if (!current || !isVolumeReleased(b, current)) return;
  const missing = deleterMissing(current);
  if (missing) await updateVolumePhaseWithEvent(b, current, 'Failed', 'Warning', 'VolumeFailedDelete', missing);
}

/** kube's deprecated recycler (a pod scrubbing the volume) is not offered: a volume to recycle fails, as kube's does without a recycler plugin. */
async function recycleVolume(b: Binder, volume: AnyObject): Promise<void> {
  const current = await freshVolume(b, volume);
  if (!current || !isVolumeReleased(b, current)) return;
  const key = claimRefKey(current.spec.claimRef);
  const users = b.pods.store.byIndex(POD_CLAIM_INDEX, key).filter((pod) => !isPodTerminated(pod))
    .map((pod) => `${pod.metadata.namespace}/${pod.metadata.name}`).sort();
  // A cached claim of that name is a newer one (the volume is released), so its pods do not use this volume.
  if (users.length && !b.claims.get(key)) {
    b.recorder.event(current, 'Normal', 'VolumeFailedRecycle', `Volume is used by pods: ${users.join(',')}`);
    return;
  }
  await updateVolumePhaseWithEvent(b, current, 'Failed', 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
}

/** Applies the reclaim policy of a volume whose claim is gone. */
async function reclaimVolume(b: Binder, volume: AnyObject): Promise<void> {
  // The CSI driver that stands in for the in-tree plugin reclaims it.
  if (volume.metadata.annotations?.[ANN_MIGRATED_TO]) return;
  switch (volume.spec?.persistentVolumeReclaimPolicy) {
    case 'Retain':
      return;
    case 'Recycle':
      return recycleVolume(b, volume);
    case 'Delete':
      return deleteVolume(b, volume);
    default:
      await updateVolumePhaseWithEvent(b, volume, 'Failed', 'Warning', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy');
  }
}

/** Marks the volume Released (unless it already is, or Failed: that stays visible) and reclaims it. */
async function release(b: Binder, volume: AnyObject): Promise<void> {
  const phase = volume.status?.phase;
  if (phase !== 'Released' && phase !== 'Failed') volume = await updateVolumePhase(b, volume, 'Released');
  await reclaimVolume(b, volume);
}

/**
 * The binder's volume sync (kube's syncVolume): an unclaimed volume is
 * Available; one bound to a claim follows it, is Released when the claim
 * goes, and unbound when the claim settled on another volume.
 */
export async function syncVolume(b: Binder, volume: AnyObject): Promise<void> {
  const migrated = migrationAnnotations(volume, false);
  if (migrated) volume = b.volumes.written(await b.client.update(PERSISTENT_VOLUMES, { ...volume, metadata: { ...volume.metadata, annotations: migrated } }));
  const ref = volume.spec?.claimRef;
  // Unused, or reserved for a claim that has not bound yet (the claim's sync handles that).
  if (!ref || !ref.uid) {
    await updateVolumePhase(b, volume, 'Available');
    return;
  }
  const phase = volume.status?.phase;
  let claim = b.claims.get(claimRefKey(ref));
  // A provisioner or the scheduler may have bound the volume to a claim this cache has not seen yet: ask before releasing it.
  if (!claim && phase !== 'Released' && phase !== 'Failed') claim = await liveClaim(b, ref);
  if (claim && claim.metadata.uid !== ref.uid) {
    // The claim was deleted and another of the same name made, unless the cache is the one behind.
    claim = await liveClaim(b, ref);
    if (claim?.metadata.uid !== ref.uid) claim = undefined;
  }
  if (!claim) return release(b, volume);
  const volumeName: string | undefined = claim.spec?.volumeName;
  if (!volumeName) {
    if (volumeModeMismatch(claim, volume)) {
      b.recorder.event(volume, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata.name}" due to incompatible volumeMode.`);
      b.recorder.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume "${volume.metadata.name}" to requested PersistentVolumeClaim due to incompatible volumeMode.`);
      return;
    }
    // Bound (by the binder, the scheduler or a provisioner) but the claim is not yet: its sync finishes the binding.
    b.claimQueue.add(claimRefKey(ref));
    return;
  }
  if (volumeName === volume.metadata.name) {
    await updateVolumePhase(b, volume, 'Bound');
    return;
  }
  // The claim is bound to another volume. One provisioned for it is not needed any more; any other is let go.
  if (hasAnnotation(volume, ANN_DYNAMICALLY_PROVISIONED) && volume.spec?.persistentVolumeReclaimPolicy === 'Delete') return release(b, volume);
  await unbindVolume(b, volume);
}
