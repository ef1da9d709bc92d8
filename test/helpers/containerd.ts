import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { buildBusyboxImage, type ImageSpec } from '../../node-agent/images/busybox-image.js';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';

/** The image every test pod runs, and the sandbox ("pause") image: both busybox, made here, no registry. */
export const BUSYBOX_IMAGE = 'skiff.local/busybox:1';
export const PAUSE_IMAGE = 'skiff.local/pause:1';

export interface TestRuntime {
  /** The CRI endpoint, as --container-runtime-endpoint takes it. */
  endpoint: string;
  /** The network namespace containerd and its pods live in (a worker's, as on an instance). */
  netns: string;
  podCidr: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * A containerd of its own, with its CRI plugin, in a network namespace of
 * its own (entered with nsenter --net only: a mount namespace as well would
 * hide the cgroup mounts runc needs), its state in a temporary folder, CNI's
 * bridge and host-local plugins on `podCidr`, and the busybox images
 * imported. stop() removes every sandbox, the process, its mounts, the
 * namespace and the folder.
 */
export async function startContainerd(opts: { podCidr?: string } = {}): Promise<TestRuntime> {
  const id = randomBytes(3).toString('hex');
  const podCidr = opts.podCidr ?? `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2, 4), 16)}.0/24`;
  // Short: unix socket paths must stay under 108 bytes.
  const dir = mkdtempSync(`/tmp/skiff-ctrd-${id}-`);
  const netns = `skiff-test-${id}`;
  const socket = join(dir, 'containerd.sock');
  for (const sub of ['cni', 'ipam', 'opt', 'runc']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'config.toml'), [
    'version = 2',
    `root = "${dir}/root"`,
    `state = "${dir}/state"`,
    '[grpc]', `  address = "${socket}"`,
    '[ttrpc]', `  address = "${socket}.ttrpc"`,
    '[plugins."io.containerd.internal.v1.opt"]', `  path = "${dir}/opt"`,
    '[plugins."io.containerd.grpc.v1.cri"]',
    `  sandbox_image = "${PAUSE_IMAGE}"`,
    // No CAP_SYS_RESOURCE here: containerd may only raise oom_score_adj.
    '  restrict_oom_score_adj = true',
    '  netns_mounts_under_state_dir = true',
    '  stream_server_address = "127.0.0.1"',
    '  stream_server_port = "0"',
    '[plugins."io.containerd.grpc.v1.cri".containerd]',
    '  snapshotter = "overlayfs"',
    '  default_runtime_name = "runc"',
    '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
    '  runtime_type = "io.containerd.runc.v2"',
    '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
    '  BinaryName = "/usr/sbin/runc"',
    `  Root = "${dir}/runc"`,
    '  SystemdCgroup = false',
    '[plugins."io.containerd.grpc.v1.cri".cni]',
    '  bin_dir = "/usr/lib/cni"',
    `  conf_dir = "${dir}/cni"`,
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'cni', '10-skiff.conflist'), JSON.stringify({
    cniVersion: '0.4.0', name: 'skiff',
    plugins: [
      { type: 'bridge', bridge: 'cni0', isGateway: true, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet: podCidr }]], dataDir: join(dir, 'ipam') } },
      { type: 'loopback' },
    ],
  }));
  execFileSync('ip', ['netns', 'add', netns]);
  let child: ChildProcess | undefined;
  const cleanup = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, delay(5_000).then(() => child!.kill('SIGKILL'))]);
    }
    // Shims outlive containerd by design; theirs are found by the socket they were started with.
    try {
      execFileSync('pkill', ['-KILL', '-f', `containerd-shim-runc-v2 .*-address ${socket}`]);
    } catch {
      // none left
    }
    const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.startsWith(dir)).reverse();
    for (const m of mounts) {
      try {
        execFileSync('umount', ['-l', m]);
      } catch {
        // already gone
      }
    }
    try {
      execFileSync('ip', ['netns', 'delete', netns]);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    const log = openSync(join(dir, 'containerd.log'), 'a');
    child = spawn('nsenter', [`--net=/run/netns/${netns}`, 'containerd', '--config', join(dir, 'config.toml')], { stdio: ['ignore', log, log] });
    closeSync(log);
    const runtime = new RuntimeClient(`unix://${socket}`, 2_000);
    try {
      for (let i = 0; ; i++) {
        if (child.exitCode !== null) throw new Error(`containerd exited: ${readFileSync(join(dir, 'containerd.log'), 'utf8').slice(-2000)}`);
        if (existsSync(socket) && await runtime.runtimeCall('Version').then(() => true, () => false)) break;
        if (i > 150) throw new Error('containerd did not answer on its CRI socket within 15 s');
        await delay(100);
      }
    } finally {
      runtime.close();
    }
    const images: ImageSpec[] = [{ name: BUSYBOX_IMAGE }, { name: PAUSE_IMAGE, entrypoint: ['/bin/sleep', '2147483647'] }];
    for (const spec of images) {
      const tar = buildBusyboxImage(join(dir, `${spec.name.replace(/\W/g, '-')}.tar`), spec);
      execFileSync('ctr', ['-a', socket, '-n', 'k8s.io', 'images', 'import', tar], { stdio: 'ignore' });
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    endpoint: `unix://${socket}`, netns, podCidr, dir,
    async stop() {
      const runtime = new RuntimeClient(`unix://${socket}`, 10_000);
      try {
        const { items } = await runtime.runtimeCall('ListPodSandbox', {});
        for (const s of items ?? []) {
          await runtime.runtimeCall('StopPodSandbox', { podSandboxId: s.id }).catch(() => undefined);
          await runtime.runtimeCall('RemovePodSandbox', { podSandboxId: s.id }).catch(() => undefined);
        }
      } catch {
        // the runtime is gone already: the cleanup below still removes what it left
      } finally {
        runtime.close();
      }
      await cleanup();
    },
  };
}
