import { quantityValue } from '../../api/validation/quantity.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { AnyObject } from '../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { Backoff } from '../pods/backoff.js';
import type { DeviceMounts } from './device-mounts.js';
import { blockDeviceSize, growMounted } from './file-systems.js';

/** The conditions the resize leaves on a claim until the node is done. */
const RESIZE_CONDITIONS = new Set(['Resizing', 'FileSystemResizePending']);

/** The claim waits for a node to grow its file system (the external-resizer is done with the volume). */
function fileSystemResizePending(claim: AnyObject): boolean {
  return claim.status?.allocatedResourceStatuses?.storage === 'NodeResizePending'
    || (claim.status?.conditions ?? []).some((c: AnyObject) => c.type === 'FileSystemResizePending' && c.status === 'True');
}

/**
 * The kubelet's node expansion (NodeExpandVolume) for mounted EBS volumes:
 * once the claim waits on the node and the device has grown to the PV's
 * new capacity, the file system is grown to the device where it is
 * mounted, then the claim gets its new capacity and loses its resize
 * conditions. A growth that fails (an ext file system cannot grow mounted
 * without CAP_SYS_RESOURCE) is a FileSystemResizeFailed event on the pod,
 * tried again with a back-off; the next mount of the volume grows it
 * unmounted anyway.
 */
export class NodeExpansion {
  private readonly retries = new Backoff();
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly client: RestClient, private readonly recorder: EventRecorder, private readonly devices: DeviceMounts, private readonly nodeName: string) {}

  async expand(pod: AnyObject, claim: AnyObject, pv: AnyObject, volumeId: string): Promise<void> {
    if (!fileSystemResizePending(claim)) return;
    if (this.retries.waitMs(volumeId, this.failedAt.get(volumeId) ?? 0) > 0) return;
    const device = this.devices.mountedDevice(volumeId);
    const capacity: string | undefined = pv.spec?.capacity?.storage;
    if (!device || !capacity) return;
    // The device grows after the volume does (the hypervisor, or ebs-devices here): looked at again at the next check.
    if (await blockDeviceSize(device) < quantityValue(capacity)) return;
    const pvName = pv.metadata.name;
    try {
      await growMounted(device, pv.spec.csi?.fsType || 'ext4', this.devices.globalMountPath(volumeId));
    } catch (err) {
      this.retries.next(volumeId);
      this.failedAt.set(volumeId, Date.now());
      this.recorder.event(pod, 'Warning', 'FileSystemResizeFailed', `MountVolume.NodeExpandVolume failed for volume "${pvName}" : ${(err as Error).message}`);
      return;
    }
    this.retries.forget(volumeId);
    this.failedAt.delete(volumeId);
    const { storage: _done, ...statuses } = claim.status?.allocatedResourceStatuses ?? {};
    const status: AnyObject = {
      ...claim.status,
      capacity: { ...claim.status?.capacity, storage: capacity },
      conditions: (claim.status?.conditions ?? []).filter((c: AnyObject) => !RESIZE_CONDITIONS.has(c.type)),
      allocatedResourceStatuses: statuses,
    };
    if (!Object.keys(statuses).length) delete status.allocatedResourceStatuses;
    await this.client.updateStatus(PERSISTENT_VOLUME_CLAIMS, { ...claim, status });
    this.recorder.event(pod, 'Normal', 'FileSystemResizeSuccessful', `MountVolume.NodeExpandVolume succeeded for volume "${pvName}" ${this.nodeName}`);
  }
}
