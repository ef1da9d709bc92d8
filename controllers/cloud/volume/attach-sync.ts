import { hasFinalizer, withoutFinalizer } from '../../../api/finalizers.js';
import { isNodeReady } from '../../../api/node-status.js';
import { csiAttachmentName, csiUniqueVolumeName, EBS_CSI_DRIVER } from '../../../api/storage/csi-attachment.js';
import { rfc3339 } from '../../../api/time.js';
import { isAlreadyExists, isNotFound } from '../../../client/api-error.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';
import type { EventRecorder } from '../../../client/event-recorder.js';
import type { Informer } from '../../../client/informer.js';
import type { AnyObject } from '../../../client/resource.js';
import { VOLUME_ATTACHMENTS } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import { describeAwsError } from '../../aws/errors.js';
import { instanceIdFromProviderId } from '../../aws/instances.js';
import type { Volumes } from '../../aws/volumes.js';
import { isPodTerminated, POD_CLAIM_INDEX } from '../../volume/pods-by-claim.js';
import { ebsVolumeId } from './ebs-csi.js';
import { setNodeVolumeAttached } from './node-volumes-attached.js';

export interface AttachDetach {
  client: RestClient;
  recorder: EventRecorder;
  volumes: Volumes;
  pods: Informer;
  claims: Informer;
  pvs: Informer;
  nodes: Informer;
  attachments: Informer;
  attachTimeoutMs: number;
  /** Instances AWS said are terminated or gone: their attachments are released, none made. */
  goneInstances: Set<string>;
}

/** The external-attacher's finalizer: a VolumeAttachment deleted by anyone stays until its volume is detached. */
export const ATTACHER_FINALIZER = 'external-attacher/ebs-csi-aws-com';

/** How soon to look again at an attachment EC2 is still working on. */
const IN_PROGRESS_RETRY_MS = 1000;

/** Attachments by the PV they attach: a volume is not attached to a second node, nor deleted, while one is left. */
export const VA_PV_INDEX = 'persistentVolumeName';
export const vaPvIndex = (va: AnyObject): string[] => (va.spec?.source?.persistentVolumeName ? [va.spec.source.persistentVolumeName] : []);

/** Attachments by `<pv>/<node>`, the key this controller reconciles. */
export const VA_KEY_INDEX = 'pvNode';
export const attachmentKey = (pvName: string, nodeName: string): string => `${pvName}/${nodeName}`;
export const vaKeyIndex = (va: AnyObject): string[] =>
  (va.spec?.attacher === EBS_CSI_DRIVER && va.spec?.source?.persistentVolumeName ? [attachmentKey(va.spec.source.persistentVolumeName, va.spec.nodeName)] : []);

/** The pods on the node that use the volume through its bound claim and still need it. */
function podsUsing(a: AttachDetach, pv: AnyObject, nodeName: string): AnyObject[] {
  const ref = pv.spec?.claimRef;
  if (!ref?.uid) return [];
  const claimKey = `${ref.namespace}/${ref.name}`;
  const claim = a.claims.store.get(claimKey);
  if (!claim || claim.metadata.uid !== ref.uid || claim.spec?.volumeName !== pv.metadata.name) return [];
  return a.pods.store.byIndex(POD_CLAIM_INDEX, claimKey).filter((pod) => pod.spec?.nodeName === nodeName && !isPodTerminated(pod));
}

/** The node's instance, while it is one attachments may go to. */
function liveInstance(a: AttachDetach, node: AnyObject | undefined): string | undefined {
  if (!node || node.metadata.deletionTimestamp) return undefined;
  const id = instanceIdFromProviderId(node.spec?.providerID);
  return id && !a.goneInstances.has(id) ? id : undefined;
}

async function writeStatus(a: AttachDetach, va: AnyObject, status: Record<string, unknown>): Promise<AnyObject> {
  return a.client.updateStatus(VOLUME_ATTACHMENTS, { ...va, status });
}

