import { chmodSync, lchownSync, lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';

const RW = 0o660;
const EXEC = 0o110;
const SETGID = 0o2000;

/** The bits every file of the volume gets: group read and write, and on folders group search and setgid, so new files keep the group. */
const maskOf = (s: Stats) => RW | (s.isDirectory() ? SETGID | EXEC : 0);

function change(path: string, fsGroup: number): void {
  const s = lstatSync(path);
  lchownSync(path, s.uid, fsGroup);
  if (s.isSymbolicLink()) return;
  chmodSync(path, (s.mode & 0o7777) | maskOf(s));
  if (s.isDirectory()) for (const name of readdirSync(path)) change(join(path, name), fsGroup);
}

/**
 * The kubelet's SetVolumeOwnership, for a volume a pod with an fsGroup
 * mounts writable (a read-only one is left as it is): every file's group
 * becomes the fsGroup, with the mask above added to its mode, so the pod's processes (all in that group) may
 * use it whatever user they run as. With fsGroupChangePolicy
 * OnRootMismatch a volume whose root is already so is not walked, as a
 * large volume would be at every mount otherwise.
 */
export function setVolumeOwnership(dir: string, fsGroup: number, policy: string | undefined): void {
  const root = lstatSync(dir);
  const mask = maskOf(root);
  if (policy === 'OnRootMismatch' && root.gid === fsGroup && (root.mode & mask) === mask) return;
  change(dir, fsGroup);
}
