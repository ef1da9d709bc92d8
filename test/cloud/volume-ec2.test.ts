import test from 'ava';
import { DescribeVolumesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { createAwsClients, type AwsClients } from '../../controllers/aws/aws-clients.js';
import { clusterTagKey, tagRecord } from '../../controllers/aws/tags.js';
import { Ec2Volumes, volumeClientToken } from '../../controllers/aws/volumes.js';
import { ensureNetwork } from '../../infra/sdk/network.js';
import { clusterTopology } from '../../infra/topology.js';
import { launchBackingInstances, type BackingInstance } from '../../node-agent/simulator/backing-instances.js';
import { startAwsEndpoint, type TestEndpoint } from '../helpers/moto.js';

const CLUSTER = 'vols';
let endpoint: TestEndpoint;
let aws: AwsClients;
let volumes: Ec2Volumes;
let instances: BackingInstance[];

test.before(async () => {
  endpoint = await startAwsEndpoint();
  aws = createAwsClients(endpoint.region);
  await ensureNetwork(aws, clusterTopology({ clusterName: CLUSTER, region: endpoint.region }));
  instances = await launchBackingInstances(aws, { clusterName: CLUSTER, count: 2, namePrefix: 'ebs-' });
  volumes = new Ec2Volumes(aws, CLUSTER);
});
test.after.always(async () => {
  aws?.destroy();
  await endpoint?.stop();
});

/** The calls of one action `fn` makes. */
async function counting<T>(action: string, fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const before = aws.calls.byAction.get(action) ?? 0;
  const result = await fn();
  return { result, calls: (aws.calls.byAction.get(action) ?? 0) - before };
}

test.serial('create finds the volume tagged for the name before making one, so a retry makes no second volume', async (t) => {
  const request = { name: 'pvc-retry', zone: 'us-east-1a', sizeGiB: 2, type: 'io1', iopsPerGB: 100, tags: { team: 'storage' } };
  const first = await volumes.create(request);
  const { result: again, calls } = await counting('CreateVolume', () => volumes.create(request));
  t.is(again.id, first.id);
  t.is(calls, 0);
  const listed = (await aws.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'tag:CSIVolumeName', Values: ['pvc-retry'] }] }))).Volumes!;
  t.is(listed.length, 1);
  // io1 allows 50 IOPS per GiB: 100 per GiB of 2 GiB is capped to 100.
  t.like(listed[0], { Size: 2, VolumeType: 'io1', Iops: 100, AvailabilityZone: 'us-east-1a' });
  t.like(tagRecord(listed[0].Tags), {
    [clusterTagKey(CLUSTER)]: 'owned', CSIVolumeName: 'pvc-retry', 'ebs.csi.aws.com/cluster': 'true', Name: `${CLUSTER}-dynamic-pvc-retry`, team: 'storage',
  });
  t.is(volumeClientToken('pvc-retry').length, 64);
});

test.serial('lookups made together share one Describe call', async (t) => {
  const names = ['pvc-a', 'pvc-b', 'pvc-c', 'pvc-d'];
  await Promise.all(names.slice(0, 2).map((name) => volumes.create({ name, zone: 'us-east-1a', sizeGiB: 1 })));
  const { result, calls } = await counting('DescribeVolumes', () => Promise.all(names.map((n) => volumes.findByName(n))));
  t.is(calls, 1);
  t.deepEqual(result.map((v) => !!v), [true, true, false, false]);
  const ids = result.filter((v) => v).map((v) => v!.id);
  const described = await counting('DescribeVolumes', () => Promise.all([...ids, 'vol-0123456789abcdef0'].map((id) => volumes.describe(id))));
  // The unknown id is asked for alone, where AWS answers NotFound for it.
  t.is(described.calls, 2);
  t.deepEqual(described.result.map((v) => v?.id), [...ids, undefined]);
});

test.serial('volumes attached at once to one instance get distinct devices from /dev/xvdaa, with one DescribeInstances', async (t) => {
  const [inst] = instances;
  const [a, b] = await Promise.all(['pvc-att-1', 'pvc-att-2'].map((name) => volumes.create({ name, zone: inst.zone, sizeGiB: 1 })));
  const { result, calls } = await counting('DescribeInstances', () => Promise.all([a, b].map((v) => volumes.attach(v.id, inst.instanceId))));
  t.is(calls, 1);
  t.deepEqual(result.map((r) => r.state), ['attached', 'attached']);
  t.deepEqual(result.map((r) => (r as { device: string }).device).sort(), ['/dev/xvdaa', '/dev/xvdab']);
  // Attaching again answers where it stands, without AttachVolume.
  const again = await counting('AttachVolume', () => volumes.attach(a.id, inst.instanceId));
  t.is(again.calls, 0);
  t.deepEqual(again.result, result[0]);

  t.is(await volumes.delete(a.id), 'in-use');
  t.is(await volumes.detach(a.id, inst.instanceId), 'detached');
  t.is(await volumes.detach(a.id, inst.instanceId), 'detached', 'nothing left to detach counts as done');
  t.is(await volumes.delete(a.id), 'deleted');
  t.is(await volumes.delete(a.id), 'deleted', 'a volume already gone counts as deleted');
  t.is(await volumes.describe(a.id), undefined);
  t.is(await volumes.detach(a.id, inst.instanceId), 'detached');
});

test.serial('resize grows a volume once; an instance that is terminated takes no attachment', async (t) => {
  const [, inst] = instances;
  const v = await volumes.create({ name: 'pvc-grow', zone: inst.zone, sizeGiB: 1 });
  t.deepEqual(await volumes.resize(v.id, 5), { sizeGiB: 5, state: 'done' });
  const again = await counting('ModifyVolume', () => volumes.resize(v.id, 5));
  t.is(again.calls, 0);
  t.deepEqual(again.result, { sizeGiB: 5, state: 'done' });
  await aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: [inst.instanceId] }));
  t.deepEqual(await volumes.attach(v.id, inst.instanceId), { state: 'instance-gone' });
  t.deepEqual(await volumes.attach(v.id, 'i-0123456789abcdef0'), { state: 'instance-gone' });
  t.deepEqual(await volumes.zones(), ['us-east-1a', 'us-east-1b']);
});