async function ensureAttachment(a: AttachDetach, pv: AnyObject, nodeName: string, volumeId: string, va: AnyObject | undefined): Promise<AnyObject> {
  if (va) return va;
  const name = csiAttachmentName(volumeId, EBS_CSI_DRIVER, nodeName);
  try {
    return await a.client.create(VOLUME_ATTACHMENTS, {
      apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment',
      metadata: { name, finalizers: [ATTACHER_FINALIZER] },
      spec: { attacher: EBS_CSI_DRIVER, nodeName, source: { persistentVolumeName: pv.metadata.name } },
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return a.client.get(VOLUME_ATTACHMENTS, name);
  }
}

/**
 * The attacher's half: AttachVolume under a free device name, then wait
 * (by looking again) until EC2 says attached, and record the device in the
 * VolumeAttachment. An attachment stuck attaching past the timeout is
 * detached and tried afresh, as the EBS CSI driver does.
 */
async function attach(a: AttachDetach, pv: AnyObject, node: AnyObject, instanceId: string, volumeId: string, existing: AnyObject | undefined, pods: AnyObject[]): Promise<ReconcileResult> {
  const nodeName = node.metadata.name!;
  const pvName = pv.metadata.name!;
  const elsewhere = a.attachments.store.byIndex(VA_PV_INDEX, pvName).filter((v) => v.spec?.nodeName !== nodeName);
  if (elsewhere.length && !(pv.spec?.accessModes ?? []).includes('ReadWriteMany')) {
    for (const pod of pods) a.recorder.event(pod, 'Warning', 'FailedAttachVolume', `Multi-Attach error for volume "${pvName}" Volume is already exclusively attached to one node and can't be attached to another`);
    return;
  }
  const va = await ensureAttachment(a, pv, nodeName, volumeId, existing);
  const unique = csiUniqueVolumeName(EBS_CSI_DRIVER, volumeId);
  // As the external-attacher does, an attachment marked attached is trusted: a resync makes no AWS call.
  // On a node gone NotReady it is looked at again: a terminated instance releases its volumes now.
  if (va.status?.attached && isNodeReady(node)) {
    await setNodeVolumeAttached(a.client, nodeName, unique, true);
    return;
  }
  let result;
  try {
    result = await a.volumes.attach(volumeId, instanceId);
    if (result.state === 'attaching' && result.since && Date.now() - result.since.getTime() > a.attachTimeoutMs) {
      await a.volumes.detach(volumeId, instanceId);
      throw new Error(`"${volumeId}" stuck in attaching state for longer than ${Math.round(a.attachTimeoutMs / 1000)}s: detached to try again`);
    }
  } catch (err) {
    const message = `rpc error: code = Internal desc = Could not attach volume "${volumeId}" to node "${instanceId}": ${describeAwsError(err)}`;
    // attached stays as it was: a failed look at an attached volume does not make it detached.
    await writeStatus(a, va, { attached: false, ...va.status, attachError: { time: rfc3339(Date.now()), message } }).catch(() => undefined);
    for (const pod of pods) a.recorder.event(pod, 'Warning', 'FailedAttachVolume', `AttachVolume.Attach failed for volume "${pvName}" : ${message}`);
    throw err;
  }
  if (result.state === 'instance-gone') {
    a.goneInstances.add(instanceId);
    return detach(a, va, pvName, nodeName);
  }
  if (result.state !== 'attached') return { requeueAfter: IN_PROGRESS_RETRY_MS };
  if (!va.status?.attached || va.status.attachmentMetadata?.devicePath !== result.device || va.status.attachError) {
    await writeStatus(a, va, { attached: true, attachmentMetadata: { devicePath: result.device } });
    for (const pod of pods) a.recorder.event(pod, 'Normal', 'SuccessfulAttachVolume', `AttachVolume.Attach succeeded for volume "${pvName}" `);
  }
  await setNodeVolumeAttached(a.client, nodeName, unique, true);
}

/**
 * Releases an attachment nothing needs, or one someone deleted: once the
 * node no longer lists the volume in status.volumesInUse (it has unmounted
 * it), DetachVolume with the instance id, then the VolumeAttachment goes
 * (its finalizer last). A node that is gone, or whose instance is, does not
 * wait: its volume is detached from whatever instance no remaining node
 * stands for.
 */
async function detach(a: AttachDetach, va: AnyObject, pvName: string, nodeName: string): Promise<ReconcileResult> {
  const node = a.nodes.store.get(nodeName);
  const instanceId = liveInstance(a, node);
  const volumeId = ebsVolumeId(a.pvs.store.get(pvName)) ?? (await a.volumes.findByName(pvName))?.id;
  if (volumeId) {
    const unique = csiUniqueVolumeName(EBS_CSI_DRIVER, volumeId);
    if (instanceId && !va.metadata.deletionTimestamp && (node?.status?.volumesInUse ?? []).includes(unique)) return;
    if (instanceId) {
      if (await a.volumes.detach(volumeId, instanceId) === 'detaching') return { requeueAfter: IN_PROGRESS_RETRY_MS };
    } else {
      const live = new Set(a.nodes.store.list().map((n) => liveInstance(a, n)).filter(Boolean));
      const volume = await a.volumes.describe(volumeId);
      for (const att of volume?.attachments ?? []) {
        if (live.has(att.instanceId) || att.state === 'detached') continue;
        if (await a.volumes.detach(volumeId, att.instanceId) === 'detaching') return { requeueAfter: IN_PROGRESS_RETRY_MS };
      }
    }
    await setNodeVolumeAttached(a.client, nodeName, unique, false);
  } else if (a.pvs.store.get(pvName)) {
    throw new Error(`persistentvolume ${pvName} of attachment ${va.metadata.name} is not an EBS volume`);
  } else {
    throw new Error(`no volume found for attachment ${va.metadata.name}: persistentvolume ${pvName} is gone and no EBS volume is tagged for it`);
  }
  try {
    if (hasFinalizer(va, ATTACHER_FINALIZER)) await a.client.update(VOLUME_ATTACHMENTS, withoutFinalizer(va, ATTACHER_FINALIZER));
    if (!va.metadata.deletionTimestamp) await a.client.delete(VOLUME_ATTACHMENTS, va.metadata.name!, { preconditions: { uid: va.metadata.uid } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * kube's attach/detach controller and the external-attacher for one volume
 * on one node (key `<pv>/<node>`): a pod there that uses it makes a
 * VolumeAttachment and an attached EBS volume; when none does, it is
 * detached and the VolumeAttachment deleted.
 */
export async function syncAttachment(a: AttachDetach, key: string): Promise<ReconcileResult> {
  const at = key.indexOf('/');
  const pvName = key.slice(0, at);
  const nodeName = key.slice(at + 1);
  const va = a.attachments.store.byIndex(VA_KEY_INDEX, key)[0];
  const pv = a.pvs.store.get(pvName);
  const volumeId = ebsVolumeId(pv);
  const node = a.nodes.store.get(nodeName);
  const instanceId = liveInstance(a, node);
  const pods = pv && volumeId && instanceId ? podsUsing(a, pv, nodeName) : [];
  // An attachment being deleted is detached first; the pods' need makes a new one after.
  if (pods.length && !va?.metadata.deletionTimestamp) return attach(a, pv!, node!, instanceId!, volumeId!, va, pods);
  if (va) return detach(a, va, pvName, nodeName);
}
