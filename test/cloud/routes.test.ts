import test from 'ava';
import { CreateRouteCommand, DescribeImagesCommand, DescribeRouteTablesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { createAwsClients, type AwsClients } from '../../controllers/aws/aws-clients.js';
import { Ec2Instances } from '../../controllers/aws/instances.js';
import { Ec2Routes } from '../../controllers/aws/routes.js';
import { ensureNetwork, type ClusterNetwork } from '../../infra/sdk/network.js';
import { clusterTopology } from '../../infra/topology.js';
import { launchBackingInstances, type BackingInstance } from '../../node-agent/simulator/backing-instances.js';
import { startAwsEndpoint, type TestEndpoint } from '../helpers/moto.js';

const clusterName = 'rt';
let endpoint: TestEndpoint;
let aws: AwsClients;
let network: ClusterNetwork;
let machines: BackingInstance[];
let foreign: string;

test.before(async () => {
  endpoint = await startAwsEndpoint();
  aws = createAwsClients(endpoint.region);
  network = await ensureNetwork(aws, clusterTopology({ clusterName, region: endpoint.region }));
  machines = await launchBackingInstances(aws, { clusterName, count: 2 });
  const imageId = (await aws.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images![0].ImageId;
  foreign = (await aws.ec2.send(new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: network.subnets[0].subnetId }))).Instances![0].InstanceId!;
  await aws.ec2.send(new CreateRouteCommand({ RouteTableId: network.routeTableId, DestinationCidrBlock: '10.244.9.0/24', InstanceId: foreign }));
});
test.after.always(async () => {
  aws?.destroy();
  await endpoint?.stop();
});

const routes = () => new Ec2Routes(aws, clusterName, new Ec2Instances(aws, clusterName));
async function table(): Promise<Map<string, string>> {
  const t = (await aws.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [network.routeTableId] }))).RouteTables![0];
  return new Map((t.Routes ?? []).map((r) => [r.DestinationCidrBlock!, r.InstanceId ?? r.GatewayId ?? '']));
}

test.serial('routes to the cluster\'s instances are listed, created once and deleted; others are not listed', async (t) => {
  const r = routes();
  await r.create('10.244.1.0/24', machines[0].instanceId);
  await r.create('10.244.2.0/24', machines[1].instanceId);
  const before = aws.calls.byAction.get('CreateRoute') ?? 0;
  await r.create('10.244.1.0/24', machines[0].instanceId);
  t.is(aws.calls.byAction.get('CreateRoute') ?? 0, before, 'a route already in place is not made again');
  const listed = (await r.list()).sort((a, b) => a.destinationCidr.localeCompare(b.destinationCidr));
  t.deepEqual(listed, [
    { destinationCidr: '10.244.1.0/24', instanceId: machines[0].instanceId, blackhole: false },
    { destinationCidr: '10.244.2.0/24', instanceId: machines[1].instanceId, blackhole: false },
  ]);
  await r.delete('10.244.2.0/24');
  await r.delete('10.244.2.0/24');
  const now = await table();
  t.false(now.has('10.244.2.0/24'));
  t.is(now.get('10.244.1.0/24'), machines[0].instanceId);
  t.is(now.get('10.244.9.0/24'), foreign);
});

test.serial('a destination routed elsewhere by someone else is an error, and their route stays', async (t) => {
  const err = await t.throwsAsync(routes().create('10.244.9.0/24', machines[0].instanceId));
  t.regex(err!.message, new RegExp(`already routes 10\\.244\\.9\\.0/24 to ${foreign}`));
  t.is((await table()).get('10.244.9.0/24'), foreign);
});

test.serial('the route table is the one tagged with the cluster', async (t) => {
  await t.throwsAsync(new Ec2Routes(aws, 'no-such-cluster', new Ec2Instances(aws, 'no-such-cluster')).list(), { message: /no route table tagged kubernetes\.io\/cluster\/no-such-cluster/ });
});
