import { realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { nitroDeviceId } from '../../controllers/aws/ebs-devices.js';

/**
 * The block device of an attached EBS volume, looked for as the EBS CSI
 * driver looks: under the device name the attachment records
 * (/dev/xvdaa), else under the name a Nitro instance gives the volume's
 * NVMe device in /dev/disk/by-id. `deviceDir` stands for /dev (a local
 * worker's own device folder). Answers the device itself, links resolved,
 * or undefined while neither name is there.
 */
export function findEbsDevice(deviceDir: string, devicePath: string | undefined, volumeId: string): string | undefined {
  const names: string[] = [];
  const underDev = devicePath ? relative('/dev', devicePath) : '';
  if (underDev && !underDev.startsWith('..')) names.push(join(deviceDir, underDev));
  names.push(join(deviceDir, 'disk', 'by-id', nitroDeviceId(volumeId)));
  for (const name of names) {
    try {
      const device = realpathSync(name);
      if (statSync(device).isBlockDevice()) return device;
    } catch {
      // Not there (yet): the next name.
    }
  }
  return undefined;
}
