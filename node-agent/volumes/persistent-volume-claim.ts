import { join } from 'node:path';
import { csiAttachmentName, csiSource, EBS_CSI_DRIVER } from '../../api/storage/csi-attachment.js';
import { isNotFound } from '../../client/api-error.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { ErrorReporter } from '../../client/log.js';
import type { AnyObject, ResourceRef } from '../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, VOLUME_ATTACHMENTS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { DeviceMounts } from './device-mounts.js';
import { findEbsDevice } from './ebs-device.js';
import { mountAt } from './mount-points.js';
import { NodeExpansion } from './node-expansion.js';
import { setVolumeOwnership } from './volume-ownership.js';
import { VolumeNotReadyError, type VolumeContext, type VolumePlugin } from './volume-plugin.js';

export interface ClaimPluginOptions {
  client: RestClient;
  recorder: EventRecorder;
  nodeName: string;
  /** Where the node's block devices are: /dev, or a local worker's own device folder. */
  deviceDir: string;
  devices: DeviceMounts;
  onError: ErrorReporter;
}

/** The claim's volume, resolved: its PV and the EBS volume behind it. */
interface ClaimVolume {
  claim: AnyObject;
  pv: AnyObject;
  volumeId: string;
}

/** How often a mounted claim is looked at again for a file system to grow. */
const EXPANSION_CHECK_MS = 5_000;

/**
 * persistentVolumeClaim volumes backed by EBS (ebs.csi.aws.com PVs), as
 * the kubelet's CSI plugin and the EBS CSI driver's node service serve
 * them: the claim resolved to its PV and volume id; the volume in use on
 * the node (reported in node.status.volumesInUse before any mount); the
 * VolumeAttachment of this node attached, its devicePath found on the
 * node; the device formatted if blank and mounted once per node, then
 * bound into the pod and given to the pod's fsGroup; and, while mounted, the file system grown when the
 * claim waits on the node for it (FileSystemResizePending).
 */
export class PersistentVolumeClaimPlugin implements VolumePlugin {
  readonly name = 'kubernetes.io~csi';
  readonly readOnly = false;
  /** Set up on every pod sync: a mounted volume may have a file system to grow. */
  readonly refreshes = true;
  private readonly expansion: NodeExpansion;
  private readonly checkedAt = new Map<string, number>();

  constructor(private readonly opts: ClaimPluginOptions) {
    this.expansion = new NodeExpansion(opts.client, opts.recorder, opts.devices, opts.nodeName);
  }

  async setUp(volume: AnyObject, dir: string, ctx: VolumeContext): Promise<string> {
    const { pod } = ctx;
    const key = `${pod.metadata.uid}/${volume.name}`;
    const target = join(dir, 'mount');
    if (mountAt(target)) {
      if (Date.now() - (this.checkedAt.get(key) ?? 0) >= EXPANSION_CHECK_MS) {
        this.checkedAt.set(key, Date.now());
        // The volume is mounted and stays so: a failed look at its claim is no failed mount.
        await this.resolve(pod, volume.persistentVolumeClaim.claimName)
          .then((v) => {
            this.opts.devices.want(key, v.volumeId);
            return this.expansion.expand(pod, v.claim, v.pv, v.volumeId);
          })
          .catch((err) => this.opts.onError(err, { component: 'node-agent', phase: 'volumes', pod: `${pod.metadata.namespace}/${pod.metadata.name}`, volume: volume.name }));
      }
      return target;
    }
    const { claim, pv, volumeId } = await this.resolve(pod, volume.persistentVolumeClaim.claimName);
    this.opts.devices.want(key, volumeId);
    if (!this.opts.devices.isReported(volumeId)) {
      throw new VolumeNotReadyError(`volume "${pv.metadata.name}" has not been added to the list of VolumesInUse in the node's volume status yet`);
    }
    const device = await this.attachedDevice(volumeId, pv.metadata.name!);
    const fsType: string = pv.spec.csi.fsType || 'ext4';
    const global = await this.opts.devices.stage(volumeId, device, fsType, pv.spec.mountOptions ?? []);
    const readOnly = !!volume.persistentVolumeClaim.readOnly || !!pv.spec.csi.readOnly;
    // The EBS CSI driver leaves fsGroup to the kubelet (fsGroupPolicy ReadWriteOnceWithFSType), applied for each pod
    // that mounts it; before the bind, so a failure is tried again rather than leaving the pod a bound volume without it.
    const fsGroup = pod.spec?.securityContext?.fsGroup;
    if (fsGroup !== undefined && !readOnly) setVolumeOwnership(global, fsGroup, pod.spec.securityContext.fsGroupChangePolicy);
    await this.opts.devices.publish(volumeId, target, readOnly);
    this.checkedAt.set(key, Date.now());
    await this.expansion.expand(pod, claim, pv, volumeId);
    return target;
  }

