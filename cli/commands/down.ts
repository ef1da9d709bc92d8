import { createAwsClients } from '../../controllers/aws/aws-clients.js';
import { describeAwsError } from '../../controllers/aws/errors.js';
import { deleteClusterResources } from '../../infra/sdk/teardown.js';
import { deleteLocalVpc, localVpcOf } from '../../infra/local/local-vpc.js';
import { useEndpoint } from '../aws-endpoint.js';
import { localEbsLayout, removeLocalEbs, stopLocalWorkers } from '../local-workers.js';
import { clearState, isAlive, readState, skiffHome, stopProcess } from '../local-cluster.js';

/**
 * `skiff down`: takes the local workers apart (their pods, containerd,
 * agents, namespaces), deletes what the cluster owns in the AWS endpoint
 * (load balancers, volumes, instances, the network), so an endpoint that
 * outlives the cluster keeps nothing of it, then stops every process `up`
 * started, newest first, and removes the local VPC and the volumes' loop
 * devices and files.
 */
export async function downCommand(argv: string[]): Promise<void> {
  if (argv.length) throw new Error(`unknown argument: ${argv[0]}`);
  const state = readState();
  if (!state) {
    process.stdout.write('no local cluster is running\n');
    return;
  }
  const components = [...state.components].reverse();
  const endpointProcess = state.components.find((c) => c.name === 'aws-endpoint');
  // The cloud-controller-manager goes first, so it makes nothing while its resources are deleted.
  for (const c of components.filter((c) => c.name === 'cloud-controller-manager')) await stop(c);
  const vpc = state.localVpc && localVpcOf(state.localVpc);
  if (vpc) await stopLocalWorkers(vpc, state.workers ?? [], (msg) => process.stdout.write(`• ${msg}\n`));
  if (state.aws && (!endpointProcess || isAlive(endpointProcess.pid))) {
    useEndpoint(state.aws);
    process.stdout.write(`• deleting the cluster's resources in the AWS endpoint ${state.aws.endpoint}\n`);
    const aws = createAwsClients(state.aws.region);
    try {
      await deleteClusterResources(aws, state.aws.clusterName, (msg) => process.stdout.write(`  ${msg}\n`));
    } catch (err) {
      throw new Error(`could not delete the cluster's resources in ${state.aws.endpoint} (${describeAwsError(err)}); the processes keep running, run skiff down again`);
    } finally {
      aws.destroy();
    }
  }
  for (const c of components) await stop(c);
  if (vpc) deleteLocalVpc(vpc);
  removeLocalEbs(localEbsLayout(skiffHome()));
  clearState();
  process.stdout.write('✓ local cluster stopped\n');
}

async function stop(c: { name: string; pid: number }): Promise<void> {
  if (!isAlive(c.pid)) return;
  process.stdout.write(`• stopping ${c.name} (pid ${c.pid})\n`);
  await stopProcess(c.pid);
}
