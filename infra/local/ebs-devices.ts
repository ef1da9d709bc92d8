import { DescribeInstancesCommand, DescribeVolumesCommand, type Filter, type Volume } from '@aws-sdk/client-ec2';
import { closeSync, existsSync, ftruncateSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { AwsClients } from '../../controllers/aws/aws-clients.js';
import { nitroDeviceId } from '../../controllers/aws/ebs-devices.js';
import { log, logError } from '../../client/log.js';
import { bindLoopDevice, loopDevices, refreshLoopCapacity, unbindLoopDevice, type LoopDevice } from './loop-devices.js';

/**
 * Where the EBS volumes of the local workers live on this machine: one
 * file per volume under `volumesDir`, and one folder per local worker under
 * `deviceRoot`, named by its instance id, that stands for that worker's
 * /dev (its agent's --device-dir). A worker's folder exists while it runs:
 * that is what makes an instance of the endpoint a local worker here.
 */
export interface EbsDeviceLayout {
  volumesDir: string;
  deviceRoot: string;
}

/** Where a worker's device folder is. */
export const workerDeviceDir = (layout: EbsDeviceLayout, instanceId: string): string => join(layout.deviceRoot, instanceId);

const BY_ID = join('disk', 'by-id');
const GIB = 1024 ** 3;
const VOLUME_FILE = /^(vol-[0-9a-f]+)\.img$/;
const volumeFile = (layout: EbsDeviceLayout, volumeId: string) => join(layout.volumesDir, `${volumeId}.img`);

/** What one sync changed, for the log. */
export interface EbsDeviceChanges {
  attached: string[];
  detached: string[];
  grown: string[];
  deleted: string[];
}

async function describeVolumes(aws: AwsClients, filter: Filter): Promise<Volume[]> {
  const out: Volume[] = [];
  let NextToken: string | undefined;
  do {
    const page = await aws.ec2.send(new DescribeVolumesCommand({ Filters: [filter], NextToken }));
    out.push(...(page.Volumes ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/**
 * The root device names of the instances (the AMI's, e.g. /dev/sda1), looked
 * up once per instance into `known`: a local worker's root disk is the
 * host's own, so its instance's root volume gets no device.
 */
async function rootDevices(aws: AwsClients, instances: string[], known: Map<string, string>): Promise<Map<string, string>> {
  const missing = instances.filter((i) => !known.has(i));
  if (missing.length) {
    const reservations = (await aws.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: missing }] }))).Reservations ?? [];
    for (const inst of reservations.flatMap((r) => r.Instances ?? [])) known.set(inst.InstanceId!, inst.RootDeviceName ?? '');
  }
  return known;
}

/** The instance ids of the local workers running now: their device folders. */
function localInstances(layout: EbsDeviceLayout): string[] {
  if (!existsSync(layout.deviceRoot)) return [];
  return readdirSync(layout.deviceRoot).filter((n) => /^i-[0-9a-f]+$/.test(n));
}

/** The volume's file, made sparse at the volume's size the first time and grown with it, never shrunk; answers whether it grew. */
function ensureVolumeFile(file: string, sizeBytes: number): { created: boolean; grown: boolean } {
  const created = !existsSync(file);
  if (created) {
    closeSync(openSync(file, 'wx', 0o600));
  }
  if (statSync(file).size >= sizeBytes) return { created, grown: false };
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, sizeBytes);
  } finally {
    closeSync(fd);
  }
  return { created, grown: !created };
}

