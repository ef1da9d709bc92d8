/**
 * Device names for EBS attachments, in the EBS CSI driver's order: the first
 * one the instance does not use, from /dev/xvdaa through /dev/xvdbz and
 * /dev/xvdda to /dev/xvddx (xvdc* is skipped, as the driver does). The
 * single-letter names are left to the AMI's own devices.
 */
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
export const EBS_DEVICE_NAMES: readonly string[] = [
  ...[...'ab'].flatMap((a) => [...LETTERS].map((b) => `/dev/xvd${a}${b}`)),
  ...[...LETTERS.slice(0, LETTERS.indexOf('x') + 1)].map((b) => `/dev/xvdd${b}`),
];

/**
 * Names being attached right now, per instance: two volumes attached to one
 * instance at the same moment must not both pick the first free name before
 * DescribeInstances shows either.
 */
export class DeviceReservations {
  private readonly inFlight = new Map<string, Set<string>>();

  /** The first name neither in use on the instance nor reserved; reserved until release(). */
  reserve(instanceId: string, inUse: Iterable<string>): string {
    const taken = new Set(inUse);
    const reserved = this.inFlight.get(instanceId) ?? new Set<string>();
    const name = EBS_DEVICE_NAMES.find((n) => !taken.has(n) && !reserved.has(n));
    if (!name) throw new Error(`no free device name on instance ${instanceId}: all ${EBS_DEVICE_NAMES.length} are in use`);
    reserved.add(name);
    this.inFlight.set(instanceId, reserved);
    return name;
  }

  release(instanceId: string, name: string): void {
    const reserved = this.inFlight.get(instanceId);
    reserved?.delete(name);
    if (reserved && !reserved.size) this.inFlight.delete(instanceId);
  }
}

/**
 * The name a Nitro instance's udev rules give an attached EBS volume under
 * /dev/disk/by-id, from the NVMe serial number: the volume id without its
 * dash. The device name AttachVolume was given may not exist there at all.
 */
export const nitroDeviceId = (volumeId: string): string => `nvme-Amazon_Elastic_Block_Store_${volumeId.replace('-', '')}`;
