import { claimClass } from '../../../api/kinds/persistent-volume-claim.js';
import { BETA_STORAGE_CLASS_ANNOTATION } from '../../../api/kinds/persistent-volume.js';
import { isDefaultClass } from '../../../api/kinds/storage-class.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, hasAnnotation,
} from '../../../api/storage/annotations.js';
import { isDelayBindingMode, isVolumeBoundToClaim } from '../../../api/storage/volume-binding.js';
import type { AnyObject } from '../../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS } from '../../../client/resources.js';
import { isPodTerminated, POD_CLAIM_INDEX } from '../pods-by-claim.js';
import { bind, claimKey, updateClaimStatus, updateClaimStatusWithEvent, type Binder } from './binder.js';
import { migratedDriver, migrationAnnotations } from './csi-migration.js';
import { findBestMatchForClaim, volumeMismatch } from './matching.js';

async function updateClaim(b: Binder, claim: AnyObject): Promise<AnyObject> {
  return b.claims.written(await b.client.update(PERSISTENT_VOLUME_CLAIMS, claim));
}

/** The default class: the newest of those marked, by name when they were made in the same second. */
function defaultClass(b: Binder): AnyObject | undefined {
  const stamp = (c: AnyObject) => Date.parse(c.metadata.creationTimestamp ?? '') || 0;
  return b.classes.store.list().filter(isDefaultClass)
    .sort((x, y) => stamp(y) - stamp(x) || (x.metadata.name! < y.metadata.name! ? -1 : 1))[0];
}

/**
 * RetroactiveDefaultStorageClass: a claim made while no class was the
 * default (storageClassName absent, not "") gets the default one once there
 * is one. Answers whether the claim was changed.
 */
async function assignDefaultStorageClass(b: Binder, claim: AnyObject): Promise<boolean> {
  const hasClass = hasAnnotation(claim, BETA_STORAGE_CLASS_ANNOTATION) || (claim.spec?.storageClassName ?? null) !== null;
  if (hasClass) return false;
  const cls = defaultClass(b);
  if (!cls) return false;
  try {
    await updateClaim(b, { ...claim, spec: { ...claim.spec, storageClassName: cls.metadata.name } });
  } catch (err) {
    throw new Error(`can't update PersistentVolumeClaim["${claimKey(claim)}"]: ${(err as Error).message}`, { cause: err });
  }
  return true;
}

/** Tells the user why a WaitForFirstConsumer claim waits: for a pod to use it, or for its pods to be scheduled. */
function reportDelayedBinding(b: Binder, claim: AnyObject): void {
  const waiting = b.pods.store.byIndex(POD_CLAIM_INDEX, claimKey(claim))
    .filter((pod) => !isPodTerminated(pod) && !pod.spec?.nodeName)
    .map((pod) => pod.metadata.name as string);
  if (!waiting.length) b.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
  else if (waiting.length === 1) b.recorder.event(claim, 'Normal', 'WaitForPodScheduled', `waiting for pod ${waiting[0]} to be scheduled`);
  else b.recorder.event(claim, 'Normal', 'WaitForPodScheduled', `waiting for pods ${waiting.join(',')} to be scheduled`);
}

/**
 * Hands the claim to its class's provisioner. Every provisioner is
 * external here: the claim is annotated with its name, the provisioner
 * creates a volume pre-bound to the claim, and the binder completes the
 * binding. kube's in-tree plugins are not offered, except those whose
 * volumes kube itself hands to a CSI driver.
 */
