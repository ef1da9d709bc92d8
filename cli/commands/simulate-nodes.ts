import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { stopOnSignals, untilAborted } from '../../component-base/component.js';
import { createAwsClients, type AwsClients } from '../../controllers/aws/aws-clients.js';
import { launchBackingInstances, terminateBackingInstances, type BackingInstance } from '../../node-agent/simulator/backing-instances.js';
import { followInstanceState } from '../../node-agent/simulator/instance-state.js';
import { SimulatedNodes } from '../../node-agent/simulator/simulated-nodes.js';
import { parseTypedFlags } from '../../component-base/flags.js';
import { LOCAL_REGION, useEndpoint } from '../aws-endpoint.js';
import { LOCAL_CLUSTER_NAME, readState } from '../local-cluster.js';

const FLAGS = {
  count: 'int', zones: 'list', kubeconfig: 'string', 'name-prefix': 'string', cpu: 'string', memory: 'string', 'max-pods': 'int',
  'pod-cidr': 'string', 'keep-nodes': 'bool', 'kube-api-qps': 'int', 'kube-api-burst': 'int',
  aws: 'bool', 'cluster-name': 'string', 'instance-type': 'string', 'image-id': 'string',
} as const;

/**
 * `skiff simulate-nodes --count N [--aws]`: runs simulated nodes until SIGTERM
 * or Ctrl-C. With --aws each is backed by an instance in the AWS endpoint
 * (the local cluster's, or AWS_ENDPOINT_URL's) and registers as a
 * --cloud-provider=external agent; the instances are terminated on stop.
 */
export async function simulateNodesCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, FLAGS);
  if (flags.count === undefined) throw new Error('--count is required');
  if (flags.count < 1) throw new Error('--count must be at least 1');
  if (flags.aws && flags.zones) throw new Error('--zones and --aws do not go together: with --aws the nodes take the zones of the cluster\'s subnets');
  for (const f of ['cluster-name', 'instance-type', 'image-id'] as const) if (flags[f] !== undefined && !flags.aws) throw new Error(`--${f} needs --aws`);
  const client = new RestClient(loadKubeconfig({ path: flags.kubeconfig }), { qps: flags['kube-api-qps'] ?? 0, burst: flags['kube-api-burst'] ?? 1 });
  let aws: AwsClients | undefined;
  let instances: BackingInstance[] = [];
  const signal = stopOnSignals('simulate-nodes');
  try {
    if (flags.aws) {
      const local = readState()?.aws;
      if (!process.env.AWS_ENDPOINT_URL && local) useEndpoint(local);
      aws = createAwsClients(process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? LOCAL_REGION);
      const clusterName = flags['cluster-name'] ?? local?.clusterName ?? LOCAL_CLUSTER_NAME;
      process.stdout.write(`launching ${flags.count} instance(s) for cluster ${clusterName} in ${process.env.AWS_ENDPOINT_URL ?? 'AWS'}\n`);
      instances = await launchBackingInstances(aws, {
        clusterName, count: flags.count, namePrefix: flags['name-prefix'], instanceType: flags['instance-type'], imageId: flags['image-id'],
      });
    }
    const nodes = new SimulatedNodes(client, {
      count: flags.count, zones: flags.zones, namePrefix: flags['name-prefix'], cpu: flags.cpu, memory: flags.memory,
      pods: flags['max-pods'] === undefined ? undefined : String(flags['max-pods']), podCidr: flags['pod-cidr'], keepNodes: flags['keep-nodes'],
      ...(aws ? { machines: instances, externalCloudProvider: true } : {}),
    });
    await nodes.start();
    // Each node lives and dies with its instance: stop or terminate one in the endpoint and its node stops renewing.
    const following = aws ? followInstanceState(aws, nodes, instances) : undefined;
    process.stdout.write(`${nodes.nodes.length} simulated nodes registered (${nodes.nodes[0].name} ... ${nodes.nodes.at(-1)!.name}); Ctrl-C removes them${aws ? ' and terminates their instances' : ''}\n`);
    await untilAborted(signal);
    await following?.stop();
    await nodes.stop();
  } finally {
    if (aws) {
      await terminateBackingInstances(aws, instances);
      aws.destroy();
    }
    client.close();
  }
}
