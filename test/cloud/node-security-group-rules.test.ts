import test from 'ava';
import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { createAwsClients, type AwsClients } from '../../controllers/aws/aws-clients.js';
import { NodeSecurityGroupRules, type NodeRules } from '../../controllers/aws/node-security-group-rules.js';
import { ensureNetwork, type ClusterNetwork } from '../../infra/sdk/network.js';
import { clusterTopology } from '../../infra/topology.js';
import { launchBackingInstances, type BackingInstance } from '../../node-agent/simulator/backing-instances.js';
import { startAwsEndpoint, type TestEndpoint } from '../helpers/moto.js';

let endpoint: TestEndpoint;
let aws: AwsClients;
let network: ClusterNetwork;
let instances: BackingInstance[];
test.before(async () => {
  endpoint = await startAwsEndpoint();
  aws = createAwsClients(endpoint.region);
  network = await ensureNetwork(aws, clusterTopology({ clusterName: 'rules', region: endpoint.region }));
  instances = await launchBackingInstances(aws, { clusterName: 'rules', count: 2 });
});
test.after.always(async () => {
  aws?.destroy();
  await endpoint?.stop();
});

const wish = (lb: string, port: number, instanceIds: string[]): NodeRules => ({
  loadBalancerName: lb, instanceIds, trafficPorts: [{ port, protocol: 'tcp' }], clientCidrs: ['0.0.0.0/0'],
  healthCheckPorts: [port], healthCheckCidrs: ['10.0.0.0/20'],
});

async function nodeRules(): Promise<string[]> {
  const group = (await aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [network.securityGroups.nodes] }))).SecurityGroups![0];
  return (group.IpPermissions ?? []).flatMap((p) => (p.IpRanges ?? []).map((r) => `${p.IpProtocol}/${p.FromPort}/${r.CidrIp}/${r.Description ?? ''}`)).sort();
}

test.serial('wishes made at once are made together: one reading of the groups for many load balancers, each rule once', async (t) => {
  const rules = new NodeSecurityGroupRules(aws, 'rules');
  const ids = instances.map((i) => i.instanceId);
  aws.calls.reset();
  const changed = await Promise.all(Array.from({ length: 20 }, (_, i) => rules.ensure(wish(`lb-${i}`, 31000 + i, ids))));
  t.deepEqual(changed, Array(20).fill(true));
  t.true((aws.calls.byAction.get('DescribeSecurityGroups') ?? 0) <= 3, `groups read ${aws.calls.byAction.get('DescribeSecurityGroups')} times for 20 load balancers`);
  t.true((aws.calls.byAction.get('AuthorizeSecurityGroupIngress') ?? 0) <= 3);
  const after = await nodeRules();
  for (let i = 0; i < 20; i++) t.true(after.includes(`tcp/${31000 + i}/0.0.0.0/0/kubernetes.io/rule/nlb/client=lb-${i}`), `lb-${i}'s client rule`);
  t.is(after.filter((r) => r.startsWith('icmp/3/0.0.0.0/0/kubernetes.io/rule/nlb/mtu')).length, 1, 'one shared MTU rule');

  aws.calls.reset();
  t.deepEqual(await Promise.all(Array.from({ length: 20 }, (_, i) => rules.ensure(wish(`lb-${i}`, 31000 + i, ids)))), Array(20).fill(false));
  t.deepEqual(Object.keys(aws.calls.snapshot()), ['DescribeSecurityGroups'], 'nothing to change: only reads');

  t.deepEqual(await Promise.all(Array.from({ length: 20 }, (_, i) => rules.remove([`lb-${i}`]))), Array(20).fill(true));
  t.false((await nodeRules()).some((r) => r.includes('kubernetes.io/rule/nlb/')), 'every rule and the MTU rule gone');
});

test.serial('a wish that cannot be made fails alone; the others made with it still are', async (t) => {
  const second = (await aws.ec2.send(new CreateSecurityGroupCommand({
    GroupName: 'rules-extra', Description: 'a second cluster group', VpcId: network.vpcId,
    TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'kubernetes.io/cluster/rules', Value: 'owned' }] }],
  }))).GroupId!;
  const odd = (await aws.ec2.send(new RunInstancesCommand({
    ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, SubnetId: network.subnets[0].subnetId, SecurityGroupIds: [network.securityGroups.nodes, second],
  }))).Instances![0].InstanceId!;
  const rules = new NodeSecurityGroupRules(aws, 'rules');
  const ids = instances.map((i) => i.instanceId);
  const results = await Promise.allSettled([
    rules.ensure(wish('good-1', 32001, ids)), rules.ensure(wish('bad', 32002, [odd])), rules.ensure(wish('good-2', 32003, ids)),
  ]);
  t.is(results[0].status, 'fulfilled');
  t.is(results[2].status, 'fulfilled');
  t.is(results[1].status, 'rejected');
  t.regex(String((results[1] as PromiseRejectedResult).reason), /more than one security group tagged for the cluster/);
  const after = await nodeRules();
  t.true(after.includes('tcp/32001/0.0.0.0/0/kubernetes.io/rule/nlb/client=good-1'));
  t.true(after.includes('tcp/32003/0.0.0.0/0/kubernetes.io/rule/nlb/client=good-2'));
  t.false(after.some((r) => r.includes('=bad')));
  await rules.remove(['good-1', 'good-2']);
});
