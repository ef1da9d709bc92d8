import test from 'ava';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { adminClient } from '../helpers/apiserver.js';
import { startAwsNodes, startCloudTestbed, type CloudTestbed } from '../helpers/cloud.js';
import { NODES } from '../../client/resources.js';

let bed: CloudTestbed;
test.before(async () => { bed = await startCloudTestbed({ controllers: false }); });
test.after.always(async () => { await bed?.stop(); });

test('simulated nodes backed by instances register as external-cloud agents, and their instances are terminated on stop', async (t) => {
  const aws = await startAwsNodes(bed, 3);
  const client = adminClient(bed.cluster);
  try {
    t.is(aws.instances.length, 3);
    t.deepEqual(new Set(aws.instances.map((i) => i.zone)), new Set(['us-east-1a', 'us-east-1b']));
    for (const inst of aws.instances) {
      t.regex(inst.name, /^ip-10-0-\d+-\d+\.ec2\.internal$/);
      const node = await client.get(NODES, inst.name);
      t.deepEqual(node.spec.taints, [{ key: 'node.cloudprovider.kubernetes.io/uninitialized', value: 'true', effect: 'NoSchedule' }]);
      t.is(node.spec.providerID, undefined);
      t.false('topology.kubernetes.io/zone' in (node.metadata.labels ?? {}));
      t.deepEqual(node.status.addresses[0], { type: 'InternalIP', address: inst.internalIP });
    }
  } finally {
    await aws.stop();
    client.close();
  }
  const described = await bed.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: aws.instances.map((i) => i.instanceId) }));
  t.deepEqual(described.Reservations!.flatMap((r) => r.Instances!).map((i) => i.State!.Name), ['terminated', 'terminated', 'terminated']);
});
