import { createAwsClients, type AwsClients } from '../../controllers/aws/aws-clients.js';
import { runCloudControllerManager } from '../../controllers/cloud/cloud-controller-manager.js';
import type { CloudControllerManagerOptions } from '../../controllers/cloud/cloud-context.js';
import type { ApiServerOptions } from '../../control-plane/apiserver/options.js';
import type { ControllerManagerOptions } from '../../controllers/controller.js';
import { ensureNetwork, type ClusterNetwork } from '../../infra/sdk/network.js';
import { clusterTopology } from '../../infra/topology.js';
import { launchBackingInstances, terminateBackingInstances, type BackingInstance } from '../../node-agent/simulator/backing-instances.js';
import { followInstanceState } from '../../node-agent/simulator/instance-state.js';
import type { SimulatedNodes, SimulatedNodesOptions } from '../../node-agent/simulator/simulated-nodes.js';
import { identityConfig, startCluster, type TestCluster } from './apiserver.js';
import { startAwsEndpoint, type TestEndpoint } from './moto.js';
import { startSimulatedNodes } from './simulated-nodes.js';

/** A cluster wired to a moto endpoint holding its network, as `skiff up` lays it out. */
export interface CloudTestbed {
  endpoint: TestEndpoint;
  cluster: TestCluster;
  /** The test's own AWS clients, to look at (and break) what the controllers made. */
  aws: AwsClients;
  clusterName: string;
  network: ClusterNetwork;
  stop(): Promise<void>;
}

export async function startCloudTestbed(opts: {
  clusterName?: string; controllers?: boolean | Partial<ControllerManagerOptions>; apiServer?: Partial<ApiServerOptions>; vpcCidr?: string;
} = {}): Promise<CloudTestbed> {
  const endpoint = await startAwsEndpoint();
  const clusterName = opts.clusterName ?? 'test';
  const aws = createAwsClients(endpoint.region);
  const network = await ensureNetwork(aws, clusterTopology({ clusterName, region: endpoint.region, vpcCidr: opts.vpcCidr }));
  const cluster = await startCluster(opts.apiServer ?? {}, { controllers: opts.controllers ?? true });
  return {
    endpoint, cluster, aws, clusterName, network,
    async stop() {
      await cluster.stop();
      aws.destroy();
      await endpoint.stop();
    },
  };
}

export interface AwsNodes {
  nodes: SimulatedNodes;
  instances: BackingInstance[];
  stop(): Promise<void>;
}

/**
 * Simulated nodes backed by instances in the endpoint, registering as
 * --cloud-provider=external agents and living and dying with their
 * instances (skiff simulate-nodes --aws); `instanceStatePeriodMs` is how
 * often they look at their instances.
 */
export async function startAwsNodes(bed: CloudTestbed, count: number, options: Partial<SimulatedNodesOptions> & { namePrefix?: string; instanceStatePeriodMs?: number } = {}): Promise<AwsNodes> {
  const { instanceStatePeriodMs, ...simulated } = options;
  const instances = await launchBackingInstances(bed.aws, { clusterName: bed.clusterName, count, namePrefix: options.namePrefix });
  const nodes = await startSimulatedNodes(bed.cluster, { ...simulated, count, machines: instances, externalCloudProvider: true });
  const following = followInstanceState(bed.aws, nodes, instances, instanceStatePeriodMs);
  return {
    nodes, instances,
    async stop() {
      await following.stop();
      await nodes.stop();
      await terminateBackingInstances(bed.aws, instances);
    },
  };
}

export interface RunningCloudControllerManager {
  stop(): Promise<void>;
}

/** The cloud-controller-manager in this process, with its own identity (system:cloud-controller-manager) and least privilege. */
export async function startCloudControllerManager(bed: CloudTestbed, options: Partial<CloudControllerManagerOptions> = {}): Promise<RunningCloudControllerManager> {
  const config = await identityConfig(bed.cluster, 'system:cloud-controller-manager');
  const abort = new AbortController();
  const running = runCloudControllerManager(config, abort.signal, { clusterName: bed.clusterName, region: bed.endpoint.region, ...options });
  let failure: unknown;
  running.catch((err) => { failure = err; });
  return {
    async stop() {
      abort.abort();
      await running.catch(() => undefined);
      if (failure) throw failure;
    },
  };
}
