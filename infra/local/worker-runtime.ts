import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { buildBusyboxImage, type ImageSpec } from '../../node-agent/images/busybox-image.js';
import { cniConflist, CNI_TEMPLATE_FILE, containerdConfig, registryHosts, type ContainerdLayout } from './containerd-config.js';

export interface WorkerRuntimeSpec extends ContainerdLayout {
  /** The network namespace containerd runs in: the worker's. */
  netns: string;
  /** A fixed pod range; without one, containerd waits for the agent to pass the node's (UpdateRuntimeConfig). */
  podCidr?: string;
  /** Start it in its own session, to outlive this process (skiff up). */
  detached?: boolean;
}

/**
 * Writes the worker's containerd configuration and starts containerd in
 * the worker's network namespace. Only the network namespace is entered
 * (nsenter --net): a mount namespace as well, as `ip netns exec` makes,
 * hides the cgroup mounts runc needs.
 */
export function spawnContainerd(spec: WorkerRuntimeSpec): ChildProcess {
  const cniDir = join(spec.dir, 'cni');
  for (const sub of ['cni', 'ipam', 'opt', 'runc']) mkdirSync(join(spec.dir, sub), { recursive: true });
  const ipam = join(spec.dir, 'ipam');
  let template: string | undefined;
  if (spec.podCidr) writeFileSync(join(cniDir, '10-skiff.conflist'), cniConflist(spec.podCidr, ipam));
  else {
    template = join(spec.dir, CNI_TEMPLATE_FILE);
    writeFileSync(template, cniConflist('{{.PodCIDR}}', ipam));
  }
  if (spec.registry) {
    const hosts = join(spec.dir, 'certs.d', spec.registry);
    mkdirSync(hosts, { recursive: true });
    writeFileSync(join(hosts, 'hosts.toml'), registryHosts(spec.registry));
  }
  const config = join(spec.dir, 'config.toml');
  writeFileSync(config, containerdConfig(spec, { confDir: cniDir, template }));
  const log = openSync(join(spec.dir, 'containerd.log'), 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${spec.netns}`, 'containerd', '--config', config], { stdio: ['ignore', log, log], detached: !!spec.detached });
  closeSync(log);
  if (spec.detached) child.unref();
  return child;
}

/** Waits until containerd answers on its CRI socket; fails with the end of its log when it exits first. */
export async function waitForRuntime(spec: ContainerdLayout, alive: () => boolean, timeoutMs = 15_000): Promise<void> {
  const runtime = new RuntimeClient(`unix://${spec.socket}`, 2_000);
  try {
    for (const deadline = Date.now() + timeoutMs; ;) {
      if (!alive()) throw new Error(`containerd exited: ${readFileSync(join(spec.dir, 'containerd.log'), 'utf8').slice(-2000)}`);
      if (existsSync(spec.socket) && await runtime.runtimeCall('Version').then(() => true, () => false)) return;
      if (Date.now() > deadline) throw new Error(`containerd did not answer on ${spec.socket} within ${timeoutMs / 1000} s`);
      await delay(100);
    }
  } finally {
    runtime.close();
  }
}

/** Builds busybox images and imports them into the worker's containerd (the k8s.io namespace CRI uses): no registry needed. */
export function importBusyboxImages(spec: ContainerdLayout, images: ImageSpec[]): void {
  for (const image of images) {
    const tar = buildBusyboxImage(join(spec.dir, `${image.name.replace(/\W/g, '-')}.tar`), image);
    execFileSync('ctr', ['-a', spec.socket, '-n', 'k8s.io', 'images', 'import', tar], { stdio: 'ignore' });
  }
}

/** Stops every pod sandbox the worker's containerd runs, so their mounts and network namespaces go with them. */
export async function removeAllSandboxes(spec: ContainerdLayout): Promise<void> {
  const runtime = new RuntimeClient(`unix://${spec.socket}`, 10_000);
  try {
    const { items } = await runtime.runtimeCall('ListPodSandbox', {});
    for (const s of items ?? []) {
      await runtime.runtimeCall('StopPodSandbox', { podSandboxId: s.id }).catch(() => undefined);
      await runtime.runtimeCall('RemovePodSandbox', { podSandboxId: s.id }).catch(() => undefined);
    }
  } finally {
    runtime.close();
  }
}

/**
 * What a stopped containerd leaves: its shims (they outlive it by design,
 * found by the socket they were started with) and the mounts under its
 * folder.
 */
export function reapContainerd(spec: ContainerdLayout): void {
  try {
    execFileSync('pkill', ['-KILL', '-f', `containerd-shim-runc-v2 .*-address ${spec.socket}`]);
  } catch {
    // none left
  }
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.startsWith(spec.dir)).reverse();
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      // already gone
    }
  }
}
