import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The host's mount points (the agent's mount namespace is the host's, as the kubelet's is). */
function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean)
    // The fifth field; the kernel writes space, tab, newline and backslash as octal escapes.
    .map((line) => line.split(' ')[4].replace(/\\([0-7]{3})/g, (_m, oct) => String.fromCharCode(parseInt(oct, 8))));
}

/** Mount points at or under `dir`, deepest first: the order they can be unmounted in. */
export function mountPointsUnder(dir: string): string[] {
  return mountPoints().filter((m) => m === dir || m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

/** A tmpfs of `sizeBytes` (the kernel's default, half the memory, for 0) at `dir`. */
export async function mountTmpfs(dir: string, sizeBytes: number): Promise<void> {
  const options = sizeBytes > 0 ? ['-o', `size=${sizeBytes}`] : [];
  await run('mount', ['-t', 'tmpfs', ...options, 'tmpfs', dir]).catch((err) => {
    throw new Error(`mount tmpfs at ${dir}: ${String(err.stderr || err.message).trim()}`);
  });
}

export async function unmount(dir: string): Promise<void> {
  await run('umount', [dir]).catch((err) => {
    throw new Error(`unmount ${dir}: ${String(err.stderr || err.message).trim()}`);
  });
}
