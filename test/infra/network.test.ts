import test from 'ava';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { createAwsClients, type AwsClients } from '../../controllers/aws/aws-clients.js';
import { deleteNetwork, ensureNetwork, findNetwork } from '../../infra/sdk/network.js';
import { clusterTopology } from '../../infra/topology.js';
import { startAwsEndpoint, type TestEndpoint } from '../helpers/moto.js';

let endpoint: TestEndpoint;
let aws: AwsClients;
test.before(async () => {
  endpoint = await startAwsEndpoint();
  aws = createAwsClients(endpoint.region);
});
test.after.always(async () => {
  aws?.destroy();
  await endpoint?.stop();
});

test('the topology is applied once however often it runs, found by its tags, and deleted without a trace', async (t) => {
  const topology = clusterTopology({ clusterName: 'net', region: 'us-east-1' });
  const vpcsBefore = (await aws.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length;
  const first = await ensureNetwork(aws, topology);
  aws.calls.reset();
  const second = await ensureNetwork(aws, topology);
  t.deepEqual(second, first);
  t.deepEqual(Object.keys(aws.calls.snapshot()).filter((a) => !a.startsWith('Describe')), [], 'a second run only looks');
  t.deepEqual(first.subnets.map((s) => s.zone), ['us-east-1a', 'us-east-1b']);
  t.deepEqual(await findNetwork(aws, 'net'), first);
  const subnets = (await aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds: first.subnets.map((s) => s.subnetId) }))).Subnets!;
  for (const s of subnets) t.like(Object.fromEntries(s.Tags!.map((x) => [x.Key, x.Value])), { 'kubernetes.io/cluster/net': 'owned', 'kubernetes.io/role/elb': '1' });
  const nodes = (await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [first.securityGroups.nodes] }))).SecurityGroups![0];
  t.true(nodes.IpPermissions!.some((p) => p.FromPort === 30000 && p.ToPort === 32767 && p.IpRanges?.[0]?.CidrIp === '10.0.0.0/16'));
  await deleteNetwork(aws, 'net');
  t.is(await findNetwork(aws, 'net'), undefined);
  t.is((await aws.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, vpcsBefore);
});
