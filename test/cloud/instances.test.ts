import test from 'ava';
import { DescribeInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { createAwsClients, type AwsClients } from '../../controllers/aws/aws-clients.js';
import { Ec2Instances, FILTER_VALUE_LIMIT, instanceIdFromProviderId, providerIdOf } from '../../controllers/aws/instances.js';
import { InstanceBatch } from '../../controllers/cloud/node/instance-batch.js';
import { ensureNetwork } from '../../infra/sdk/network.js';
import { clusterTopology } from '../../infra/topology.js';
import { launchBackingInstances, type BackingInstance } from '../../node-agent/simulator/backing-instances.js';
import { startAwsEndpoint, type TestEndpoint } from '../helpers/moto.js';

const clusterName = 'inst';
let endpoint: TestEndpoint;
let setup: AwsClients;
let machines: BackingInstance[];

test.before(async () => {
  endpoint = await startAwsEndpoint();
  setup = createAwsClients(endpoint.region);
  await ensureNetwork(setup, clusterTopology({ clusterName, region: endpoint.region }));
  machines = await launchBackingInstances(setup, { clusterName, count: 4 });
});
test.after.always(async () => {
  setup?.destroy();
  await endpoint?.stop();
});

/** Fresh clients per test, so their call records count that test's calls only. */
function counted(t: { teardown(fn: () => void): void }): AwsClients {
  const aws = createAwsClients(endpoint.region);
  t.teardown(() => aws.destroy());
  return aws;
}

test.serial('instances by id: one DescribeInstances for many, with zone, region, type, state, addresses and the cluster tag', async (t) => {
  const aws = counted(t);
  const answers = await new Ec2Instances(aws, clusterName).byIds(machines.map((m) => m.instanceId));
  t.is(aws.calls.byAction.get('DescribeInstances'), 1);
  for (const m of machines) {
    const instance = answers.get(m.instanceId)?.instance;
    t.truthy(instance);
    t.false(answers.get(m.instanceId)!.gone ?? false);
    t.is(instance!.zone, m.zone);
    t.is(instance!.region, 'us-east-1');
    t.is(instance!.instanceType, 'm5.large');
    t.is(instance!.state, 'running');
    t.deepEqual(instance!.privateIps, [m.internalIP]);
    t.is(instance!.privateDnsName, m.name);
    t.true(instance!.ofCluster);
    t.is(providerIdOf(instance!), `aws:///${m.zone}/${m.instanceId}`);
  }
  t.false((await new Ec2Instances(aws, 'another').byIds([machines[0].instanceId])).get(machines[0].instanceId)!.instance!.ofCluster);
});

test.serial('instances by private DNS name: one call per 150 names, unknown names left out', async (t) => {
  const aws = counted(t);
  const names = [...machines.map((m) => m.name), ...Array.from({ length: FILTER_VALUE_LIMIT }, (_, i) => `ip-10-9-${i >> 8}-${i & 255}.ec2.internal`)];
  const found = await new Ec2Instances(aws, clusterName).byPrivateDnsNames(names);
  t.is(aws.calls.byAction.get('DescribeInstances'), 2);
  t.deepEqual([...found.keys()].sort(), machines.map((m) => m.name).sort());
  t.is(found.get(machines[1].name)!.instanceId, machines[1].instanceId);
});

test.serial('gone is said only for terminated instances and InvalidInstanceID.NotFound; an unreachable endpoint is an error, never gone', async (t) => {
  const aws = counted(t);
  const [extra] = await launchBackingInstances(setup, { clusterName, count: 1, namePrefix: 'doomed-' });
  await setup.ec2.send(new TerminateInstancesCommand({ InstanceIds: [extra.instanceId] }));
  const unknown = 'i-0123456789abcdef0';
  const answers = await new Ec2Instances(aws, clusterName).byIds([machines[0].instanceId, extra.instanceId, unknown]);
  t.false(answers.get(machines[0].instanceId)!.gone ?? false);
  t.true(answers.get(extra.instanceId)!.gone);
  t.is(answers.get(extra.instanceId)!.instance!.state, 'terminated');
  t.true(answers.get(unknown)!.gone);
  t.is(answers.get(unknown)!.instance, undefined);
  // The unknown id alone is asked for again, by id, where AWS answers InvalidInstanceID.NotFound.
  t.is(aws.calls.byAction.get('DescribeInstances'), 2);
  t.is(aws.calls.errorsByCode.get('InvalidInstanceID.NotFound'), 1);

  // The SDK reads the endpoint when it calls: nothing listens on port 9.
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
  const broken = createAwsClients(endpoint.region);
  try {
    await t.throwsAsync(new Ec2Instances(broken, clusterName).byIds([unknown]));
  } finally {
    process.env.AWS_ENDPOINT_URL = saved;
    broken.destroy();
  }
});

test.serial('lookups made together by concurrent reconciles share one DescribeInstances', async (t) => {
  const aws = counted(t);
  const batch = new InstanceBatch(new Ec2Instances(aws, clusterName));
  const nodes = [
    ...machines.slice(0, 2).map((m) => ({ metadata: { name: m.name }, spec: {} })),
    ...machines.slice(2).map((m) => ({ metadata: { name: m.name }, spec: { providerID: `aws:///${m.zone}/${m.instanceId}` } })),
  ];
  const answers = await Promise.all(nodes.map((n) => batch.lookup(n)));
  t.deepEqual(answers.map((a) => a?.instance?.instanceId), machines.map((m) => m.instanceId));
  // One call by DNS name for the nodes without a providerID, one by id for the others.
  t.is(aws.calls.byAction.get('DescribeInstances'), 2);
});

test.serial('turning the source/destination check off is one call, and none when it is already off', async (t) => {
  const aws = counted(t);
  const instances = new Ec2Instances(aws, clusterName);
  const id = machines[3].instanceId;
  await instances.disableSourceDestCheck((await instances.byIds([id])).get(id)!.instance!);
  const described = await setup.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  t.false(described.Reservations![0].Instances![0].SourceDestCheck);
  await instances.disableSourceDestCheck((await instances.byIds([id])).get(id)!.instance!);
  t.is(aws.calls.byAction.get('ModifyInstanceAttribute'), 1);
});

test('providerIDs in the forms the AWS cloud-controller-manager accepts', (t) => {
  t.is(instanceIdFromProviderId('aws:///us-east-1a/i-0abc123'), 'i-0abc123');
  t.is(instanceIdFromProviderId('aws:////i-0abc123'), 'i-0abc123');
  t.is(instanceIdFromProviderId('i-0abc123'), 'i-0abc123');
  t.is(instanceIdFromProviderId('gce://project/zone/name'), undefined);
  t.is(instanceIdFromProviderId(undefined), undefined);
});
