import { closeSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import type { VolumePlugin } from './volume-plugin.js';

/**
 * hostPath: a file or folder of the node itself, checked against its
 * `type` first (kube's checkType); the OrCreate types make what is missing.
 * Its content is the node's, so there is nothing to keep up to date.
 */
export const hostPathPlugin: VolumePlugin = {
  name: 'kubernetes.io~host-path',
  readOnly: false,
  refreshes: false,
  async setUp(volume) {
    const { path, type } = volume.hostPath;
    checkHostPathType(path, type ?? '');
    return path;
  },
};

const TYPE_CHECKS: Record<string, [(s: Stats) => boolean, string]> = {
  Directory: [(s) => s.isDirectory(), 'a directory'],
  File: [(s) => s.isFile(), 'a file'],
  Socket: [(s) => s.isSocket(), 'a socket file'],
  CharDevice: [(s) => s.isCharacterDevice(), 'a character device'],
  BlockDevice: [(s) => s.isBlockDevice(), 'a block device'],
};

function checkHostPathType(path: string, type: string): void {
  if (type === '') return;
  const found = statOrUndefined(path);
  if (!found && type === 'DirectoryOrCreate') {
    mkdirSync(path, { recursive: true, mode: 0o755 });
    return;
  }
  if (!found && type === 'FileOrCreate') {
    try {
      closeSync(openSync(path, 'a', 0o644));
    } catch (err) {
      throw new Error(`open ${path}: ${(err as Error).message.replace(/^\w+: /, '').replace(/, open .*$/, '')}`);
    }
    return;
  }
  const check = TYPE_CHECKS[type.replace(/OrCreate$/, '')];
  if (!check) throw new Error(`hostPath type ${type} is not supported`);
  if (!found || !check[0](found)) throw new Error(`hostPath type check failed: ${path} is not ${check[1]}`);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
