import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCondition } from '../api/node-status.js';
import { TAINT_NODE_UNINITIALIZED } from '../api/well-known.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { NODES } from '../client/resources.js';
import { RestClient } from '../client/rest-client.js';
import type { AwsClients } from '../controllers/aws/aws-clients.js';
import { loadOrCreateCA } from '../control-plane/pki/certificate-authority.js';
import { issueCertificate } from '../control-plane/pki/issue-certificate.js';
import { generatePassword } from '../control-plane/nats/password.js';
import { containerdSocket } from '../infra/local/containerd-config.js';
import { LOCAL_IMAGES, PAUSE_IMAGE } from '../infra/local/local-images.js';
import { releaseEbsDevices, workerDeviceDir, type EbsDeviceLayout } from '../infra/local/ebs-devices.js';
import { unplugWorker, type LocalVpc } from '../infra/local/local-vpc.js';
import { startLocalWorker, type WorkerInstance } from '../infra/local/local-worker.js';
import { findNetwork } from '../infra/sdk/network.js';
import { importBusyboxImages, reapContainerd, removeAllSandboxes } from '../infra/local/worker-runtime.js';
import { launchBackingInstances } from '../node-agent/simulator/backing-instances.js';
import { renderKubeconfig } from './kubeconfig-file.js';
import { isAlive, stopProcess, type ComponentState } from './local-cluster.js';

/** Marks the instances that stand for `skiff up`'s local workers, with each one's name. */
export const TAG_LOCAL_WORKER = 'skiff.dev/local-worker';


/** What `down` needs to take a worker apart: its instance, namespace, folder and processes. */
export interface WorkerState {
  instance: WorkerInstance;
  netns: string;
  linkName: string;
  dir: string;
  containerdPid: number;
  agentPid: number;
  /** The service proxy (absent in the state of a cluster started before it ran one). */
  proxyPid?: number;
  /** The worker's /dev for its EBS volumes (ebs-devices makes them there). */
  deviceDir?: string;
}

/** A node's NATS password, made when its instance is launched, in a file its agent reads. */
export interface NodeNatsCredential {
  nodeName: string;
  passwordFile: string;
}

export interface LocalWorkersOptions {
  aws: AwsClients;
  clusterName: string;
  vpc: LocalVpc;
  count: number;
  home: string;
  pkiDir: string;
  caFile: string;
  /** The API server as the workers reach it: the master's address on the VPC. */
  apiServer: string;
  logDir: string;
  /** The local registry (address:port) the workers pull from over plain HTTP. */
  registry?: string;
  /** The cluster's NATS as the workers reach it; `grant` makes the nodes' users before their agents connect. */
  nats?: { url: string; caFile: string; grant(nodes: NodeNatsCredential[]): void };
  /** Where ebs-devices keeps the volumes' files and the workers' device folders. */
  ebs: EbsDeviceLayout;
  /** The cluster's pod ranges, for the proxies. */
  clusterCidr: string;
  /** More node-agent flags (the cluster DNS). */
  agentFlags?: string[];
  progress(msg: string): void;
  /** Called with each worker as soon as it runs, so a failure half-way still leaves it on record for `down`. */
  started(worker: WorkerState, components: ComponentState[]): void;
}

/**
 * The local workers of `skiff up`: an instance each in the AWS endpoint (in
 * its zone's subnet, with the cluster tag), then, per instance, a network
 * namespace with its address, containerd and the node agent inside it with
 * the node's own certificate (system:node:<private DNS name>) and that
 * instance's provider ID, so the cloud-controller-manager initializes the
 * node as on EC2.
 */
