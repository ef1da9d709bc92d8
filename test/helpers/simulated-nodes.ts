import { SimulatedNodes, type SimulatedNodesOptions } from '../../node-agent/simulator/simulated-nodes.js';
import { adminClient, type TestCluster } from './apiserver.js';

/** Simulated nodes (kwok-like) registered in the test cluster and running until stop(). */
export async function startSimulatedNodes(cluster: TestCluster, options: SimulatedNodesOptions): Promise<SimulatedNodes> {
  const nodes = new SimulatedNodes(adminClient(cluster), options);
  await nodes.start();
  return nodes;
}
