import { readFileSync, statfsSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

/** The kubelet's default hard eviction thresholds, which allocatable keeps back: memory.available<100Mi, nodefs.available<10%. */
const EVICTION_MEMORY_BYTES = 100 * 1024 * 1024;
const EVICTION_NODEFS_SHARE = 0.1;

export interface HostResources {
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
}

const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

/**
 * What the host offers pods, as the kubelet reports it: every CPU, all
 * memory and the root dir's file system as capacity; allocatable keeps back
 * what the hard eviction thresholds protect.
 */
export function hostResources(rootDir: string, maxPods: number): HostResources {
  const memory = totalmem();
  const fs = statfsSync(rootDir);
  const storage = fs.blocks * fs.bsize;
  const cpu = String(availableParallelism());
  return {
    capacity: { cpu, memory: ki(memory), pods: String(maxPods), 'ephemeral-storage': ki(storage) },
    allocatable: {
      cpu, memory: ki(Math.max(0, memory - EVICTION_MEMORY_BYTES)), pods: String(maxPods),
      'ephemeral-storage': String(Math.floor(storage * (1 - EVICTION_NODEFS_SHARE))),
    },
  };
}

/** What the pressure conditions are computed from: memory available, the root dir's free share, free process ids. */
export interface HostPressure {
  memoryAvailableBytes: number;
  nodefsAvailableShare: number;
  pidsAvailableShare: number;
}

export function hostPressure(rootDir: string): HostPressure {
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const available = Number(/^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0) * 1024;
  const fs = statfsSync(rootDir);
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
  const running = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[3]?.split('/')[1] ?? 0);
  return { memoryAvailableBytes: available, nodefsAvailableShare: fs.bavail / fs.blocks, pidsAvailableShare: 1 - running / pidMax };
}

/** The thresholds past which the kubelet reports pressure (its hard eviction defaults). */
export const underMemoryPressure = (p: HostPressure) => p.memoryAvailableBytes < EVICTION_MEMORY_BYTES;
export const underDiskPressure = (p: HostPressure) => p.nodefsAvailableShare < EVICTION_NODEFS_SHARE;
export const underPidPressure = (p: HostPressure) => p.pidsAvailableShare < 0.05;
