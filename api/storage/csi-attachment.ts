import { createHash } from 'node:crypto';
import type { KObject } from '../kind.js';

/**
 * How kube names a CSI volume's attachment: the VolumeAttachment
 * `csi-<sha256 of volumeHandle, driver and node name>` (the CSI attacher's
 * getAttachmentName), and the unique volume name nodes list in
 * status.volumesInUse and status.volumesAttached.
 */
/** The EBS CSI driver: the one CSI driver Skiff attaches volumes for (the cloud-controller-manager is its attacher). */
export const EBS_CSI_DRIVER = 'ebs.csi.aws.com';

export const csiAttachmentName = (volumeHandle: string, driver: string, nodeName: string): string =>
  `csi-${createHash('sha256').update(`${volumeHandle}${driver}${nodeName}`).digest('hex')}`;

export const csiUniqueVolumeName = (driver: string, volumeHandle: string): string => `kubernetes.io/csi/${driver}^${volumeHandle}`;

/** The PV's CSI driver and volume handle, when it is a CSI volume. */
export function csiSource(pv: KObject | undefined): { driver: string; volumeHandle: string } | undefined {
  const csi = pv?.spec?.csi;
  return csi?.driver && csi?.volumeHandle ? { driver: csi.driver, volumeHandle: csi.volumeHandle } : undefined;
}
