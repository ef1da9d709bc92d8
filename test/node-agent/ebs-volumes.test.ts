import test from 'ava';
import { DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { nodeCondition } from '../../api/node-status.js';
import { csiAttachmentName } from '../../api/storage/csi-attachment.js';
import type { AnyObject } from '../../client/resource.js';
import { EVENTS, NODES, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS, STORAGE_CLASSES, VOLUME_ATTACHMENTS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { nitroDeviceId } from '../../controllers/aws/ebs-devices.js';
import { localVpcOf } from '../../infra/local/local-vpc.js';
import { loopDevices } from '../../infra/local/loop-devices.js';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { mounts } from '../../node-agent/volumes/mount-points.js';
import { adminClient } from '../helpers/apiserver.js';
import { startCloudControllerManager, startCloudTestbed, type CloudTestbed, type RunningCloudControllerManager } from '../helpers/cloud.js';
import { BUSYBOX_IMAGE } from '../helpers/containerd.js';
import { eventually } from '../helpers/eventually.js';
import { startTestWorkers, testVpcCidr, type TestWorkers } from '../helpers/local-workers.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';

const NS = 'default';
const EBS = 'ebs.csi.aws.com';
const GIB = 1024 ** 3;
const clusterCidr = '10.244.0.0/16';
let bed: CloudTestbed;
let ccm: RunningCloudControllerManager;
let scheduler: RunningScheduler;
let local: TestWorkers | undefined;
let admin: RestClient;
let workers: TestWorkers['workers'];
let ebsDir: string;

test.before(async () => {
  const vpcCidr = testVpcCidr();
  const { masterAddress } = localVpcOf({ id: 'x', vpcCidr, subnets: [] });
  bed = await startCloudTestbed({
    vpcCidr, apiServer: { bindAddress: '0.0.0.0', advertiseAddress: masterAddress },
    controllers: { controllers: ['nodeipam', 'persistentvolume-binder', 'pvc-protection', 'root-ca-cert-publisher'], allocateNodeCidrs: true, clusterCidr },
  });
  admin = adminClient(bed.cluster);
  ccm = await startCloudControllerManager(bed, {
    controllers: ['cloud-node', 'cloud-node-lifecycle', 'route', 'ebs-provisioner', 'attachdetach', 'persistentvolume-expander'],
    configureCloudRoutes: true, clusterCidr, routeReconciliationPeriodMs: 500, nodeStatusUpdateFrequencyMs: 500, nodeMonitorPeriodMs: 500,
    retryBaseDelayMs: 200, retryMaxDelayMs: 2_000,
  });
  scheduler = await startScheduler(bed.cluster);
  await admin.create(STORAGE_CLASSES, {
    metadata: { name: 'gp3' }, provisioner: EBS, volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete', allowVolumeExpansion: true,
    parameters: { type: 'gp3', 'csi.storage.k8s.io/fstype': 'ext4' },
  });
  // Both workers in one zone: an EBS volume only attaches to instances of its own zone.
  local = await startTestWorkers(bed, vpcCidr, 2, ['--node-status-update-frequency=1s'], { zone: bed.network.subnets[0].zone });
  workers = local.workers;
  ebsDir = join(local.ebs.volumesDir, '..');
  for (const w of workers) {
    await eventually(`${w.instance.privateDnsName} Ready and initialized`, async () => {
      const n = await admin.get(NODES, w.instance.privateDnsName).catch(() => undefined);
      return n && nodeCondition(n.status, 'Ready')?.status === 'True' && !(n.spec.taints ?? []).length && n.spec.providerID;
    }, 60_000, 300);
  }
});
test.after.always(async () => {
  await local?.stop();
  await scheduler?.stop();
  await ccm?.stop();
  admin?.close();
  await bed?.stop();
});

const claim = (name: string, storage: string) => ({
  metadata: { name, namespace: NS }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage } } },
});
const pod = (name: string, claimName: string, worker: TestWorkers['workers'][number], command: string, extra: { readOnly?: boolean; securityContext?: Record<string, unknown> } = {}) => ({
  metadata: { name, namespace: NS },
  spec: {
    nodeSelector: { 'kubernetes.io/hostname': worker.instance.privateDnsName }, terminationGracePeriodSeconds: 0,
    ...(extra.securityContext ? { securityContext: extra.securityContext } : {}),
    containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', command], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName, ...(extra.readOnly ? { readOnly: true } : {}) } }],
  },
});
const running = (name: string) => eventually(`pod ${name} Running`, async () => {
  const p = await admin.get(PODS, name, { namespace: NS });
  return p.status?.phase === 'Running' && p;
}, 60_000, 200);
const gone = async (what: string, fn: () => Promise<unknown>) => eventually(what, () => fn().then(() => false, () => true), 60_000, 200);
const uniqueName = (volumeId: string) => `kubernetes.io/csi/${EBS}^${volumeId}`;
const boundVolume = async (claimName: string) => {
  const c = await admin.get(PERSISTENT_VOLUME_CLAIMS, claimName, { namespace: NS });
  const pv = await admin.get(PERSISTENT_VOLUMES, c.spec.volumeName);
  return { pvName: pv.metadata.name as string, volumeId: pv.spec.csi.volumeHandle as string };
};
const volumeFile = (volumeId: string) => join(local!.ebs.volumesDir, `${volumeId}.img`);
const loopsOf = (volumeId: string) => loopDevices().filter((l) => l.backingFile === volumeFile(volumeId));

