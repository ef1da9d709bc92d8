import test from 'ava';
import { AllocateAddressCommand, AssociateAddressCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { EVENTS, NODES } from '../../client/resources.js';
import { adminClient } from '../helpers/apiserver.js';
import { startAwsNodes, startCloudControllerManager, startCloudTestbed, type CloudTestbed } from '../helpers/cloud.js';
import { eventually } from '../helpers/eventually.js';

let bed: CloudTestbed;
test.before(async () => { bed = await startCloudTestbed({ controllers: false }); });
test.after.always(async () => { await bed?.stop(); });

const UNINITIALIZED = 'node.cloudprovider.kubernetes.io/uninitialized';

test.serial('nodes of an external cloud provider get their providerID, addresses and labels from their instances, then lose the uninitialized taint', async (t) => {
  const aws = await startAwsNodes(bed, 3, { namePrefix: 'init-' });
  const client = adminClient(bed.cluster);
  const ccm = await startCloudControllerManager(bed, { controllers: ['cloud-node'] });
  try {
    for (const inst of aws.instances) {
      const node = await eventually(`${inst.name} initialized`, async () => {
        const n = await client.get(NODES, inst.name);
        return !(n.spec.taints ?? []).some((x: any) => x.key === UNINITIALIZED) && n;
      });
      t.is(node.spec.providerID, `aws:///${inst.zone}/${inst.instanceId}`);
      const labels = node.metadata.labels!;
      t.is(labels['topology.kubernetes.io/zone'], inst.zone);
      t.is(labels['topology.kubernetes.io/region'], 'us-east-1');
      t.is(labels['node.kubernetes.io/instance-type'], 'm5.large');
      t.is(labels['failure-domain.beta.kubernetes.io/zone'], inst.zone);
      t.is(labels['failure-domain.beta.kubernetes.io/region'], 'us-east-1');
      t.is(labels['beta.kubernetes.io/instance-type'], 'm5.large');
      const described = (await bed.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [inst.instanceId] }))).Reservations![0].Instances![0];
      const expected = [
        { type: 'InternalIP', address: inst.internalIP },
        ...(described.PublicIpAddress ? [{ type: 'ExternalIP', address: described.PublicIpAddress }] : []),
        { type: 'InternalDNS', address: inst.name },
        { type: 'Hostname', address: inst.name },
        ...(described.PublicDnsName ? [{ type: 'ExternalDNS', address: described.PublicDnsName }] : []),
      ];
      t.deepEqual(node.status.addresses, expected);
      t.is(node.spec.taints, undefined);
    }
    const events = await eventually('Synced events', async () => {
      const list = (await client.list(EVENTS, { namespace: 'default' })).items.filter((e: any) => e.reason === 'Synced' && e.source?.component === 'cloud-node-controller');
      return list.length >= 3 && list;
    });
    t.deepEqual(events.map((e: any) => e.involvedObject.name).sort(), aws.instances.map((i) => i.name).sort());
    t.true(events.every((e: any) => e.message === 'Node synced successfully' && e.involvedObject.kind === 'Node'));
  } finally {
    await ccm.stop();
    await aws.stop();
    client.close();
  }
});

test.serial('initialized nodes follow their instance\'s addresses: an Elastic IP associated later shows as the ExternalIP', async (t) => {
  const aws = await startAwsNodes(bed, 1, { namePrefix: 'refresh-' });
  const [inst] = aws.instances;
  const client = adminClient(bed.cluster);
  const ccm = await startCloudControllerManager(bed, { controllers: ['cloud-node'], nodeStatusUpdateFrequencyMs: 300 });
  try {
    await eventually('initialized', async () => (await client.get(NODES, inst.name)).spec.providerID);
    const eip = await bed.aws.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await bed.aws.ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, InstanceId: inst.instanceId }));
    const node = await eventually('ExternalIP reported', async () => {
      const n = await client.get(NODES, inst.name);
      return n.status.addresses.some((a: any) => a.type === 'ExternalIP' && a.address === eip.PublicIp) && n;
    });
    t.deepEqual(node.status.addresses.slice(0, 2), [{ type: 'InternalIP', address: inst.internalIP }, { type: 'ExternalIP', address: eip.PublicIp }]);
  } finally {
    await ccm.stop();
    await aws.stop();
    client.close();
  }
});

test.serial('a node with no instance of its name stays uninitialized', async (t) => {
  const client = adminClient(bed.cluster);
  const name = 'ip-10-0-200-200.ec2.internal';
  await client.create(NODES, {
    apiVersion: 'v1', kind: 'Node', metadata: { name },
    spec: { taints: [{ key: UNINITIALIZED, value: 'true', effect: 'NoSchedule' }] },
  });
  const aws = await startAwsNodes(bed, 1, { namePrefix: 'witness-' });
  const ccm = await startCloudControllerManager(bed, { controllers: ['cloud-node'] });
  try {
    // The node with an instance is initialized; by then the other has been tried and left as it was.
    await eventually('witness initialized', async () => (await client.get(NODES, aws.instances[0].name)).spec.providerID);
    const node = await client.get(NODES, name);
    t.is(node.spec.providerID, undefined);
    t.true(node.spec.taints.some((x: any) => x.key === UNINITIALIZED));
  } finally {
    await ccm.stop();
    await aws.stop();
    await client.delete(NODES, name);
    client.close();
  }
});
