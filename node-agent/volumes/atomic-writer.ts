import { createHash } from 'node:crypto';
import {
  chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';

/** One file of a volume: its bytes and its mode bits. */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

/** A volume's files by their path inside it. */
export type Payload = Map<string, FileProjection>;

/** The link the visible files point through; swapped with one rename, so readers see the old files or the new ones, never a mix. */
const DATA_DIR = '..data';
const DATA_DIR_TMP = '..data_tmp';

/**
 * Writes a volume's files the way the kubelet's AtomicWriter does, so a
 * container reading a config map, secret or downward API volume never sees
 * half an update: each version goes into a fresh `..<timestamp>` folder,
 * the `..data` link is made to point at it with a rename, and each visible
 * name is a link to `..data/<name>`. Names starting with `..` belong to the
 * writer. A payload equal to what is there writes nothing: the last one
 * written to each folder is remembered by its hash, and after a restart the
 * folder itself is compared.
 */
export class AtomicWriter {
  private readonly written = new Map<string, string>();

  /** Makes `dir` hold exactly `payload`; answers whether anything changed. */
  write(dir: string, payload: Payload): boolean {
    for (const path of payload.keys()) checkPath(path);
    const hash = fingerprint(payload);
    if (this.written.get(dir) === hash) return false;
    mkdirSync(dir, { recursive: true });
    const dataLink = join(dir, DATA_DIR);
    const old = existsSync(dataLink) ? readlinkSync(dataLink) : undefined;
    const visible = new Set([...payload.keys()].map((p) => p.split('/')[0]));
    if (old && holds(join(dir, old), payload) && visibleLinksMatch(dir, visible)) {
      this.written.set(dir, hash);
      return false;
    }
    const stamp = new Date().toISOString().replace(/[-T:]/g, '_').replace(/\..*$/, '');
    const tsDir = mkdtempSync(join(dir, `..${stamp}.`));
    try {
      chmodSync(tsDir, 0o755);
      for (const [path, file] of payload) {
        const target = join(tsDir, path);
        mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
        writeFileSync(target, file.data, { mode: file.mode });
        // The umask may have taken bits away.
        chmodSync(target, file.mode);
      }
      const tmpLink = join(dir, DATA_DIR_TMP);
      rmSync(tmpLink, { force: true });
      symlinkSync(basename(tsDir), tmpLink);
      renameSync(tmpLink, dataLink);
    } catch (err) {
      rmSync(tsDir, { recursive: true, force: true });
      throw err;
    }
    for (const name of visible) {
      if (!lstatOrUndefined(join(dir, name))) symlinkSync(posix.join(DATA_DIR, name), join(dir, name));
    }
    // Names the new payload no longer has: only the writer's own links, never what a subPath made.
    for (const name of readdirSync(dir)) {
      if (name.startsWith('..') || visible.has(name)) continue;
      if (lstatSync(join(dir, name)).isSymbolicLink()) rmSync(join(dir, name));
    }
    if (old && old !== basename(tsDir)) rmSync(join(dir, old), { recursive: true, force: true });
    this.written.set(dir, hash);
    return true;
  }

  /** Forgets a folder removed with its pod. */
  forget(dir: string): void {
    for (const key of this.written.keys()) if (key === dir || key.startsWith(`${dir}/`)) this.written.delete(key);
  }
}

/** The kubelet's path rules: relative, no `..` element, not starting with `..` (the writer's own names). */
function checkPath(path: string): void {
  if (!path) throw new Error('invalid path: must not be empty');
  if (path.startsWith('/')) throw new Error(`invalid path: ${path}: must be relative`);
  if (path.split('/').includes('..')) throw new Error(`invalid path: ${path}: must not contain '..'`);
  if (path.startsWith('..')) throw new Error(`invalid path: ${path}: must not start with '..'`);
}

function fingerprint(payload: Payload): string {
  const hash = createHash('sha256');
  for (const path of [...payload.keys()].sort()) {
    const file = payload.get(path)!;
    hash.update(`${path}\0${file.mode}\0${file.data.length}\0`).update(file.data);
  }
  return hash.digest('hex');
}

/** Whether the folder a version was written to holds exactly `payload`, bytes and modes. */
function holds(tsDir: string, payload: Payload): boolean {
  let found: string[];
  try {
    found = filesUnder(tsDir, '');
  } catch {
    return false;
  }
  if (found.length !== payload.size) return false;
  for (const path of found) {
    const file = payload.get(path);
    if (!file) return false;
    const full = join(tsDir, path);
    if ((statSync(full).mode & 0o7777) !== file.mode || !readFileSync(full).equals(file.data)) return false;
  }
  return true;
}

function filesUnder(dir: string, prefix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesUnder(join(dir, e.name), path) : [path];
  });
}

function visibleLinksMatch(dir: string, visible: Set<string>): boolean {
  const present = readdirSync(dir).filter((n) => !n.startsWith('..') && lstatSync(join(dir, n)).isSymbolicLink());
  return present.length === visible.size && present.every((n) => visible.has(n));
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
