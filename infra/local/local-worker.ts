import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerdSocket } from './containerd-config.js';
import { plugWorker, unplugWorker, type LocalVpc } from './local-vpc.js';
import { reapContainerd, removeAllSandboxes, spawnContainerd, waitForRuntime, type WorkerRuntimeSpec } from './worker-runtime.js';

/** The instance in the AWS endpoint that a local worker stands for. */
export interface WorkerInstance {
  instanceId: string;
  zone: string;
  privateIp: string;
  privateDnsName: string;
  subnetCidr: string;
}

export interface LocalWorkerSpec {
  vpc: LocalVpc;
  instance: WorkerInstance;
  /** The worker's folder: containerd's state and the agent's root dir (keep it short: the CRI socket lives in it). */
  dir: string;
  /** The agent's kubeconfig: its node identity, with the API server at the master's address. */
  kubeconfig: string;
  sandboxImage: string;
  registry?: string;
  /** Start containerd and the agent in their own sessions, to outlive this process (skiff up). */
  detached?: boolean;
  /** More node-agent flags (e.g. --node-status-update-frequency). */
  agentFlags?: string[];
  /** Registers as a node the cloud-controller-manager initializes (the default), or as a plain node with no provider ID. */
  externalCloudProvider?: boolean;
  /**
   * The worker's /dev for the EBS volumes attached to its instance (its
   * folder under the ebs-devices' device root), made while it runs and
   * passed to the agent as --device-dir; without one the agent looks in /dev.
   */
  deviceDir?: string;
  /** The cluster's pod ranges (the proxy's --cluster-cidr: traffic to a cluster IP from elsewhere is masqueraded). */
  clusterCidr?: string;
  /** More proxy flags (e.g. --min-sync-period). */
  proxyFlags?: string[];
}

export interface LocalWorker {
  netns: string;
  linkName: string;
  deviceDir?: string;
  runtime: WorkerRuntimeSpec;
  containerd: ChildProcess;
  agent: ChildProcess;
  /** The agent's log (its JSON lines). */
  agentLog: string;
  /** The service proxy, beside the agent in the worker's namespace. */
  proxy: ChildProcess;
  proxyLog: string;
}

/** The skiff entry point, which the agent process runs. */
const SKIFF_MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** The names of a worker's namespace and of its veth in the router, from its instance id (unique in the VPC). */
export function workerNames(instanceId: string): { netns: string; linkName: string } {
  const tail = instanceId.replace(/^i-/, '').slice(-8);
  return { netns: `skiff-w-${tail}`, linkName: `w${tail}` };
}

/** The agent's command line on a local worker: the kubelet's flags, as on an instance with an external cloud provider. */
export function agentArgs(spec: LocalWorkerSpec): string[] {
  const { instance } = spec;
  const cloud = spec.externalCloudProvider ?? true;
  return [
    SKIFF_MAIN, 'node-agent', `--kubeconfig=${spec.kubeconfig}`, `--container-runtime-endpoint=unix://${containerdSocket(spec.dir)}`,
    ...(cloud ? ['--cloud-provider=external', `--provider-id=aws:///${instance.zone}/${instance.instanceId}`] : []), `--node-ip=${instance.privateIp}`,
    `--hostname-override=${instance.privateDnsName}`, `--root-dir=${join(spec.dir, 'agent')}`,
    // The kubelet has no cluster domain unless told; a Skiff cluster's is the one Kubernetes clusters use.
    '--cluster-domain=cluster.local',
    ...(spec.deviceDir ? [`--device-dir=${spec.deviceDir}`] : []), ...(spec.agentFlags ?? []),
  ];
}

/**
 * The proxy's command line on a worker: kube-proxy's flags, with the
 * node's credentials (a node may read Services and EndpointSlices) and its
 * name, so it finds its own endpoints and addresses.
 */
export function proxyArgs(spec: LocalWorkerSpec): string[] {
  return [
    SKIFF_MAIN, 'proxy', `--kubeconfig=${spec.kubeconfig}`, `--hostname-override=${spec.instance.privateDnsName}`,
    ...(spec.clusterCidr ? [`--cluster-cidr=${spec.clusterCidr}`] : []), ...(spec.proxyFlags ?? []),
  ];
}

/**
 * Starts a worker the way an instance boots: its namespace plugged into the
 * VPC with the instance's private address, its containerd, then its agent
 * and its service proxy, all inside the namespace (nsenter --net), so the
 * agent reaches pods and the CRI streaming server, and the proxy programs
 * the namespace's own nftables, as they do on an instance.
 */
export async function startLocalWorker(spec: LocalWorkerSpec): Promise<LocalWorker> {
  const { netns, linkName } = workerNames(spec.instance.instanceId);
  plugWorker(spec.vpc, { netns, address: spec.instance.privateIp, subnetCidr: spec.instance.subnetCidr, linkName });
  mkdirSync(join(spec.dir, 'agent'), { recursive: true });
  if (spec.deviceDir) mkdirSync(spec.deviceDir, { recursive: true });
  const runtime: WorkerRuntimeSpec = {
    dir: spec.dir, socket: containerdSocket(spec.dir), sandboxImage: spec.sandboxImage, registry: spec.registry, netns, detached: spec.detached,
  };
  const containerd = spawnContainerd(runtime);
  await waitForRuntime(runtime, () => containerd.exitCode === null && containerd.signalCode === null);
  if (spec.detached) containerd.unref();
  const agentLog = join(spec.dir, 'agent.log');
  const proxyLog = join(spec.dir, 'proxy.log');
  const agent = spawnAgent(spec, netns, agentLog);
  return { netns, linkName, deviceDir: spec.deviceDir, runtime, containerd, agent, agentLog, proxy: spawnInWorker(spec, netns, proxyArgs(spec), proxyLog), proxyLog };
}

/** Starts the worker's agent inside its namespace, logging to `log` (again after a crash: it adopts what runs). */
export function spawnAgent(spec: LocalWorkerSpec, netns: string, log: string): ChildProcess {
  return spawnInWorker(spec, netns, agentArgs(spec), log);
}

function spawnInWorker(spec: LocalWorkerSpec, netns: string, args: string[], log: string): ChildProcess {
  const fd = openSync(log, 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${netns}`, process.execPath, ...args], { stdio: ['ignore', fd, fd], detached: !!spec.detached });
  closeSync(fd);
  if (spec.detached) child.unref();
  return child;
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/**
 * Stops a worker and removes everything it made: the proxy (its table goes
 * with the namespace), its pods' sandboxes, the agent, containerd and its shims and mounts (the volumes' among them), the
 * namespace, and its device folder, which tells ebs-devices to take its
 * devices away.
 */
export async function stopLocalWorker(vpc: LocalVpc, worker: LocalWorker): Promise<void> {
  await stopChild(worker.proxy);
  await stopChild(worker.agent);
  await removeAllSandboxes(worker.runtime).catch(() => undefined);
  await stopChild(worker.containerd);
  reapContainerd(worker.runtime);
  unplugWorker(vpc, worker);
  if (worker.deviceDir) rmSync(worker.deviceDir, { recursive: true, force: true, maxRetries: 3 });
}
