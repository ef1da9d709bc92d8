import { existsSync, readFileSync } from 'node:fs';
import { arch, networkInterfaces, release } from 'node:os';

const readTrimmed = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').trim() : '');

/** The Node's nodeInfo as the kubelet fills it, the runtime's part from CRI's Version. */
export function nodeInfo(runtime: { runtimeName: string; runtimeVersion: string }, agentVersion: string): Record<string, string> {
  const osRelease = readTrimmed('/etc/os-release');
  return {
    machineID: readTrimmed('/etc/machine-id'),
    systemUUID: readTrimmed('/sys/class/dmi/id/product_uuid'),
    bootID: readTrimmed('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? 'Linux',
    containerRuntimeVersion: `${runtime.runtimeName}://${runtime.runtimeVersion}`,
    kubeletVersion: agentVersion,
    kubeProxyVersion: '',
    operatingSystem: 'linux',
    architecture: arch() === 'x64' ? 'amd64' : arch(),
  };
}

/** The host's first non-loopback IPv4 address: the kubelet's default node IP without --node-ip. */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('no IPv4 address on this host: pass --node-ip');
}
