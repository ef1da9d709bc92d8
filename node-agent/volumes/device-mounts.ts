import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csiUniqueVolumeName, EBS_CSI_DRIVER } from '../../api/storage/csi-attachment.js';
import { log } from '../../client/log.js';
import { deviceFormat, growUnmounted, isExt, makeFileSystem } from './file-systems.js';
import { bindMount, mountAt, mountDevice, mountPointsUnder, mounts, unmount } from './mount-points.js';

/** What the kubelet writes beside a CSI volume's global mount: which volume the folder (named by a hash) is. */
const VOL_DATA = 'vol_data.json';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The node's EBS volumes as the kubelet's volume manager keeps CSI
 * volumes: each mounted once per node at its global mount path
 * (<root>/plugins/kubernetes.io/csi/ebs.csi.aws.com/<sha256 of the volume
 * id>/globalmount, MountDevice), formatted there first if the device is
 * blank, then bound into each pod that uses it (SetUp), and unmounted once
 * no pod here wants it or has it bound (UnmountDevice). What the node has
 * mounted is read from the disk and the kernel, so a restarted agent knows
 * it again. It also keeps node.status.volumesInUse: the volumes pods here
 * want and those still mounted, which the attach/detach controller waits
 * on before it detaches; a volume is mounted only once the node has
 * reported it in use, so it is never detached under a mount.
 */
export class DeviceMounts {
  /** Volume ids the pods' volumes (`<pod uid>/<volume name>`) resolved to. */
  private readonly wanted = new Map<string, string>();
  private reported = new Set<string>();
  private lastInUse = '';
  private readonly locks = new Map<string, Promise<void>>();

  constructor(private readonly opts: { rootDir: string; onInUseChanged(): void }) {}

  private get pluginDir(): string {
    return join(this.opts.rootDir, 'plugins', 'kubernetes.io', 'csi', EBS_CSI_DRIVER);
  }

  private volumeDir(volumeId: string): string {
    return join(this.pluginDir, sha256(volumeId));
  }

  globalMountPath(volumeId: string): string {
    return join(this.volumeDir(volumeId), 'globalmount');
  }

  /** The pod's volume uses this EBS volume: it is in use from now on. */
  want(podVolume: string, volumeId: string): void {
    if (this.wanted.get(podVolume) === volumeId) return;
    this.wanted.set(podVolume, volumeId);
    this.changed();
  }

  forgetPod(uid: string): void {
    for (const key of [...this.wanted.keys()]) if (key.startsWith(`${uid}/`)) this.wanted.delete(key);
    this.changed();
  }

  /** node.status.volumesInUse: the unique names of the volumes wanted or still mounted, sorted. */
  inUse(): string[] {
    const ids = new Set([...this.wanted.values(), ...this.staged()]);
    return [...ids].map((id) => csiUniqueVolumeName(EBS_CSI_DRIVER, id)).sort();
  }

  /** The names the node's status lists now (the kubelet's MarkVolumesAsReportedInUse). */
  markReported(names: string[]): void {
    this.reported = new Set(names);
  }

  isReported(volumeId: string): boolean {
    return this.reported.has(csiUniqueVolumeName(EBS_CSI_DRIVER, volumeId));
  }

  /** The device a mounted volume is mounted from. */
  mountedDevice(volumeId: string): string | undefined {
    return mountAt(this.globalMountPath(volumeId))?.source;
  }

