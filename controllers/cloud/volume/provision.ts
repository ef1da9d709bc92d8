import { createHash } from 'node:crypto';
import { claimClass } from '../../../api/kinds/persistent-volume-claim.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER,
} from '../../../api/storage/annotations.js';
import { EBS_CSI_DRIVER } from '../../../api/storage/csi-attachment.js';
import { claimReference, requestedStorage } from '../../../api/storage/volume-binding.js';
import { LABEL_TOPOLOGY_ZONE } from '../../../api/well-known.js';
import { isAlreadyExists, isNotFound } from '../../../client/api-error.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';
import type { EventRecorder } from '../../../client/event-recorder.js';
import type { Informer } from '../../../client/informer.js';
import type { AnyObject } from '../../../client/resource.js';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import { describeAwsError } from '../../aws/errors.js';
import type { Volumes } from '../../aws/volumes.js';
import { roundUpGiB, TOPOLOGY_EBS_ZONE } from './ebs-csi.js';
import { InvalidParameterError, provisionParameters } from './parameters.js';

export interface Provisioner {
  client: RestClient;
  recorder: EventRecorder;
  volumes: Volumes;
  claims: Informer;
  pvs: Informer;
  classes: Informer;
  nodes: Informer;
}

/** How long to look again while EBS is still creating a volume. */
const CREATING_RETRY_MS = 1000;

/** external-provisioner names the PV after the claim's uid, so every retry for one claim means the same volume. */
export const provisionedVolumeName = (claim: AnyObject): string => `pvc-${claim.metadata.uid}`;

const zoneOf = (node: AnyObject | undefined): string | undefined =>
  node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE] ?? node?.metadata?.labels?.[TOPOLOGY_EBS_ZONE];

/** The zones a class's allowedTopologies permit (either zone key); none means any. */
function allowedZones(cls: AnyObject): string[] {
  const zones = new Set<string>();
  for (const term of cls.allowedTopologies ?? []) {
    for (const e of term.matchLabelExpressions ?? []) {
      if (e.key === LABEL_TOPOLOGY_ZONE || e.key === TOPOLOGY_EBS_ZONE) for (const v of e.values ?? []) zones.add(v);
    }
  }
  return [...zones].sort();
}

/** One zone out of several, the same one for every retry of this PV (external-provisioner hashes the claim for the same reason). */
function pickZone(zones: string[], pvName: string): string {
  const n = createHash('sha256').update(pvName).digest().readUInt32BE(0);
  return zones[n % zones.length];
}

/** The claim should be provisioned by this driver (external-provisioner's shouldProvision). */
function wantsEbs(claim: AnyObject): boolean {
  const annotations = claim.metadata.annotations ?? {};
  const provisioner = annotations[ANN_STORAGE_PROVISIONER] ?? annotations[ANN_BETA_STORAGE_PROVISIONER];
  return provisioner === EBS_CSI_DRIVER && !claim.spec?.volumeName && !claim.metadata.deletionTimestamp;
}

/**
 * external-provisioner's reschedule: the selected node is gone, so the
 * annotation comes off and the scheduler picks another.
 */
async function reschedule(p: Provisioner, claim: AnyObject): Promise<void> {
  const { [ANN_SELECTED_NODE]: _dropped, ...annotations } = claim.metadata.annotations ?? {};
  await p.client.update(PERSISTENT_VOLUME_CLAIMS, { ...claim, metadata: { ...claim.metadata, annotations } });
}

