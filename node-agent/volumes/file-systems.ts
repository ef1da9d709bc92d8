import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The file systems a PV's fsType may name, as the EBS CSI driver formats them. */
const MKFS: Record<string, (device: string) => string[]> = {
  // -m0: no blocks reserved for root on a data volume, as mount-utils formats ext file systems.
  ext2: (d) => ['mkfs.ext2', '-F', '-m0', d],
  ext3: (d) => ['mkfs.ext3', '-F', '-m0', d],
  ext4: (d) => ['mkfs.ext4', '-F', '-m0', d],
  xfs: (d) => ['mkfs.xfs', d],
};

export const isExt = (fsType: string | undefined): boolean => /^ext[234]$/.test(fsType ?? '');

/** Runs a tool of the node; its failure is an error with its own words, a tool that is not installed says so. */
async function tool(command: string, args: string[], okCodes: number[] = [0]): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await execFileAsync(command, args, { encoding: 'utf8' });
    return { stdout, code: 0 };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error(`${command} is not installed on this node`);
    if (typeof e.code === 'number' && okCodes.includes(e.code)) return { stdout: e.stdout ?? '', code: e.code };
    throw new Error(`${command} ${args.join(' ')}: ${String(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/**
 * What a device holds, as `blkid -p` probes it (no cache): a file system
 * type, a partition table type, or undefined for a blank device (blkid's
 * exit code 2), which alone may be formatted.
 */
export async function deviceFormat(device: string): Promise<{ type?: string; pttype?: string } | undefined> {
  const { stdout, code } = await tool('blkid', ['-p', '-s', 'TYPE', '-s', 'PTTYPE', '-o', 'export', device], [2]);
  if (code === 2) return undefined;
  const fields = Object.fromEntries(stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { type: fields.TYPE, pttype: fields.PTTYPE };
}

export async function makeFileSystem(device: string, fsType: string): Promise<void> {
  const mkfs = MKFS[fsType];
  if (!mkfs) throw new Error(`fsType ${fsType} is not supported: one of ${Object.keys(MKFS).join(', ')}`);
  const [command, ...args] = mkfs(device);
  await tool(command, args);
}

export async function blockDeviceSize(device: string): Promise<number> {
  return Number((await tool('blockdev', ['--getsize64', device])).stdout.trim());
}

/** An ext file system's size in bytes, from its superblock (mounted or not). */
async function extSize(device: string): Promise<{ bytes: number; blockSize: number }> {
  const { stdout } = await tool('dumpe2fs', ['-h', device]);
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(stdout)?.[1]);
  const blockSize = field('Block size');
  const bytes = field('Block count') * blockSize;
  if (!Number.isFinite(bytes)) throw new Error(`dumpe2fs -h ${device}: no block count or size in its answer`);
  return { bytes, blockSize };
}

/** An ext file system smaller than its device by more than a block: the volume grew since it was made or last grown. */
async function extNeedsGrowing(device: string): Promise<boolean> {
  const [{ bytes, blockSize }, deviceBytes] = await Promise.all([extSize(device), blockDeviceSize(device)]);
  return deviceBytes > bytes + blockSize;
}

/**
 * Grows an unmounted ext file system to its device, before it is mounted:
 * resize2fs wants a fresh forced check first. Answers whether it grew. An
 * XFS file system only grows mounted (growMounted).
 */
export async function growUnmounted(device: string, fsType: string): Promise<boolean> {
  if (!isExt(fsType) || !await extNeedsGrowing(device)) return false;
  // e2fsck exits 1 or 2 when it fixed something, which still leaves a file system fit to grow.
  await tool('e2fsck', ['-f', '-p', device], [1, 2]);
  await tool('resize2fs', [device]);
  return true;
}

/**
 * Grows a mounted file system to its device, as NodeExpandVolume does on
 * an instance: resize2fs online for ext (the kernel wants CAP_SYS_RESOURCE
 * for it), xfs_growfs on the mount point for XFS. Answers whether anything
 * was to grow.
 */
export async function growMounted(device: string, fsType: string, mountPath: string): Promise<boolean> {
  if (isExt(fsType)) {
    if (!await extNeedsGrowing(device)) return false;
    await tool('resize2fs', [device]);
    return true;
  }
  if (fsType === 'xfs') {
    await tool('xfs_growfs', ['-d', mountPath]);
    return true;
  }
  throw new Error(`growing a ${fsType} file system is not supported`);
}