  /**
   * MountDevice: the volume's device mounted at its global mount path,
   * made a file system of `fsType` only if it holds nothing at all (a
   * volume is formatted once, its data kept on every later mount), and an
   * ext file system grown first when the volume outgrew it. A device with
   * another file system, or a partition table, is refused, never formatted.
   */
  async stage(volumeId: string, device: string, fsType: string, mountOptions: string[]): Promise<string> {
    return this.locked(volumeId, async () => {
      const target = this.globalMountPath(volumeId);
      if (mountAt(target)) return target;
      mkdirSync(target, { recursive: true });
      writeFileSync(join(this.volumeDir(volumeId), VOL_DATA), JSON.stringify({ driverName: EBS_CSI_DRIVER, volumeHandle: volumeId }));
      const format = await deviceFormat(device);
      let type = fsType;
      if (!format) {
        log.info('formatting a blank volume', { volume: volumeId, device, fsType });
        await makeFileSystem(device, fsType);
      } else if (!format.type) {
        throw new Error(`device ${device} of volume ${volumeId} holds a partition table (${format.pttype}) and no file system: not formatting it`);
      } else if (format.type !== fsType && !(isExt(format.type) && isExt(fsType))) {
        throw new Error(`failed to mount the volume as "${fsType}", it already contains ${format.type}`);
      } else {
        type = format.type;
        if (await growUnmounted(device, type)) log.info('grew the file system to its volume', { volume: volumeId, device });
      }
      await mountDevice(device, target, type, mountOptions);
      return target;
    });
  }

  /** SetUp: binds the mounted volume at the pod's folder, read-only when asked. */
  async publish(volumeId: string, target: string, readOnly: boolean): Promise<void> {
    await this.locked(volumeId, async () => {
      if (mountAt(target)) return;
      const source = this.globalMountPath(volumeId);
      if (!mountAt(source)) throw new Error(`volume ${volumeId} is not mounted at ${source}`);
      mkdirSync(target, { recursive: true });
      await bindMount(source, target, readOnly);
    });
  }

  /**
   * UnmountDevice for every mounted volume that no pod here wants and that
   * no pod folder still has bound (its mounts share the device's numbers);
   * its folder goes once nothing is mounted in it.
   */
  async unstageUnused(): Promise<void> {
    let unstaged = false;
    for (const volumeId of this.staged()) {
      await this.locked(volumeId, async () => {
        if ([...this.wanted.values()].includes(volumeId)) return;
        const target = this.globalMountPath(volumeId);
        const global = mountAt(target);
        if (global) {
          const pods = `${join(this.opts.rootDir, 'pods')}/`;
          if (mounts().some((m) => m.device === global.device && m.mountPoint.startsWith(pods))) return;
          await unmount(target);
          log.info('unmounted a volume no pod uses', { volume: volumeId, device: global.source });
        }
        const dir = this.volumeDir(volumeId);
        if (mountPointsUnder(dir).length) return;
        rmSync(join(dir, VOL_DATA), { force: true });
        // rmdir, not a recursive removal: a folder that still holds something is never emptied through a mount.
        for (const d of [target, dir]) if (existsSync(d)) rmdirSync(d);
        unstaged = true;
      });
    }
    if (unstaged) this.changed();
  }

  /** The volume ids with a folder here: mounted, or being mounted. */
  private staged(): string[] {
    if (!existsSync(this.pluginDir)) return [];
    const out: string[] = [];
    for (const name of readdirSync(this.pluginDir)) {
      try {
        out.push(JSON.parse(readFileSync(join(this.pluginDir, name, VOL_DATA), 'utf8')).volumeHandle);
      } catch {
        // No record: not a volume folder of this agent's.
      }
    }
    return out;
  }

  private changed(): void {
    const now = this.inUse().join(',');
    if (now === this.lastInUse) return;
    this.lastInUse = now;
    this.opts.onInUseChanged();
  }

  /** One operation at a time on a volume: a mount, a bind and an unmount of it never interleave. */
  private async locked<T>(volumeId: string, fn: () => Promise<T>): Promise<T> {
    const prior = this.locks.get(volumeId) ?? Promise.resolve();
    const run = prior.then(fn);
    const done = run.then(() => undefined, () => undefined);
    this.locks.set(volumeId, done);
    try {
      return await run;
    } finally {
      if (this.locks.get(volumeId) === done) this.locks.delete(volumeId);
    }
  }
}
