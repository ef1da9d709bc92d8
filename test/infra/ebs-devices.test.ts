import test from 'ava';
import { AttachVolumeCommand, CreateVolumeCommand, DeleteVolumeCommand, DetachVolumeCommand, ModifyVolumeCommand } from '@aws-sdk/client-ec2';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createAwsClients, type AwsClients } from '../../controllers/aws/aws-clients.js';
import { nitroDeviceId } from '../../controllers/aws/ebs-devices.js';
import { releaseEbsDevices, syncEbsDevices, workerDeviceDir, type EbsDeviceLayout } from '../../infra/local/ebs-devices.js';
import { loopDevices } from '../../infra/local/loop-devices.js';
import { ensureNetwork } from '../../infra/sdk/network.js';
import { clusterTopology } from '../../infra/topology.js';
import { launchBackingInstances, type BackingInstance } from '../../node-agent/simulator/backing-instances.js';
import { startAwsEndpoint, type TestEndpoint } from '../helpers/moto.js';

const CLUSTER = 'devs';
const GIB = 1024 ** 3;
let endpoint: TestEndpoint;
let aws: AwsClients;
let instances: BackingInstance[];
let dir: string;
let layout: EbsDeviceLayout;

test.before(async () => {
  endpoint = await startAwsEndpoint();
  aws = createAwsClients(endpoint.region);
  await ensureNetwork(aws, clusterTopology({ clusterName: CLUSTER, region: endpoint.region }));
  instances = await launchBackingInstances(aws, { clusterName: CLUSTER, count: 2, namePrefix: 'dev-', zone: `${endpoint.region}a` });
  dir = mkdtempSync('/tmp/skiff-ebs-test-');
  layout = { volumesDir: join(dir, 'volumes'), deviceRoot: join(dir, 'devices') };
});
test.after.always(async () => {
  if (layout) releaseEbsDevices(layout);
  if (dir) rmSync(dir, { recursive: true, force: true });
  aws?.destroy();
  await endpoint?.stop();
});

const ours = () => loopDevices().filter((l) => l.backingFile.startsWith(`${dir}/`));
const fileOf = (volumeId: string) => join(layout.volumesDir, `${volumeId}.img`);

test.serial('a volume attached to a local worker\'s instance is a loop device on its file, linked under its device name and its Nitro name; its file follows the volume', async (t) => {
  const [local, other] = instances;
  const workerDir = workerDeviceDir(layout, local.instanceId);
  mkdirSync(workerDir, { recursive: true });
  await syncEbsDevices(aws, layout);
  t.deepEqual(ours(), [], 'the instance\'s root volume is the host\'s disk: no device for it');

  const volume = await aws.ec2.send(new CreateVolumeCommand({ AvailabilityZone: local.zone, Size: 1, VolumeType: 'gp3' }));
  const id = volume.VolumeId!;
  await aws.ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: local.instanceId, Device: '/dev/xvdaa' }));
  const changes = await syncEbsDevices(aws, layout);
  t.is(changes.attached.length, 1);
  const [loop] = ours();
  t.is(loop.backingFile, fileOf(id));
  t.is(loop.sizeBytes, GIB);
  t.is(statSync(fileOf(id)).blocks, 0, 'sparse');
  t.is(realpathSync(join(workerDir, 'xvdaa')), loop.device);
  t.is(realpathSync(join(workerDir, 'disk', 'by-id', nitroDeviceId(id))), loop.device);
  t.deepEqual(await syncEbsDevices(aws, layout), { attached: [], detached: [], grown: [], deleted: [] }, 'nothing to do a second time');

  await aws.ec2.send(new ModifyVolumeCommand({ VolumeId: id, Size: 3 }));
  t.deepEqual((await syncEbsDevices(aws, layout)).grown, [`${id} to 3 GiB`]);
  t.is(ours()[0].sizeBytes, 3 * GIB);

  await aws.ec2.send(new DetachVolumeCommand({ VolumeId: id, InstanceId: local.instanceId }));
  t.is((await syncEbsDevices(aws, layout)).detached.length, 1);
  t.deepEqual(ours(), []);
  t.deepEqual(readdirSync(workerDir).filter((n) => n !== 'disk'), []);
  t.deepEqual(readdirSync(join(workerDir, 'disk', 'by-id')), []);
  t.is(statSync(fileOf(id)).size, 3 * GIB, 'the data outlives the attachment');

  // Attached to an instance that is no local worker here: nothing of it on this machine.
  await aws.ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: other.instanceId, Device: '/dev/xvdab' }));
  await syncEbsDevices(aws, layout);
  t.deepEqual(ours(), []);
  await aws.ec2.send(new DetachVolumeCommand({ VolumeId: id, InstanceId: other.instanceId }));

  await aws.ec2.send(new DeleteVolumeCommand({ VolumeId: id }));
  t.deepEqual((await syncEbsDevices(aws, layout)).deleted, [id]);
  t.false(existsSync(fileOf(id)));
});

test.serial('a worker\'s folder going takes its devices; releasing takes every device and keeps the files', async (t) => {
  const [local] = instances;
  const workerDir = workerDeviceDir(layout, local.instanceId);
  mkdirSync(workerDir, { recursive: true });
  const id = (await aws.ec2.send(new CreateVolumeCommand({ AvailabilityZone: local.zone, Size: 1, VolumeType: 'gp3' }))).VolumeId!;
  await aws.ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: local.instanceId, Device: '/dev/xvdac' }));
  await syncEbsDevices(aws, layout);
  t.is(ours().length, 1);
  rmSync(workerDir, { recursive: true });
  await syncEbsDevices(aws, layout);
  t.deepEqual(ours(), [], 'a stopped worker\'s devices go');
  t.false(existsSync(workerDir), 'and its folder is not made again');

  mkdirSync(workerDir, { recursive: true });
  await syncEbsDevices(aws, layout);
  t.is(ours().length, 1);
  releaseEbsDevices(layout);
  t.deepEqual(ours(), []);
  t.deepEqual(readdirSync(workerDir).filter((n) => n !== 'disk'), []);
  t.true(existsSync(fileOf(id)));
});
