import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One line of /proc/self/mountinfo: where, which device (major:minor, the same for a bind mount of it) and its source. */
export interface MountInfo {
  mountPoint: string;
  device: string;
  source: string;
}

/** The kernel writes space, tab, newline and backslash as octal escapes. */
const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_m, oct) => String.fromCharCode(parseInt(oct, 8)));

/** The host's mounts (the agent's mount namespace is the host's, as the kubelet's is). */
export function mounts(): MountInfo[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).map((line) => {
    const fields = line.split(' ');
    // The optional fields end at a lone '-', then come the file system type and the source.
    const sep = fields.indexOf('-', 6);
    return { mountPoint: unescape(fields[4]), device: fields[2], source: unescape(fields[sep + 2] ?? '') };
  });
}

/** Mount points at or under `dir`, deepest first: the order they can be unmounted in. */
export function mountPointsUnder(dir: string): string[] {
  return mounts().map((m) => m.mountPoint).filter((m) => m === dir || m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

/** The mount at exactly `dir`, if it is a mount point. */
export const mountAt = (dir: string): MountInfo | undefined => mounts().filter((m) => m.mountPoint === dir).pop();

/** A tmpfs of `sizeBytes` (the kernel's default, half the memory, for 0) at `dir`. */
export async function mountTmpfs(dir: string, sizeBytes: number): Promise<void> {
  const options = sizeBytes > 0 ? ['-o', `size=${sizeBytes}`] : [];
  await run('mount', ['-t', 'tmpfs', ...options, 'tmpfs', dir]).catch((err) => {
    throw new Error(`mount tmpfs at ${dir}: ${String(err.stderr || err.message).trim()}`);
  });
}

/** Mounts `device` (a file system of `fsType`) at `dir`. */
export async function mountDevice(device: string, dir: string, fsType: string, options: string[]): Promise<void> {
  const opts = options.length ? ['-o', options.join(',')] : [];
  await run('mount', ['-t', fsType, ...opts, device, dir]).catch((err) => {
    throw new Error(`mount -t ${fsType} ${device} ${dir}: ${String(err.stderr || err.message).trim()}`);
  });
}

/** Binds `source` at `dir`, read-only when asked (a bind takes ro only on a remount). */
export async function bindMount(source: string, dir: string, readOnly: boolean): Promise<void> {
  await run('mount', ['--bind', source, dir]).catch((err) => {
    throw new Error(`mount --bind ${source} ${dir}: ${String(err.stderr || err.message).trim()}`);
  });
  if (!readOnly) return;
  await run('mount', ['-o', 'remount,bind,ro', dir]).catch(async (err) => {
    await unmount(dir);
    throw new Error(`remount ${dir} read-only: ${String(err.stderr || err.message).trim()}`);
  });
}

export async function unmount(dir: string): Promise<void> {
  await run('umount', [dir]).catch((err) => {
    throw new Error(`unmount ${dir}: ${String(err.stderr || err.message).trim()}`);
  });
}