/** A symlink at `path` to `target`, replacing whatever link was there. */
function ensureLink(path: string, target: string): boolean {
  try {
    if (readlinkSync(path) === target) return false;
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  symlinkSync(target, path);
  return true;
}

/**
 * Runs `make` in a worker's device folder, answering false when the folder
 * went meanwhile (the worker stopping): nothing is made in its place, as
 * folders are only ever made one level at a time inside it.
 */
function inWorkerDir(make: () => void): boolean {
  try {
    make();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** The symlinks directly in `dir` (the worker's device names, or its by-id names) with their targets. */
function linksIn(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (lstatSync(path).isSymbolicLink()) out.set(path, readlinkSync(path));
  }
  return out;
}

/**
 * Makes the local workers' block devices match the endpoint's attachments,
 * as the EBS data plane does for an instance: a volume attached to a local
 * worker's instance gets a file (sparse, at the volume's size, grown when
 * the volume is), a loop device on it, and in the worker's device folder a
 * link under the device name AttachVolume gave (xvdaa for /dev/xvdaa) and
 * one under disk/by-id with the name Nitro instances give it. A detached
 * volume loses its links and loop device; its file stays (the data
 * outlives attachments) until the volume is deleted in the endpoint. The
 * instance's root volume gets none: the worker's root disk is the host's.
 * Everything is read from the endpoint, the kernel and the folders at each
 * sync, so a restart picks up where the last one was (`rootDeviceNames`
 * only saves looking up the instances' root device names again).
 */
export async function syncEbsDevices(aws: AwsClients, layout: EbsDeviceLayout, rootDeviceNames = new Map<string, string>()): Promise<EbsDeviceChanges> {
  const changes: EbsDeviceChanges = { attached: [], detached: [], grown: [], deleted: [] };
  mkdirSync(layout.volumesDir, { recursive: true });
  const instances = localInstances(layout);
  const attachedVolumes = instances.length ? await describeVolumes(aws, { Name: 'attachment.instance-id', Values: instances }) : [];
  const roots = await rootDevices(aws, instances, rootDeviceNames);
  const ours = (l: LoopDevice) => l.backingFile.startsWith(`${layout.volumesDir}/`);
  const loops = new Map(loopDevices().filter(ours).map((l) => [l.backingFile, l]));
  const keepLoops = new Set<string>();
  const keepFiles = new Set<string>();
  const keepLinks = new Set<string>();
  for (const v of attachedVolumes) {
    const volumeId = v.VolumeId!;
    const sizeBytes = (v.Size ?? 0) * GIB;
    for (const a of v.Attachments ?? []) {
      if (a.State !== 'attached' || !a.InstanceId || !instances.includes(a.InstanceId) || !a.Device || roots.get(a.InstanceId) === a.Device) continue;
      const dir = workerDeviceDir(layout, a.InstanceId);
      const file = volumeFile(layout, volumeId);
      const { grown } = ensureVolumeFile(file, sizeBytes);
      let loop = loops.get(file);
      if (!loop) {
        loop = { device: bindLoopDevice(file), backingFile: file, sizeBytes };
        loops.set(file, loop);
        changes.attached.push(`${volumeId} on ${a.InstanceId} as ${a.Device} (${loop.device})`);
      } else if (grown || loop.sizeBytes < sizeBytes) {
        refreshLoopCapacity(loop.device);
        changes.grown.push(`${volumeId} to ${v.Size} GiB`);
      }
      keepLoops.add(loop.device);
      keepFiles.add(file);
      const name = join(dir, a.Device.replace(/^\/dev\//, ''));
      const byId = join(dir, BY_ID, nitroDeviceId(volumeId));
      if (!inWorkerDir(() => {
        for (const d of [join(dir, 'disk'), join(dir, BY_ID)]) if (!existsSync(d)) mkdirSync(d);
        ensureLink(name, loop.device);
        ensureLink(byId, loop.device);
      })) continue;
      keepLinks.add(name).add(byId);
    }
  }
  for (const instance of instances) {
    const dir = workerDeviceDir(layout, instance);
    for (const [path] of [...linksIn(dir), ...linksIn(join(dir, BY_ID))]) if (!keepLinks.has(path)) rmSync(path, { force: true });
  }
  for (const loop of loops.values()) {
    if (keepLoops.has(loop.device)) continue;
    unbindLoopDevice(loop.device);
    changes.detached.push(`${loop.backingFile} (${loop.device})`);
  }
  changes.deleted = await deleteVolumeFiles(aws, layout, keepFiles);
  return changes;
}

/** Removes the files (other than `attached` ones) of volumes the endpoint no longer has, or has deleted; answers their ids. */
async function deleteVolumeFiles(aws: AwsClients, layout: EbsDeviceLayout, attached: Set<string>): Promise<string[]> {
  const files = new Map<string, string>();
  for (const name of readdirSync(layout.volumesDir)) {
    const m = VOLUME_FILE.exec(name);
    if (m && !attached.has(join(layout.volumesDir, name))) files.set(m[1], join(layout.volumesDir, name));
  }
  if (!files.size) return [];
  const live = new Set((await describeVolumes(aws, { Name: 'volume-id', Values: [...files.keys()] }))
    .filter((v) => v.State !== 'deleted' && v.State !== 'deleting').map((v) => v.VolumeId!));
  const deleted: string[] = [];
  for (const [id, file] of files) {
    if (live.has(id)) continue;
    rmSync(file, { force: true });
    deleted.push(id);
  }
  return deleted;
}

/**
 * Takes every device apart (links and loop devices), as an instance's
 * devices go with its host; the volume files stay for the endpoint's
 * volumes to be attached again.
 */
export function releaseEbsDevices(layout: EbsDeviceLayout): void {
  for (const instance of localInstances(layout)) {
    const dir = workerDeviceDir(layout, instance);
    for (const [path] of [...linksIn(dir), ...linksIn(join(dir, BY_ID))]) rmSync(path, { force: true });
  }
  for (const loop of loopDevices()) if (loop.backingFile.startsWith(`${layout.volumesDir}/`)) unbindLoopDevice(loop.device);
}

/** Keeps the local workers' devices in step with the endpoint every `periodMs` until `signal` aborts, then releases them. */
export async function runEbsDevices(aws: AwsClients, layout: EbsDeviceLayout, signal: AbortSignal, periodMs = 1_000): Promise<void> {
  const rootDeviceNames = new Map<string, string>();
  try {
    while (!signal.aborted) {
      try {
        const changes = await syncEbsDevices(aws, layout, rootDeviceNames);
        if (Object.values(changes).some((c) => c.length)) log.info('ebs devices synced', { ...changes });
      } catch (err) {
        if (!signal.aborted) logError(err, { component: 'ebs-devices' });
      }
      await delay(periodMs, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    releaseEbsDevices(layout);
  }
}