/** A command's output inside the pod's container, through the worker's CRI. */
async function exec(worker: TestWorkers['workers'][number], podName: string, cmd: string[]): Promise<string> {
  const cri = new RuntimeClient(`unix://${worker.runtime.socket}`);
  try {
    const { containers } = await cri.runtimeCall('ListContainers', { filter: { labelSelector: { 'io.kubernetes.pod.name': podName }, state: { state: 'CONTAINER_RUNNING' } } });
    const out = await cri.runtimeCall('ExecSync', { containerId: containers[0].id, cmd, timeout: 10 });
    if (out.exitCode !== 0) throw new Error(`${cmd.join(' ')} exited ${out.exitCode}: ${Buffer.from(out.stderr ?? '').toString('utf8')}`);
    return Buffer.from(out.stdout ?? '').toString('utf8');
  } finally {
    cri.close();
  }
}

/** The size of the file system at /data in the pod, as df inside the container sees it, in KiB. */
const dataSizeKiB = async (worker: TestWorkers['workers'][number], podName: string) =>
  Number((await exec(worker, podName, ['df', '-k', '/data'])).trim().split('\n')[1].trim().split(/\s+/)[1]);

const formatted = () => workers.map((w) => readFileSync(w.agentLog, 'utf8').split('\n').filter((l) => l.includes('formatting a blank volume')).length).reduce((a, b) => a + b, 0);
const mountsUnder = (dir: string) => mounts().filter((m) => m.mountPoint.startsWith(`${dir}/`) || m.source.startsWith(`${dir}/`));

let volumeId: string;

test.serial('a pod with a gp3 claim waits for its volume to be attached, then runs with it formatted and mounted, the node listing it in use', async (t) => {
  const [a] = workers;
  await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('data', '1Gi'));
  // Not root: the volume is the pod's fsGroup's to write.
  await admin.create(PODS, pod('writer', 'data', a, 'echo written on $(hostname) > /data/hello && exec sleep 3600', { securityContext: { runAsUser: 1000, fsGroup: 2000 } }));
  await running('writer');
  ({ volumeId } = await boundVolume('data'));
  t.is((await exec(a, 'writer', ['cat', '/data/hello'])).trim(), 'written on writer');
  t.is((await exec(a, 'writer', ['stat', '-c', '%u %g', '/data/hello'])).trim(), '1000 2000');
  const size = await dataSizeKiB(a, 'writer');
  t.true(size > 0.9 * GIB / 1024 && size <= GIB / 1024, `a 1 GiB file system (${size} KiB)`);

  const va = await admin.get(VOLUME_ATTACHMENTS, csiAttachmentName(volumeId, EBS, a.instance.privateDnsName));
  t.true(va.status.attached);
  const node = await admin.get(NODES, a.instance.privateDnsName);
  t.deepEqual(node.status.volumesInUse, [uniqueName(volumeId)]);
  t.deepEqual(node.status.volumesAttached.map((v: AnyObject) => v.name), [uniqueName(volumeId)]);
  // The device AttachVolume named, and Nitro's name for it, lead to the one loop device on the volume's file.
  const [loop] = loopsOf(volumeId);
  t.truthy(loop, 'a loop device on the volume file');
  t.is(loop.sizeBytes, GIB);
  const deviceName = va.status.attachmentMetadata.devicePath.replace('/dev/', '');
  t.is(realpathSync(join(a.deviceDir!, deviceName)), loop.device);
  t.is(realpathSync(join(a.deviceDir!, 'disk', 'by-id', nitroDeviceId(volumeId))), loop.device);

  const events = (await admin.list(EVENTS, { namespace: NS })).items.filter((e: AnyObject) => e.involvedObject.name === 'writer');
  t.true(events.some((e: AnyObject) => e.reason === 'FailedMount' && e.message.startsWith('Unable to attach or mount volumes: unmounted volumes=[data]')),
    'the pod waited for its volume with a FailedMount event');
  t.is(formatted(), 1);
});

