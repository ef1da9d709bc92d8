import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A bound loop device: its node under /dev, the file behind it and the size the kernel gives it. */
export interface LoopDevice {
  device: string;
  backingFile: string;
  sizeBytes: number;
}

const SYS_BLOCK = '/sys/block';

/**
 * The host's bound loop devices, read from sysfs (the kernel's own record,
 * so a restart of whoever bound them loses nothing). A backing file deleted
 * while bound is named without the kernel's " (deleted)" mark.
 */
export function loopDevices(): LoopDevice[] {
  const out: LoopDevice[] = [];
  for (const name of readdirSync(SYS_BLOCK).filter((n) => /^loop\d+$/.test(n))) {
    const backing = join(SYS_BLOCK, name, 'loop', 'backing_file');
    if (!existsSync(backing)) continue;
    try {
      const backingFile = readFileSync(backing, 'utf8').trim().replace(/ \(deleted\)$/, '');
      const sectors = Number(readFileSync(join(SYS_BLOCK, name, 'size'), 'utf8').trim());
      out.push({ device: `/dev/${name}`, backingFile, sizeBytes: sectors * 512 });
    } catch {
      // Unbound between the listing and the read.
    }
  }
  return out;
}

function losetup(args: string[]): string {
  try {
    return execFileSync('losetup', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
    throw new Error(`losetup ${args.join(' ')}: ${stderr || (err as Error).message}`);
  }
}

/** Binds `file` to a free loop device and answers its node; one already bound to it is reused (--nooverlap). */
export function bindLoopDevice(file: string): string {
  return losetup(['--find', '--nooverlap', '--show', file]);
}

/** Makes the kernel read the backing file's size again, after the file grew. */
export function refreshLoopCapacity(device: string): void {
  losetup(['--set-capacity', device]);
}

/**
 * Unbinds a loop device. One still mounted is only marked to go with its
 * last user (the kernel's autoclear), so this never pulls a device from
 * under a mounted file system.
 */
export function unbindLoopDevice(device: string): void {
  try {
    losetup(['--detach', device]);
  } catch (err) {
    if (loopDevices().some((l) => l.device === device)) throw err;
  }
}
