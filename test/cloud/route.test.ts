import test from 'ava';
import { CreateRouteCommand, DescribeImagesCommand, DescribeInstancesCommand, DescribeRouteTablesCommand, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { isMutatingAction } from '../../controllers/aws/aws-clients.js';
import { NODES } from '../../client/resources.js';
import { adminClient } from '../helpers/apiserver.js';
import { startFaultProxy, type FaultProxy } from '../helpers/aws-fault-proxy.js';
import { startAwsNodes, startCloudControllerManager, startCloudTestbed, type CloudTestbed } from '../helpers/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { startSimulatedNodes } from '../helpers/simulated-nodes.js';

const clusterCidr = '10.244.0.0/16';
let bed: CloudTestbed;
/** A clean pass-through in front of moto, counting the calls of this process by action. */
let proxy: FaultProxy;
test.before(async () => {
  bed = await startCloudTestbed({ controllers: { controllers: ['nodeipam'], allocateNodeCidrs: true, clusterCidr } });
  proxy = await startFaultProxy(bed.endpoint.url, { throttleShare: 0, errorShare: 0, maxLatencyMs: 0 });
  process.env.AWS_ENDPOINT_URL = proxy.url;
});
test.after.always(async () => {
  if (bed) process.env.AWS_ENDPOINT_URL = bed.endpoint.url;
  await proxy?.stop();
  await bed?.stop();
});

const mutatingCalls = () => [...proxy.passedByAction].filter(([action]) => isMutatingAction(action)).reduce((n, [, count]) => n + count, 0);

async function routeTable(): Promise<Map<string, string>> {
  const table = (await bed.aws.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [bed.network.routeTableId] }))).RouteTables![0];
  return new Map((table.Routes ?? []).filter((r) => r.DestinationCidrBlock).map((r) => [r.DestinationCidrBlock!, r.InstanceId ?? r.GatewayId ?? '']));
}

test('every node\'s podCIDR is routed to its instance, with the source/destination check off, and unrouted when the node goes; routes of others stay', async (t) => {
  const client = adminClient(bed.cluster);
  // An instance of no cluster, and routes the controller did not make: one into the cluster CIDR, one out of it to a cluster instance.
  const imageId = (await bed.aws.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images![0].ImageId;
  const foreign = (await bed.aws.ec2.send(new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: bed.network.subnets[0].subnetId }))).Instances![0].InstanceId!;
  const nodes = await startAwsNodes(bed, 2, { namePrefix: 'route-' });
  const [a, b] = nodes.instances;
  // A node with no instance behind it (skiff simulate-nodes without --aws): no route, and no say on its network.
  const plain = await startSimulatedNodes(bed.cluster, { count: 1, namePrefix: 'plain-' });
  await bed.aws.ec2.send(new CreateRouteCommand({ RouteTableId: bed.network.routeTableId, DestinationCidrBlock: '10.244.250.0/24', InstanceId: foreign }));
  await bed.aws.ec2.send(new CreateRouteCommand({ RouteTableId: bed.network.routeTableId, DestinationCidrBlock: '192.168.7.0/24', InstanceId: a.instanceId }));
  const ccm = await startCloudControllerManager(bed, {
    controllers: ['cloud-node', 'cloud-node-lifecycle', 'route'], configureCloudRoutes: true, clusterCidr,
    routeReconciliationPeriodMs: 300, nodeStatusUpdateFrequencyMs: 300, nodeMonitorPeriodMs: 300,
  });
  try {
    const cidrs = new Map<string, string>();
    for (const inst of [a, b]) cidrs.set(inst.name, await eventually(`${inst.name} podCIDR`, async () => (await client.get(NODES, inst.name)).spec.podCIDR));
    await eventually('routes for both nodes', async () => {
      const routes = await routeTable();
      return routes.get(cidrs.get(a.name)!) === a.instanceId && routes.get(cidrs.get(b.name)!) === b.instanceId;
    });
    const described = (await bed.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [a.instanceId, b.instanceId, foreign] }))).Reservations!.flatMap((r) => r.Instances!);
    t.deepEqual(described.filter((i) => i.InstanceId !== foreign).map((i) => i.SourceDestCheck), [false, false]);
    t.not(described.find((i) => i.InstanceId === foreign)!.SourceDestCheck, false);

    for (const inst of [a, b]) {
      const condition = await eventually(`${inst.name} NetworkUnavailable`, async () =>
        (await client.get(NODES, inst.name)).status.conditions.find((c: any) => c.type === 'NetworkUnavailable'));
      t.like(condition, { status: 'False', reason: 'RouteCreated', message: 'RouteController created a route' });
    }

    const plainNode = await eventually('plain node podCIDR', async () => {
      const n = await client.get(NODES, 'plain-0');
      return n.spec.podCIDR && n;
    });
    t.false(plainNode.status.conditions.some((c: any) => c.type === 'NetworkUnavailable'));
    t.false((await routeTable()).has(plainNode.spec.podCIDR));

    // Steady state: passes of every controller come and go, and none changes anything in AWS.
    const mutating = mutatingCalls();
    const passes = proxy.passedByAction.get('DescribeRouteTables') ?? 0;
    await eventually('three more route passes', () => (proxy.passedByAction.get('DescribeRouteTables') ?? 0) >= passes + 3);
    t.is(mutatingCalls(), mutating, JSON.stringify([...proxy.passedByAction]));

    // The agent's own status posts keep the condition, as a kubelet's do.
    await nodes.nodes.setReady(a.name, true);
    t.like((await client.get(NODES, a.name)).status.conditions.find((c: any) => c.type === 'NetworkUnavailable'), { status: 'False', reason: 'RouteCreated' });

    await client.delete(NODES, b.name);
    await eventually('route of the deleted node removed', async () => !(await routeTable()).has(cidrs.get(b.name)!));
    const routes = await routeTable();
    t.is(routes.get(cidrs.get(a.name)!), a.instanceId);
    t.is(routes.get('10.244.250.0/24'), foreign);
    t.is(routes.get('192.168.7.0/24'), a.instanceId);
    t.true(routes.has('10.0.0.0/16'), 'the local route stays');
  } finally {
    await ccm.stop();
    await plain.stop();
    await nodes.stop();
    await bed.aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: [foreign] }));
    client.close();
  }
});