  /** Drops what the plugin remembers of a pod's volumes. */
  forgetPod(uid: string): void {
    for (const key of [...this.checkedAt.keys()]) if (key.startsWith(`${uid}/`)) this.checkedAt.delete(key);
  }

  /** The claim, bound, and its PV, an EBS volume bound to it, in the kubelet's words when one is not so. */
  private async resolve(pod: AnyObject, claimName: string): Promise<ClaimVolume> {
    const namespace = pod.metadata.namespace;
    const what = `error processing PVC ${namespace}/${claimName}`;
    const claim = await this.get(PERSISTENT_VOLUME_CLAIMS, claimName, namespace);
    if (!claim) throw new Error(`${what}: failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`);
    if (claim.metadata.deletionTimestamp) throw new Error(`${what}: can't start pod because PVC ${namespace}/${claimName} is being deleted`);
    const volumeName: string = claim.spec?.volumeName ?? '';
    if (claim.status?.phase !== 'Bound' || !volumeName) {
      throw new VolumeNotReadyError(`${what}: PVC ${namespace}/${claimName} has non-bound phase ("${claim.status?.phase ?? ''}") or empty pvc.Spec.VolumeName ("${volumeName}")`);
    }
    const pv = await this.get(PERSISTENT_VOLUMES, volumeName);
    if (!pv) throw new Error(`${what}: failed to fetch PV ${volumeName} from API server: persistentvolumes "${volumeName}" not found`);
    if (pv.spec?.claimRef?.uid !== claim.metadata.uid) throw new Error(`${what}: PV ${volumeName} is not bound to this claim`);
    if (pv.spec?.volumeMode === 'Block') throw new Error(`${what}: PV ${volumeName} has volumeMode Block: raw block volumes are not supported by this node agent`);
    const source = csiSource(pv);
    if (source?.driver !== EBS_CSI_DRIVER) {
      throw new Error(`${what}: PV ${volumeName} is not an ${EBS_CSI_DRIVER} volume: only EBS volumes are mounted by this node agent`);
    }
    return { claim, pv, volumeId: source.volumeHandle };
  }

  /** The volume's device on this node, once its VolumeAttachment says attached and the device is there (the CSI attacher's WaitForAttach). */
  private async attachedDevice(volumeId: string, pvName: string): Promise<string> {
    const name = csiAttachmentName(volumeId, EBS_CSI_DRIVER, this.opts.nodeName);
    const va = await this.get(VOLUME_ATTACHMENTS, name);
    if (!va?.status?.attached || va.metadata.deletionTimestamp) {
      const error = va?.status?.attachError?.message;
      throw new VolumeNotReadyError(error
        ? `AttachVolume.Attach failed for volume "${pvName}" : ${error}`
        : `waiting for volume ${volumeId} to be attached to node ${this.opts.nodeName} (VolumeAttachment ${name})`);
    }
    const devicePath: string | undefined = va.status.attachmentMetadata?.devicePath;
    const device = findEbsDevice(this.opts.deviceDir, devicePath, volumeId);
    if (!device) throw new VolumeNotReadyError(`volume ${volumeId} is attached as ${devicePath ?? 'an unnamed device'}, which is not on the node yet`);
    return device;
  }

  private async get(ref: ResourceRef, name: string, namespace?: string): Promise<AnyObject | undefined> {
    try {
      return await this.opts.client.get(ref, name, namespace ? { namespace } : {});
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
