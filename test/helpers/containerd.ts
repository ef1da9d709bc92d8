import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { containerdSocket } from '../../infra/local/containerd-config.js';
import { deleteNetns, ensureNetns } from '../../infra/local/ip.js';
import { LOCAL_IMAGES, PAUSE_IMAGE } from '../../infra/local/local-images.js';
import { importBusyboxImages, reapContainerd, removeAllSandboxes, spawnContainerd, waitForRuntime, type WorkerRuntimeSpec } from '../../infra/local/worker-runtime.js';

export { BUSYBOX_IMAGE, PAUSE_IMAGE } from '../../infra/local/local-images.js';

export interface TestRuntime {
  /** The CRI endpoint, as --container-runtime-endpoint takes it. */
  endpoint: string;
  /** The network namespace containerd and its pods live in (a worker's, as on an instance). */
  netns: string;
  /** The fixed pod range, or undefined when containerd waits for the agent to pass the node's. */
  podCidr?: string;
  dir: string;
  /** Stops containerd and starts it again on the same state (its pods keep running). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A containerd of its own with its CRI plugin, in a network namespace (the
 * given one, or one of its own, removed afterwards), its state in a
 * temporary folder, and the busybox images imported. `podCidr: 'node'`
 * leaves the pod range to the agent (UpdateRuntimeConfig). stop() removes
 * every sandbox, the process, its mounts and the folder.
 */
export async function startContainerd(opts: { podCidr?: string | 'node'; netns?: string } = {}): Promise<TestRuntime> {
  const id = randomBytes(3).toString('hex');
  const podCidr = opts.podCidr === 'node' ? undefined : opts.podCidr ?? `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2, 4), 16)}.0/24`;
  // Short: unix socket paths must stay under 108 bytes.
  const dir = mkdtempSync(`/tmp/skiff-ctrd-${id}-`);
  const netns = opts.netns ?? `skiff-test-${id}`;
  const spec: WorkerRuntimeSpec = { dir, socket: containerdSocket(dir), sandboxImage: PAUSE_IMAGE, netns, podCidr };
  if (!opts.netns) ensureNetns(netns);
  let child: ChildProcess | undefined;
  const alive = () => !!child && child.exitCode === null && child.signalCode === null;
  const stopProcess = async () => {
    if (!alive()) return;
    const gone = new Promise((r) => child!.once('exit', r));
    child!.kill('SIGTERM');
    await Promise.race([gone, delay(5_000).then(() => child!.kill('SIGKILL'))]);
  };
  const start = async () => {
    child = spawnContainerd(spec);
    await waitForRuntime(spec, alive);
  };
  const cleanup = async () => {
    await stopProcess();
    reapContainerd(spec);
    if (!opts.netns) deleteNetns(netns);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await start();
    importBusyboxImages(spec, LOCAL_IMAGES);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    endpoint: `unix://${spec.socket}`, netns, podCidr, dir,
    async restart() {
      await stopProcess();
      await start();
    },
    async stop() {
      await removeAllSandboxes(spec).catch(() => undefined);
      await cleanup();
    },
  };
}