/** The zone the volume goes in, or undefined when the claim waits (for the scheduler, or a node gone). */
async function zoneFor(p: Provisioner, claim: AnyObject, cls: AnyObject, pvName: string): Promise<string | undefined> {
  if (cls.volumeBindingMode === 'WaitForFirstConsumer') {
    const selected: string | undefined = claim.metadata.annotations?.[ANN_SELECTED_NODE];
    if (!selected) return undefined;
    let node = p.nodes.store.get(selected);
    if (!node) {
      try {
        node = await p.client.get(NODES, selected);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        p.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to get target node: nodes "${selected}" not found`);
        await reschedule(p, claim);
        return undefined;
      }
    }
    const zone = zoneOf(node);
    if (!zone) throw new Error(`node "${selected}" has no ${LABEL_TOPOLOGY_ZONE} label yet`);
    return zone;
  }
  let zones = allowedZones(cls);
  if (!zones.length) zones = [...new Set(p.nodes.store.list().map(zoneOf).filter((z): z is string => !!z))].sort();
  if (!zones.length) zones = await p.volumes.zones();
  if (!zones.length) throw new Error('no zone to create the volume in: no allowed topology, no node with a zone label and no cluster subnet');
  return pickZone(zones, pvName);
}

/** The PV external-provisioner writes for a provisioned EBS volume: pre-bound to the claim, pinned to the volume's zone. */
function persistentVolumeFor(claim: AnyObject, cls: AnyObject, pvName: string, volumeId: string, zone: string, sizeGiB: number, fsType: string): AnyObject {
  const block = claim.spec?.volumeMode === 'Block';
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name: pvName, annotations: { [ANN_DYNAMICALLY_PROVISIONED]: EBS_CSI_DRIVER } },
    spec: {
      accessModes: claim.spec?.accessModes,
      capacity: { storage: `${sizeGiB}Gi` },
      claimRef: claimReference(claim),
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: claimClass(claim),
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      ...(cls.mountOptions?.length ? { mountOptions: cls.mountOptions } : {}),
      csi: { driver: EBS_CSI_DRIVER, volumeHandle: volumeId, ...(block ? {} : { fsType }) },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: LABEL_TOPOLOGY_ZONE, operator: 'In', values: [zone] }] }] } },
    },
  };
}

/**
 * external-provisioner's claim sync for ebs.csi.aws.com: a claim the PV
 * binder handed to this driver gets an EBS volume in the zone of its
 * selected node (WaitForFirstConsumer) or of its class's allowed topology,
 * and a PV pre-bound to it; the binder completes the binding. The volume is
 * found by its CSIVolumeName tag before any CreateVolume, so a retry or a
 * restart never makes a second one.
 */
export async function syncClaimProvisioning(p: Provisioner, key: string): Promise<ReconcileResult> {
  const claim = p.claims.store.get(key);
  if (!claim || !wantsEbs(claim)) return;
  const pvName = provisionedVolumeName(claim);
  if (p.pvs.store.get(pvName)) return;
  const className = claimClass(claim);
  const cls = p.classes.store.get(className);
  if (!cls) return;
  if (cls.provisioner !== EBS_CSI_DRIVER) {
    p.recorder.event(claim, 'Warning', 'ProvisioningFailed', `StorageClass "${className}" names provisioner "${cls.provisioner}": only classes of ${EBS_CSI_DRIVER} are provisioned here`);
    return;
  }
  const zone = await zoneFor(p, claim, cls, pvName);
  if (!zone) return;
  p.recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
  try {
    const { fsType, request } = provisionParameters(cls.parameters, { pvcName: claim.metadata.name!, pvcNamespace: claim.metadata.namespace!, pvName });
    const sizeGiB = roundUpGiB(requestedStorage(claim));
    const volume = await p.volumes.create({ ...request, name: pvName, zone, sizeGiB });
    if (volume.state === 'creating') return { requeueAfter: CREATING_RETRY_MS };
    if (volume.state === 'error') {
      await p.volumes.delete(volume.id);
      throw new Error(`volume ${volume.id} failed to create`);
    }
    try {
      await p.client.create(PERSISTENT_VOLUMES, persistentVolumeFor(claim, cls, pvName, volume.id, volume.zone, volume.sizeGiB, fsType));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  } catch (err) {
    const reason = err instanceof InvalidParameterError ? `rpc error: code = InvalidArgument desc = ${err.message}` : describeAwsError(err);
    p.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${reason}`);
    throw err;
  }
  p.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
}