test.serial('a grown claim grows its volume, and its file on the host with it', async (t) => {
  await admin.patch(PERSISTENT_VOLUME_CLAIMS, 'data', 'merge', { spec: { resources: { requests: { storage: '2Gi' } } } }, { namespace: NS });
  await eventually('the PV at 2Gi', async () => (await admin.get(PERSISTENT_VOLUMES, (await boundVolume('data')).pvName)).spec.capacity.storage === '2Gi', 30_000, 200);
  await eventually('the volume file and its loop device at 2 GiB', () => statSync(volumeFile(volumeId)).size === 2 * GIB && loopsOf(volumeId)[0]?.sizeBytes === 2 * GIB, 10_000, 200);
  const c = await admin.get(PERSISTENT_VOLUME_CLAIMS, 'data', { namespace: NS });
  // Here ext4 cannot grow mounted (no CAP_SYS_RESOURCE): the claim waits for the next mount; on an instance the running pod finishes it.
  t.true(c.status.capacity.storage === '2Gi' || c.status.conditions.some((x: AnyObject) => x.type === 'FileSystemResizePending'), JSON.stringify(c.status));
});

test.serial('the pod recreated on the other worker of the zone finds its data after detach and attach, on a grown file system, read-only as it asks', async (t) => {
  const [a, b] = workers;
  await admin.delete(PODS, 'writer', { namespace: NS });
  await gone('writer deleted', () => admin.get(PODS, 'writer', { namespace: NS }));
  await admin.create(PODS, pod('reader', 'data', b, 'exec sleep 3600', { readOnly: true }));
  // The first node lets go of the volume only once it has unmounted it: then it is detached, its loop device gone.
  await eventually('not in use on the first node', async () => !((await admin.get(NODES, a.instance.privateDnsName)).status.volumesInUse ?? []).length, 30_000, 200);
  await gone('the first attachment deleted', () => admin.get(VOLUME_ATTACHMENTS, csiAttachmentName(volumeId, EBS, a.instance.privateDnsName)));
  t.deepEqual(mountsUnder(a.runtime.dir).filter((m) => m.mountPoint.includes('kubernetes.io')), []);
  await running('reader');
  t.is((await exec(b, 'reader', ['cat', '/data/hello'])).trim(), 'written on writer');
  await t.throwsAsync(exec(b, 'reader', ['touch', '/data/new']), { message: /Read-only file system/ }, 'the claim mounted read-only, as the pod asks');
  const size = await dataSizeKiB(b, 'reader');
  t.true(size > 1.9 * GIB / 1024 && size <= 2 * GIB / 1024, `a 2 GiB file system (${size} KiB)`);
  t.is(formatted(), 1, 'formatted once, on its first mount');
  const c = await eventually('the claim at 2Gi', async () => {
    const x = await admin.get(PERSISTENT_VOLUME_CLAIMS, 'data', { namespace: NS });
    return x.status.capacity.storage === '2Gi' && x;
  }, 20_000, 200);
  t.false((c.status.conditions ?? []).some((x: AnyObject) => x.type === 'FileSystemResizePending'));
  t.is(c.status.allocatedResourceStatuses, undefined);
  t.is(loopsOf(volumeId).length, 1);
});

test.serial('a claim deleted with its pod has its volume detached and deleted in the endpoint, and its file with it', async (t) => {
  const [, b] = workers;
  await admin.delete(PODS, 'reader', { namespace: NS });
  await gone('reader deleted', () => admin.get(PODS, 'reader', { namespace: NS }));
  await admin.delete(PERSISTENT_VOLUME_CLAIMS, 'data', { namespace: NS });
  await eventually('the EBS volume deleted', async () => {
    const v = (await bed.aws.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: [volumeId] }] }))).Volumes?.[0];
    return !v || v.State === 'deleted';
  }, 30_000, 300);
  await eventually('the volume file removed', () => !existsSync(volumeFile(volumeId)), 10_000, 200);
  t.deepEqual(loopsOf(volumeId), []);
  t.deepEqual(mountsUnder(b.runtime.dir).filter((m) => m.mountPoint.includes('kubernetes.io')), []);
  t.deepEqual(readdirSync(join(b.deviceDir!, 'disk', 'by-id')), []);
});

test.serial('taking the workers down with a volume mounted leaves no loop device, mount or file', async (t) => {
  const [a] = workers;
  await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('last', '1Gi'));
  await admin.create(PODS, pod('last', 'last', a, 'echo x > /data/x && exec sleep 3600'));
  await running('last');
  const last = await boundVolume('last');
  t.is(loopsOf(last.volumeId).length, 1);
  await local!.stop();
  local = undefined;
  t.deepEqual(loopDevices().filter((l) => l.backingFile.startsWith(`${ebsDir}/`)), []);
  t.false(execFileSync('losetup', ['-a'], { encoding: 'utf8' }).includes(ebsDir));
  for (const w of workers) t.deepEqual(mountsUnder(w.runtime.dir), []);
  t.deepEqual(mountsUnder(ebsDir), []);
  t.false(existsSync(ebsDir));
});
