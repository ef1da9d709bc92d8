import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { formatAddress, parseCidr } from '../../api/net.js';
import { PODS } from '../../client/resources.js';
import { nodeNatsUser } from '../../control-plane/nats/node-subjects.js';
import { LOCAL_IMAGES, PAUSE_IMAGE } from '../../infra/local/local-images.js';
import { deleteLocalVpc, ensureLocalVpc, localVpcOf, type LocalVpc } from '../../infra/local/local-vpc.js';
import { spawnAgent, startLocalWorker, stopChild, stopLocalWorker, type LocalWorker, type LocalWorkerSpec } from '../../infra/local/local-worker.js';
import { importBusyboxImages, spawnContainerd, waitForRuntime } from '../../infra/local/worker-runtime.js';
import { adminClient, clientCertificate, startCluster, type TestCluster } from './apiserver.js';
import { eventually } from './eventually.js';
import { testVpcCidr } from './local-workers.js';
import { startNats, type NatsProcess } from './nats.js';

export interface AgentNode {
  cluster: TestCluster;
  /** The master's address on the worker's VPC, where the control plane (and a test's registry) listens. */
  masterAddress: string;
  nats: NatsProcess;
  nodeName: string;
  worker: LocalWorker;
  /** Kills the agent with SIGKILL (a crash: nothing of it is cleaned up) and waits until it is gone. */
  killAgent(): Promise<void>;
  /** Starts the agent again, as its service manager would. */
  startAgent(): void;
  /** Stops containerd and starts it again on the same state; its pods keep running. */
  restartRuntime(): Promise<void>;
  /** Creates a pod bound to the node and waits until it runs. */
  runningPod(name: string, containers: Record<string, unknown>[], extra?: Record<string, unknown>): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

/**
 * One worker as on an instance: a network namespace plugged into a local
 * VPC, containerd and a `skiff node-agent` process inside it (so it reaches
 * its pods and the runtime's streaming server), connected to a real NATS as
 * its node's user (only its own subjects) and to an API server that reaches
 * the agents over that NATS. What logs, exec, attach and port-forward need
 * end to end.
 */
export async function startAgentNode(nodeName: string, opts: { registryPort?: number } = {}): Promise<AgentNode> {
  const id = randomBytes(3).toString('hex');
  const vpcCidr = testVpcCidr();
  const subnet = `${formatAddress(parseCidr(vpcCidr).base, 4)}/20`;
  const spec = { id, vpcCidr, subnets: [subnet] };
  const dir = mkdtempSync(`/tmp/skiff-w-${id}-`);
  let vpc: LocalVpc | undefined;
  let nats: NatsProcess | undefined;
  let cluster: TestCluster | undefined;
  let worker: LocalWorker | undefined;
  let workerSpec: LocalWorkerSpec | undefined;
  const stop = async () => {
    if (worker && vpc) await stopLocalWorker(vpc, worker).catch(() => undefined);
    await cluster?.stop();
    await nats?.stop();
    deleteLocalVpc(vpc ?? localVpcOf(spec));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    vpc = ensureLocalVpc(spec);
    const master = vpc.masterAddress;
    const node = nodeNatsUser(nodeName, randomBytes(32).toString('base64url'));
    nats = await startNats({ users: [{ user: 'control-plane', publish: ['skiff.>'], subscribe: ['skiff.>'] }, node], listenAddress: '0.0.0.0', hosts: [master] });
    const controlPlanePassword = join(dir, 'control-plane.password');
    writeFileSync(controlPlanePassword, nats.users['control-plane'].password, { mode: 0o600 });
    cluster = await startCluster(
      { bindAddress: '0.0.0.0', advertiseAddress: master, natsServers: [nats.url], natsCAFile: nats.caFile, natsUser: 'control-plane', natsPasswordFile: controlPlanePassword },
      // The root CA publisher: every pod mounts kube-root-ca.crt with its token.
      { controllers: { controllers: ['nodeipam', 'root-ca-cert-publisher'], allocateNodeCidrs: true, clusterCidr: '10.244.0.0/16' } },
    );
    const { cert, key } = await clientCertificate(cluster, `system:node:${nodeName}`, ['system:nodes']);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'node',
      clusters: [{ name: 'local', cluster: { server: `https://${master}:${new URL(cluster.url).port}`, 'certificate-authority': cluster.caFile } }],
      users: [{ name: 'node', user: { 'client-certificate-data': Buffer.from(cert).toString('base64'), 'client-key-data': Buffer.from(key).toString('base64') } }],
      contexts: [{ name: 'node', context: { cluster: 'local', user: 'node' } }],
    }));
    const nodePassword = join(dir, 'nats.password');
    writeFileSync(nodePassword, node.password, { mode: 0o600 });
    workerSpec = {
      vpc, dir, kubeconfig, sandboxImage: PAUSE_IMAGE, registry: opts.registryPort ? `${master}:${opts.registryPort}` : undefined,
      instance: { instanceId: `i-${id}${id}aa`, zone: 'local-a', privateIp: formatAddress(parseCidr(subnet).base + 20n, 4), privateDnsName: nodeName, subnetCidr: subnet },
      agentFlags: [
        `--nats-servers=tls://${master}:${nats.port}`, `--nats-ca-file=${nats.caFile}`, `--nats-password-file=${nodePassword}`,
        '--node-status-update-frequency=1s',
      ],
      externalCloudProvider: false,
    };
    worker = await startLocalWorker(workerSpec);
    importBusyboxImages(worker.runtime, LOCAL_IMAGES);
  } catch (err) {
    await stop();
    throw err;
  }
  const running = { cluster: cluster!, nats: nats!, worker: worker!, masterAddress: vpc!.masterAddress };
  return {
    ...running, nodeName, stop,
    async killAgent() {
      const agent = running.worker.agent;
      if (agent.exitCode !== null || agent.signalCode !== null) return;
      const gone = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGKILL');
      await gone;
    },
    startAgent() {
      running.worker.agent = spawnAgent(workerSpec!, running.worker.netns, running.worker.agentLog);
    },
    async restartRuntime() {
      await stopChild(running.worker.containerd);
      running.worker.containerd = spawnContainerd(running.worker.runtime);
      const containerd = running.worker.containerd;
      await waitForRuntime(running.worker.runtime, () => containerd.exitCode === null && containerd.signalCode === null);
    },
    async runningPod(name, containers, extra = {}) {
      const admin = adminClient(running.cluster);
      try {
        await admin.create(PODS, { metadata: { name, namespace: 'default' }, spec: { nodeName, terminationGracePeriodSeconds: 0, containers, ...extra } });
        return await eventually(`${name} running`, async () => {
          const p = await admin.get(PODS, name, { namespace: 'default' });
          return p.status?.phase === 'Running' && p;
        }, 60_000, 200);
      } finally {
        admin.close();
      }
    },
  };
}