async function provisionClaim(b: Binder, claim: AnyObject): Promise<void> {
  const className = claimClass(claim);
  const cls = b.classes.store.get(className);
  if (!cls) {
    b.recorder.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
    return;
  }
  const provisioner: string = migratedDriver(cls.provisioner) ?? cls.provisioner;
  if (provisioner.startsWith('kubernetes.io/')) {
    b.recorder.event(claim, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${provisioner}`);
    return;
  }
  if (claim.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== provisioner) {
    const annotated: AnyObject = { ...claim, metadata: { ...claim.metadata, annotations: { ...claim.metadata.annotations, [ANN_BETA_STORAGE_PROVISIONER]: provisioner, [ANN_STORAGE_PROVISIONER]: provisioner } } };
    annotated.metadata.annotations = migrationAnnotations(annotated, true) ?? annotated.metadata.annotations;
    try {
      claim = await updateClaim(b, annotated);
    } catch (err) {
      b.recorder.event(claim, 'Warning', 'ProvisioningFailed', `Error saving claim: ${(err as Error).message}`);
      throw err;
    }
  }
  b.recorder.event(claim, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
}

/** A claim not bound yet: find it a volume, or have one made, or say why it waits. */
async function syncUnboundClaim(b: Binder, claim: AnyObject): Promise<void> {
  const volumeName: string | undefined = claim.spec?.volumeName;
  if (!volumeName) {
    const delayBinding = isDelayBindingMode(claim, b.classes.store);
    const volume = findBestMatchForClaim(b.volumes.list(), claim, delayBinding);
    if (volume) return bind(b, volume, claim);
    // The update brings the claim back through the queue with its new class.
    if (await assignDefaultStorageClass(b, claim)) return;
    if (delayBinding && !hasAnnotation(claim, ANN_SELECTED_NODE)) {
      reportDelayedBinding(b, claim);
    } else if (claimClass(claim)) {
      return provisionClaim(b, claim);
    } else {
      b.recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    }
    await updateClaimStatus(b, claim, 'Pending');
    return;
  }
  // The user asked for one volume by name.
  const volume = b.volumes.get(volumeName);
  if (!volume) {
    await updateClaimStatus(b, claim, 'Pending');
    return;
  }
  if (!volume.spec?.claimRef) {
    const mismatch = volumeMismatch(volume, claim);
    if (!mismatch) return bind(b, volume, claim);
    b.recorder.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volume.metadata.name}": ${mismatch}`);
    await updateClaimStatus(b, claim, 'Pending');
    return;
  }
  if (isVolumeBoundToClaim(volume, claim)) return bind(b, volume, claim);
  b.recorder.event(claim, 'Warning', 'FailedBinding', `volume "${volume.metadata.name}" already bound to a different claim.`);
  if (hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER)) {
    // Someone removed bind-completed from a claim the controller bound: nothing here can set that right.
    const ref = volume.spec.claimRef;
    throw new Error(`invalid binding of claim "${claimKey(claim)}" to volume "${volumeName}": volume already claimed by "${ref.namespace}/${ref.name}"`);
  }
  await updateClaimStatus(b, claim, 'Pending');
}

/** A claim bound before: keep it so, or mark it Lost when its volume is gone or taken. */
async function syncBoundClaim(b: Binder, claim: AnyObject): Promise<void> {
  const volumeName: string | undefined = claim.spec?.volumeName;
  if (!volumeName) {
    await updateClaimStatusWithEvent(b, claim, 'Lost', undefined, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
    return;
  }
  const volume = b.volumes.get(volumeName);
  if (!volume) {
    await updateClaimStatusWithEvent(b, claim, 'Lost', undefined, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
    return;
  }
  // A volume come unbound (or whose binding the cache has not seen yet) is bound again; a right one gets its statuses checked.
  if (!volume.spec?.claimRef || volume.spec.claimRef.uid === claim.metadata.uid) return bind(b, volume, claim);
  await updateClaimStatusWithEvent(b, claim, 'Lost', undefined, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
}

/**
 * The binder's claim sync (kube's syncClaim): a claim whose binding was
 * never completed is matched, provisioned or left Pending with a reason; a
 * bound one is kept consistent with its volume.
 */
export async function syncClaim(b: Binder, claim: AnyObject): Promise<void> {
  const migrated = migrationAnnotations(claim, true);
  if (migrated) claim = await updateClaim(b, { ...claim, metadata: { ...claim.metadata, annotations: migrated } });
  if (!hasAnnotation(claim, ANN_BIND_COMPLETED)) return syncUnboundClaim(b, claim);
  return syncBoundClaim(b, claim);
}