export async function startLocalWorkers(o: LocalWorkersOptions): Promise<WorkerState[]> {
  if (o.count === 0) return [];
  o.progress(`launching ${o.count} worker instance(s) in the AWS endpoint`);
  const subnets = (await findNetwork(o.aws, o.clusterName))?.subnets ?? [];
  const instances = await launchBackingInstances(o.aws, { clusterName: o.clusterName, count: o.count, namePrefix: 'worker-', tagKey: TAG_LOCAL_WORKER });
  const ca = await loadOrCreateCA(o.pkiDir);
  const credentials = instances.map((inst, i): NodeNatsCredential => {
    const dir = join(o.home, 'w', String(i));
    mkdirSync(dir, { recursive: true });
    const passwordFile = join(dir, 'nats.password');
    writeFileSync(passwordFile, generatePassword(), { mode: 0o600 });
    return { nodeName: inst.name, passwordFile };
  });
  o.nats?.grant(credentials);
  const out: WorkerState[] = [];
  for (const [i, inst] of instances.entries()) {
    const instance: WorkerInstance = {
      instanceId: inst.instanceId, zone: inst.zone, privateIp: inst.internalIP, privateDnsName: inst.name,
      subnetCidr: subnets.find((s) => s.zone === inst.zone)!.cidr,
    };
    const dir = join(o.home, 'w', String(i));
    const nodeUser = `system:node:${instance.privateDnsName}`;
    const { certPem, keyPem } = await issueCertificate(ca, { commonName: nodeUser, organizations: ['system:nodes'], usages: ['client'] });
    writeFileSync(join(dir, 'node.crt'), certPem);
    writeFileSync(join(dir, 'node.key'), keyPem!, { mode: 0o600 });
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, renderKubeconfig({ server: o.apiServer, caFile: o.caFile, certFile: join(dir, 'node.crt'), keyFile: join(dir, 'node.key'), user: nodeUser }), { mode: 0o600 });
    o.progress(`starting worker ${instance.privateDnsName} (${instance.instanceId}, ${instance.privateIp} in ${instance.zone}): containerd, the node agent and the proxy`);
    const natsFlags = o.nats ? [`--nats-servers=${o.nats.url}`, `--nats-ca-file=${o.nats.caFile}`, `--nats-password-file=${credentials[i].passwordFile}`] : [];
    const deviceDir = workerDeviceDir(o.ebs, instance.instanceId);
    const worker = await startLocalWorker({
      vpc: o.vpc, instance, dir, kubeconfig, sandboxImage: PAUSE_IMAGE, registry: o.registry, detached: true, agentFlags: [...natsFlags, ...(o.agentFlags ?? [])], deviceDir,
      clusterCidr: o.clusterCidr,
    });
    const state: WorkerState = {
      instance, netns: worker.netns, linkName: worker.linkName, dir, containerdPid: worker.containerd.pid!, agentPid: worker.agent.pid!, proxyPid: worker.proxy.pid!, deviceDir,
    };
    o.started(state, [
      { name: `containerd-${i}`, pid: state.containerdPid, endpoint: `unix://${containerdSocket(dir)}`, log: join(dir, 'containerd.log'), command: worker.containerd.spawnargs },
      { name: `node-agent-${i}`, pid: state.agentPid, endpoint: instance.privateDnsName, log: worker.agentLog, command: worker.agent.spawnargs },
      { name: `proxy-${i}`, pid: state.proxyPid!, endpoint: `http://${instance.privateIp}:10256/healthz`, log: worker.proxyLog, command: worker.proxy.spawnargs },
    ]);
    importBusyboxImages(worker.runtime, LOCAL_IMAGES);
    out.push(state);
  }
  return out;
}

/** Takes the workers apart: proxies and agents first (nothing restarts pods), then every sandbox, containerd, its shims and mounts, the namespaces (their nftables tables with them). */
export async function stopLocalWorkers(vpc: LocalVpc, workers: WorkerState[], progress: (msg: string) => void): Promise<void> {
  for (const w of workers) {
    progress(`stopping worker ${w.instance.privateDnsName}`);
    if (w.proxyPid && isAlive(w.proxyPid)) await stopProcess(w.proxyPid);
    if (isAlive(w.agentPid)) await stopProcess(w.agentPid);
    const layout = { dir: w.dir, socket: containerdSocket(w.dir), sandboxImage: PAUSE_IMAGE };
    if (isAlive(w.containerdPid)) await removeAllSandboxes(layout).catch(() => undefined);
    if (isAlive(w.containerdPid)) await stopProcess(w.containerdPid);
    reapContainerd(layout);
    unplugWorker(vpc, { netns: w.netns, linkName: w.linkName });
    // The instance is terminated with the cluster: its containers' state goes with it, and its devices.
    rmSync(w.dir, { recursive: true, force: true });
    if (w.deviceDir) rmSync(w.deviceDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Where `skiff up`'s ebs-devices keeps the volumes' files and the workers' device folders: the cluster's home. */
export const localEbsLayout = (home: string): EbsDeviceLayout => ({ volumesDir: join(home, 'volumes'), deviceRoot: join(home, 'devices') });

/**
 * Removes what ebs-devices leaves when it could not take its devices apart
 * itself (it was killed): loop devices on the volumes' files, the files,
 * the device folders. The volumes are deleted in the endpoint with the
 * cluster, so their data goes too.
 */
export function removeLocalEbs(layout: EbsDeviceLayout): void {
  releaseEbsDevices(layout);
  rmSync(layout.deviceRoot, { recursive: true, force: true, maxRetries: 3 });
  rmSync(layout.volumesDir, { recursive: true, force: true });
}

/** The local VPC's id: from the cluster's home, so two local clusters on one machine never share a namespace or link name. */
export function localVpcId(home: string): string {
  return `s${createHash('sha256').update(home).digest('hex').slice(0, 7)}`;
}

/** Waits until every named node is registered, initialized by the cloud-controller-manager (no uninitialized taint) and Ready. */
export async function waitForReadyNodes(kubeconfig: string, names: string[], progress: (msg: string) => void, timeoutMs = 120_000): Promise<void> {
  const client = new RestClient(loadKubeconfig({ path: kubeconfig }));
  try {
    progress(`waiting for ${names.length} node(s) to be Ready`);
    const deadline = Date.now() + timeoutMs;
    let pending = names;
    while (pending.length) {
      const nodes = await Promise.all(pending.map((n) => client.get(NODES, n).catch(() => undefined)));
      pending = pending.filter((_, i) => {
        const node = nodes[i];
        return !node || nodeCondition(node.status, 'Ready')?.status !== 'True' || (node.spec?.taints ?? []).some((t: { key: string }) => t.key === TAINT_NODE_UNINITIALIZED);
      });
      if (!pending.length) return;
      if (Date.now() > deadline) throw new Error(`node(s) ${pending.join(', ')} not Ready within ${timeoutMs / 1000} s; see the node-agent logs (skiff status)`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    client.close();
  }
}
