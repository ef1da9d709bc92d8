import test from 'ava';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateVolumeCommand, DescribeVolumesCommand, TerminateInstancesCommand, type Volume } from '@aws-sdk/client-ec2';
import { csiAttachmentName } from '../../api/storage/csi-attachment.js';
import { isNotFound } from '../../client/api-error.js';
import type { AnyObject } from '../../client/resource.js';
import {
  EVENTS, NODES, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS, STORAGE_CLASSES, VOLUME_ATTACHMENTS,
} from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { isMutatingAction } from '../../controllers/aws/aws-clients.js';
import { clusterTagKey, tagRecord } from '../../controllers/aws/tags.js';
import type { BackingInstance } from '../../node-agent/simulator/backing-instances.js';
import { adminClient } from '../helpers/apiserver.js';
import { startFaultProxy, type FaultProxy } from '../helpers/aws-fault-proxy.js';
import { startAwsNodes, startCloudControllerManager, startCloudTestbed, type AwsNodes, type CloudTestbed, type RunningCloudControllerManager } from '../helpers/cloud.js';
import { eventually } from '../helpers/eventually.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';

let bed: CloudTestbed;
let nodes: AwsNodes;
let ccm: RunningCloudControllerManager;
let scheduler: RunningScheduler;
let admin: RestClient;
/** The endpoint as the restarted cloud-controller-manager sees it, counting its calls. */
let proxy: FaultProxy | undefined;
const NS = 'default';
const EBS = 'ebs.csi.aws.com';
const CONTROLLERS = ['ebs-provisioner', 'attachdetach', 'persistentvolume-expander'];
const startCcm = () => startCloudControllerManager(bed, { controllers: CONTROLLERS, retryBaseDelayMs: 200, retryMaxDelayMs: 2_000 });

test.before(async () => {
  bed = await startCloudTestbed();
  admin = adminClient(bed.cluster);
  nodes = await startAwsNodes(bed, 2, { namePrefix: 'vol-' });
  for (const inst of nodes.instances) await initialize(inst);
  scheduler = await startScheduler(bed.cluster);
  ccm = await startCcm();
  await admin.create(STORAGE_CLASSES, {
    metadata: { name: 'gp3' }, provisioner: EBS, volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete', allowVolumeExpansion: true,
    parameters: {
      type: 'gp3', 'csi.storage.k8s.io/fstype': 'xfs', iops: '4000',
      tagSpecification_1: 'team=storage', tagSpecification_2: 'owner={{ .PVCNamespace }}/{{ .PVCName }}',
    },
  });
});
test.after.always(async () => {
  await ccm?.stop();
  await proxy?.stop();
  await scheduler?.stop();
  await nodes?.stop();
  admin?.close();
  await bed?.stop();
});

/** What the cloud node controller does (another controller, not run here): providerID, zone label, no uninitialized taint. */
async function initialize(inst: BackingInstance): Promise<void> {
  const node = await admin.get(NODES, inst.name);
  const taints = (node.spec.taints ?? []).filter((t: AnyObject) => t.key !== 'node.cloudprovider.kubernetes.io/uninitialized');
  await admin.patch(NODES, inst.name, 'merge', {
    metadata: { labels: { 'topology.kubernetes.io/zone': inst.zone } },
    spec: { providerID: `aws:///${inst.zone}/${inst.instanceId}`, taints },
  });
}

const claim = (name: string, storageClassName: string, storage = '1Gi'): AnyObject => ({
  metadata: { name, namespace: NS }, spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage } } },
});
const pod = (name: string, claimName: string, node: BackingInstance) => ({
  metadata: { name, namespace: NS },
  spec: {
    nodeSelector: { 'kubernetes.io/hostname': node.name },
    containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
  },
});

const getClaim = (name: string) => admin.get(PERSISTENT_VOLUME_CLAIMS, name, { namespace: NS });
const boundClaim = (name: string) => eventually(`claim ${name} bound`, async () => {
  const c = await getClaim(name);
  return c.status?.phase === 'Bound' && c;
}, 30_000);
const describeVolume = async (id: string): Promise<Volume | undefined> =>
  (await bed.aws.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: [id] }] }))).Volumes?.[0];
const volumesTaggedFor = async (pvName: string): Promise<Volume[]> =>
  (await bed.aws.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'tag:CSIVolumeName', Values: [pvName] }] }))).Volumes ?? [];
const claimEvents = async (name: string) =>
  (await admin.list(EVENTS, { namespace: NS })).items.filter((e: AnyObject) => e.involvedObject.kind === 'PersistentVolumeClaim' && e.involvedObject.name === name);
const attachmentFor = (volumeId: string, inst: BackingInstance) => csiAttachmentName(volumeId, EBS, inst.name);
const gone = async (fn: () => Promise<unknown>) => fn().then(() => false, (err) => isNotFound(err));
const uniqueName = (volumeId: string) => `kubernetes.io/csi/${EBS}^${volumeId}`;

async function deletePod(name: string): Promise<void> {
  await admin.delete(PODS, name, { namespace: NS });
  await eventually(`pod ${name} gone`, () => gone(() => admin.get(PODS, name, { namespace: NS })));
}

/**
 * An endpoint in front of moto whose EBS attachments look stuck while
 * `stuck` is set: Describe answers say "attaching" where moto says
 * "attached", as AWS does for an attachment that never completes.
 */
async function stuckAttachmentsProxy(target: string): Promise<{ url: string; stuck: boolean; detaches: number; stop(): Promise<void> }> {
  const upstream = new URL(target);
  const state = { url: '', stuck: true, detaches: 0, stop: async () => undefined as void };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = new URLSearchParams(body.toString()).get('Action') ?? '';
      if (action === 'DetachVolume') state.detaches++;
      const forwarded = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' } }, (up) => {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('end', () => {
          let text = Buffer.concat(parts).toString();
          if (state.stuck && /^Describe(Instances|Volumes)$/.test(action)) text = text.replace(/<status>attached<\/status>/g, '<status>attaching</status>');
          const { 'content-length': _length, ...headers } = up.headers;
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(text);
        });
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}

let firstVolumeId: string;

test.serial('a WaitForFirstConsumer claim gets an EBS volume in its pod\'s zone, tagged, attached at /dev/xvdaa before the pod runs', async (t) => {
  const node = nodes.instances[1];
  await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('data', 'gp3'));
  await admin.create(PODS, pod('app', 'data', node));
  const bound = await boundClaim('data');
  const pvName = `pvc-${bound.metadata.uid}`;
  t.is(bound.spec.volumeName, pvName);
  const pv = await admin.get(PERSISTENT_VOLUMES, pvName);
  firstVolumeId = pv.spec.csi.volumeHandle;
  t.is(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], EBS);
  t.like(pv.spec, {
    capacity: { storage: '1Gi' }, persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'gp3',
    csi: { driver: EBS, fsType: 'xfs' }, claimRef: { namespace: NS, name: 'data', uid: bound.metadata.uid },
  });
  t.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms, [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [node.zone] }] }]);

  const volume = (await describeVolume(firstVolumeId))!;
  t.is(volume.AvailabilityZone, node.zone);
  t.is(volume.Size, 1);
  t.is(volume.VolumeType, 'gp3');
  // 4000 IOPS asked for, capped at gp3's 500 per GiB only when that stays above gp3's 3000 minimum.
  t.is(volume.Iops, 4000);
  t.like(tagRecord(volume.Tags), {
    [clusterTagKey(bed.clusterName)]: 'owned',
    CSIVolumeName: pvName,
    'kubernetes.io/created-for/pvc/name': 'data',
    'kubernetes.io/created-for/pvc/namespace': NS,
    'kubernetes.io/created-for/pv/name': pvName,
    team: 'storage',
    owner: `${NS}/data`,
  });
  const reasons = (await eventually('provisioning events', async () => {
    const events = await claimEvents('data');
    return events.some((e) => e.reason === 'ProvisioningSucceeded') && events;
  })).map((e) => e.reason);
  t.true(reasons.includes('Provisioning'));

  const va = await eventually('attachment attached', async () => {
    const a = await admin.get(VOLUME_ATTACHMENTS, attachmentFor(firstVolumeId, node));
    return a.status?.attached && a;
  });
  t.like(va.spec, { attacher: EBS, nodeName: node.name, source: { persistentVolumeName: pvName } });
  t.deepEqual(va.status.attachmentMetadata, { devicePath: '/dev/xvdaa' });
  t.deepEqual(va.metadata.finalizers, ['external-attacher/ebs-csi-aws-com']);
  const attachment = (await describeVolume(firstVolumeId))!.Attachments!;
  t.is(attachment.length, 1);
  t.like(attachment[0], { InstanceId: node.instanceId, Device: '/dev/xvdaa', State: 'attached' });

  const running = await eventually('pod running', async () => {
    const p = await admin.get(PODS, 'app', { namespace: NS });
    return p.status?.phase === 'Running' && p;
  });
  t.is(running.spec.nodeName, node.name);
  const nodeStatus = await eventually('volume in use and attached on the node', async () => {
    const n = await admin.get(NODES, node.name);
    return (n.status.volumesInUse ?? []).includes(uniqueName(firstVolumeId)) && (n.status.volumesAttached ?? []).length && n.status;
  });
  t.deepEqual(nodeStatus.volumesAttached, [{ name: uniqueName(firstVolumeId), devicePath: '' }]);
});

test.serial('a volume tagged for the PV by an earlier run is adopted, and a restart makes no second volume and no other mutating call', async (t) => {
  const node = nodes.instances[0];
  const created = await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('adopted', 'gp3'));
  const pvName = `pvc-${created.metadata.uid}`;
  // As if the provisioner had died between CreateVolume and writing the PV.
  const earlier = await bed.aws.ec2.send(new CreateVolumeCommand({
    AvailabilityZone: node.zone, Size: 1, VolumeType: 'gp3',
    TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'CSIVolumeName', Value: pvName }, { Key: clusterTagKey(bed.clusterName), Value: 'owned' }] }],
  }));
  await admin.create(PODS, pod('adopter', 'adopted', node));
  await boundClaim('adopted');
  t.is((await admin.get(PERSISTENT_VOLUMES, pvName)).spec.csi.volumeHandle, earlier.VolumeId);
  await eventually('adopted volume attached', async () => (await admin.get(VOLUME_ATTACHMENTS, attachmentFor(earlier.VolumeId!, node))).status?.attached);

  // The restarted process reaches AWS through a counting proxy (its clients read the endpoint at their first call).
  proxy = await startFaultProxy(bed.endpoint.url, { throttleShare: 0, errorShare: 0, maxLatencyMs: 0 });
  const direct = process.env.AWS_ENDPOINT_URL;
  await ccm.stop();
  process.env.AWS_ENDPOINT_URL = proxy.url;
  let later: AnyObject;
  try {
    ccm = await startCcm();
    // A claim provisioned by the new process shows it has been through everything it found.
    await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('after-restart', 'gp3'));
    await admin.create(PODS, pod('after-restart', 'after-restart', node));
    later = await boundClaim('after-restart');
  } finally {
    process.env.AWS_ENDPOINT_URL = direct;
  }
  t.is((await volumesTaggedFor(`pvc-${later.metadata.uid}`)).length, 1);
  t.deepEqual((await volumesTaggedFor(pvName)).map((v) => v.VolumeId), [earlier.VolumeId]);
  const first = await getClaim('data');
  t.deepEqual((await volumesTaggedFor(`pvc-${first.metadata.uid}`)).map((v) => v.VolumeId), [firstVolumeId]);
  // Two volumes on one instance: the second takes the next free device.
  const va = await eventually('second attachment', async () => {
    const a = await admin.get(VOLUME_ATTACHMENTS, attachmentFor((await admin.get(PERSISTENT_VOLUMES, `pvc-${later.metadata.uid}`)).spec.csi.volumeHandle, node));
    return a.status?.attached && a;
  });
  t.deepEqual(va.status.attachmentMetadata, { devicePath: '/dev/xvdab' });
  // The volumes already provisioned and attached cost no mutating call: only the new one's CreateVolume and AttachVolume.
  const mutating = Object.fromEntries([...proxy.passedByAction].filter(([action]) => isMutatingAction(action)));
  t.deepEqual(mutating, { CreateVolume: 1, AttachVolume: 1 });
  t.log('AWS calls of the restarted process', Object.fromEntries(proxy.passedByAction));
  await deletePod('adopter');
  await deletePod('after-restart');
});

test.serial('a pod waits for its volume to be attached: on a node that lists the volume in use it is not Running without an attacher', async (t) => {
  const node = nodes.instances[1];
  await ccm.stop();
  ccm = await startCloudControllerManager(bed, { controllers: ['ebs-provisioner'], retryBaseDelayMs: 200, retryMaxDelayMs: 2_000 });
  try {
    await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('waiting', 'gp3'));
    await admin.create(PODS, pod('waiting', 'waiting', node));
    const bound = await boundClaim('waiting');
    const volumeId = (await admin.get(PERSISTENT_VOLUMES, bound.spec.volumeName)).spec.csi.volumeHandle;
    // The node has seen the pod and its volume (it reports it in use) and still does not run it.
    await eventually('in use on the node', async () => ((await admin.get(NODES, node.name)).status.volumesInUse ?? []).includes(uniqueName(volumeId)));
    t.not((await admin.get(PODS, 'waiting', { namespace: NS })).status?.phase, 'Running');
    t.true(await gone(() => admin.get(VOLUME_ATTACHMENTS, attachmentFor(volumeId, node))));
  } finally {
    await ccm.stop();
    ccm = await startCcm();
  }
  await eventually('pod running once attached', async () => (await admin.get(PODS, 'waiting', { namespace: NS })).status?.phase === 'Running');
  await deletePod('waiting');
  await admin.delete(PERSISTENT_VOLUME_CLAIMS, 'waiting', { namespace: NS });
});

test.serial('a VolumeAttachment deleted by hand is detached before it goes (its finalizer), and a pod still using the volume gets a new one, attached', async (t) => {
  const node = nodes.instances[1];
  const name = attachmentFor(firstVolumeId, node);
  const before = await admin.get(VOLUME_ATTACHMENTS, name);
  await admin.delete(VOLUME_ATTACHMENTS, name);
  const again = await eventually('a new attachment, attached', async () => {
    const va = await admin.get(VOLUME_ATTACHMENTS, name);
    return va.metadata.uid !== before.metadata.uid && va.status?.attached && va;
  });
  t.deepEqual(again.status.attachmentMetadata, { devicePath: '/dev/xvdaa' });
  t.like((await describeVolume(firstVolumeId))!.Attachments, [{ InstanceId: node.instanceId, State: 'attached' }]);
});

test.serial('deleting the pod detaches the volume and deletes its VolumeAttachment once the node stops using it', async (t) => {
  const node = nodes.instances[1];
  await deletePod('app');
  await eventually('attachment deleted', () => gone(() => admin.get(VOLUME_ATTACHMENTS, attachmentFor(firstVolumeId, node))));
  const volume = (await describeVolume(firstVolumeId))!;
  t.is(volume.State, 'available');
  t.deepEqual(volume.Attachments, []);
  const status = (await admin.get(NODES, node.name)).status;
  t.false((status.volumesInUse ?? []).includes(uniqueName(firstVolumeId)));
  t.deepEqual(status.volumesAttached ?? [], []);
});

test.serial('a grown claim is grown with ModifyVolume, waits for a node with FileSystemResizePending, and a pod finishes it', async (t) => {
  const patched = await admin.patch(PERSISTENT_VOLUME_CLAIMS, 'data', 'merge', { spec: { resources: { requests: { storage: '3Gi' } } } }, { namespace: NS });
  const pending = await eventually('FileSystemResizePending', async () => {
    const c = await getClaim('data');
    return (c.status.conditions ?? []).some((x: AnyObject) => x.type === 'FileSystemResizePending') && c;
  });
  t.is((await describeVolume(firstVolumeId))!.Size, 3);
  t.is((await admin.get(PERSISTENT_VOLUMES, patched.spec.volumeName)).spec.capacity.storage, '3Gi');
  t.is(pending.status.capacity.storage, '1Gi');
  t.deepEqual(pending.status.allocatedResources, { storage: '3Gi' });
  t.deepEqual(pending.status.allocatedResourceStatuses, { storage: 'NodeResizePending' });

  await admin.create(PODS, pod('resizer', 'data', nodes.instances[1]));
  const done = await eventually('resize finished on the node', async () => {
    const c = await getClaim('data');
    return c.status.capacity.storage === '3Gi' && c;
  });
  t.deepEqual(done.status.conditions ?? [], []);
  await deletePod('resizer');
});

test.serial('a claim whose class does not allow expansion cannot grow', async (t) => {
  await admin.create(STORAGE_CLASSES, { metadata: { name: 'fixed' }, provisioner: EBS, volumeBindingMode: 'WaitForFirstConsumer' });
  await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('fixed', 'fixed'));
  await admin.create(PODS, pod('fixed', 'fixed', nodes.instances[0]));
  await boundClaim('fixed');
  await eventually('pod scheduled', async () => (await admin.get(PODS, 'fixed', { namespace: NS })).spec.nodeName);
  const err = await t.throwsAsync(admin.patch(PERSISTENT_VOLUME_CLAIMS, 'fixed', 'merge', { spec: { resources: { requests: { storage: '2Gi' } } } }, { namespace: NS }));
  t.is((err as unknown as { code: number }).code, 403);
  t.regex(err!.message, /only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/);
  await deletePod('fixed');
});

test.serial('an Immediate claim is provisioned at once in its class\'s allowed zone', async (t) => {
  await admin.create(STORAGE_CLASSES, {
    metadata: { name: 'zonal' }, provisioner: EBS, volumeBindingMode: 'Immediate',
    allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.ebs.csi.aws.com/zone', values: ['us-east-1b'] }] }],
  });
  const bound = await boundClaim((await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('zonal', 'zonal', '1500Mi'))).metadata.name!);
  const volume = (await volumesTaggedFor(bound.spec.volumeName))[0];
  t.is(volume.AvailabilityZone, 'us-east-1b');
  t.is(volume.Size, 2);
  t.is((await admin.get(PERSISTENT_VOLUMES, bound.spec.volumeName)).spec.capacity.storage, '2Gi');
});

test.serial('a class parameter the driver does not know fails provisioning with the driver\'s words', async (t) => {
  await admin.create(STORAGE_CLASSES, { metadata: { name: 'typo' }, provisioner: EBS, volumeBindingMode: 'Immediate', parameters: { tpye: 'gp3' } });
  await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('typo', 'typo'));
  const failed = await eventually('ProvisioningFailed', async () => (await claimEvents('typo')).find((e) => e.reason === 'ProvisioningFailed'));
  t.is(failed.type, 'Warning');
  t.is(failed.message, 'failed to provision volume with StorageClass "typo": rpc error: code = InvalidArgument desc = Invalid parameter key tpye for CreateVolume');
  t.is((await getClaim('typo')).status.phase, 'Pending');
});

test.serial('reclaim Delete deletes the EBS volume and the PV; Retain keeps both', async (t) => {
  await admin.create(STORAGE_CLASSES, { metadata: { name: 'keep' }, provisioner: EBS, volumeBindingMode: 'Immediate', reclaimPolicy: 'Retain' });
  const kept = await boundClaim((await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('kept', 'keep'))).metadata.name!);
  const keptPv = await admin.get(PERSISTENT_VOLUMES, kept.spec.volumeName);
  await admin.delete(PERSISTENT_VOLUME_CLAIMS, 'kept', { namespace: NS });
  await eventually('retained volume released', async () => (await admin.get(PERSISTENT_VOLUMES, keptPv.metadata.name!)).status?.phase === 'Released');

  const data = await getClaim('data');
  await admin.delete(PERSISTENT_VOLUME_CLAIMS, 'data', { namespace: NS });
  await eventually('the PV of a Delete claim gone', () => gone(() => admin.get(PERSISTENT_VOLUMES, data.spec.volumeName)));
  t.is(await describeVolume(firstVolumeId), undefined);
  // The Delete volume's reclaim has run, so the retained one was looked at too.
  t.is((await describeVolume(keptPv.spec.csi.volumeHandle))?.State, 'available');
  t.is((await admin.get(PERSISTENT_VOLUMES, keptPv.metadata.name!)).status.phase, 'Released');
});

test.serial('a terminated instance\'s node goes, and with it its attachments, so the claim can be used on another node', async (t) => {
  const extra = await startAwsNodes(bed, 1, { namePrefix: 'term-' });
  const [doomed] = extra.instances;
  await initialize(doomed);
  await ccm.stop();
  ccm = await startCloudControllerManager(bed, { controllers: [...CONTROLLERS, 'cloud-node-lifecycle'], nodeMonitorPeriodMs: 200, retryBaseDelayMs: 200, retryMaxDelayMs: 2_000 });
  try {
    await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('moving', 'gp3'));
    await admin.create(PODS, pod('moving', 'moving', doomed));
    const bound = await boundClaim('moving');
    const volumeId = (await admin.get(PERSISTENT_VOLUMES, bound.spec.volumeName)).spec.csi.volumeHandle;
    await eventually('attached to the doomed node', async () => (await admin.get(VOLUME_ATTACHMENTS, attachmentFor(volumeId, doomed))).status?.attached);
    await bed.aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: [doomed.instanceId] }));
    await extra.nodes.setReady(doomed.name, false);
    await eventually('node deleted', () => gone(() => admin.get(NODES, doomed.name)));
    await eventually('attachment released', () => gone(() => admin.get(VOLUME_ATTACHMENTS, attachmentFor(volumeId, doomed))));
    // The pod a controller would make elsewhere: in the volume's zone, it gets the volume without waiting for anything.
    const sameZone = nodes.instances.find((i) => i.zone === doomed.zone)!;
    await admin.delete(PODS, 'moving', { namespace: NS, gracePeriodSeconds: 0 });
    await admin.create(PODS, pod('moved', 'moving', sameZone));
    await eventually('moved pod running', async () => (await admin.get(PODS, 'moved', { namespace: NS })).status?.phase === 'Running');
    t.like((await describeVolume(volumeId))!.Attachments, [{ InstanceId: sameZone.instanceId, State: 'attached' }]);
    await deletePod('moved');
  } finally {
    await ccm.stop();
    ccm = await startCcm();
    await extra.stop();
  }
});

test.serial('a NotReady node whose instance is terminated has its attachments released while its Node is still there', async (t) => {
  const extra = await startAwsNodes(bed, 1, { namePrefix: 'gone-' });
  const [doomed] = extra.instances;
  await initialize(doomed);
  try {
    await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('stranded', 'gp3'));
    await admin.create(PODS, pod('stranded', 'stranded', doomed));
    const bound = await boundClaim('stranded');
    const volumeId = (await admin.get(PERSISTENT_VOLUMES, bound.spec.volumeName)).spec.csi.volumeHandle;
    await eventually('attached', async () => (await admin.get(VOLUME_ATTACHMENTS, attachmentFor(volumeId, doomed))).status?.attached);
    await bed.aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: [doomed.instanceId] }));
    await extra.nodes.setReady(doomed.name, false);
    await eventually('attachment released', () => gone(() => admin.get(VOLUME_ATTACHMENTS, attachmentFor(volumeId, doomed))));
    t.truthy(await admin.get(NODES, doomed.name));
    t.deepEqual((await describeVolume(volumeId))!.Attachments, []);
    t.deepEqual((await admin.get(NODES, doomed.name)).status.volumesAttached ?? [], []);
    await admin.delete(PODS, 'stranded', { namespace: NS, gracePeriodSeconds: 0 });
  } finally {
    await extra.stop();
  }
});

test.serial('an attachment stuck attaching past the timeout is detached and tried again, and attaches once EBS completes it', async (t) => {
  const node = nodes.instances[1];
  const stuck = await stuckAttachmentsProxy(bed.endpoint.url);
  const direct = process.env.AWS_ENDPOINT_URL;
  await ccm.stop();
  process.env.AWS_ENDPOINT_URL = stuck.url;
  try {
    ccm = await startCloudControllerManager(bed, { controllers: CONTROLLERS, attachTimeoutMs: 1500, retryBaseDelayMs: 200, retryMaxDelayMs: 1_000 });
    await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('slow', 'gp3'));
    await admin.create(PODS, pod('slow', 'slow', node));
    const bound = await boundClaim('slow');
    process.env.AWS_ENDPOINT_URL = direct;
    const volumeId = (await admin.get(PERSISTENT_VOLUMES, bound.spec.volumeName)).spec.csi.volumeHandle;
    const failing = await eventually('attach error of a stuck attachment', async () => {
      const va = await admin.get(VOLUME_ATTACHMENTS, attachmentFor(volumeId, node));
      return va.status?.attachError && va;
    });
    t.false(failing.status.attached);
    t.regex(failing.status.attachError.message, new RegExp(`"${volumeId}" stuck in attaching state for longer than 2s: detached to try again`));
    t.true(stuck.detaches >= 1);
    t.not((await admin.get(PODS, 'slow', { namespace: NS })).status?.phase, 'Running');
    stuck.stuck = false;
    const attached = await eventually('attached once EBS completes it', async () => {
      const va = await admin.get(VOLUME_ATTACHMENTS, attachmentFor(volumeId, node));
      return va.status?.attached && va;
    });
    t.is(attached.status.attachError, undefined);
    await eventually('pod running', async () => (await admin.get(PODS, 'slow', { namespace: NS })).status?.phase === 'Running');
    await deletePod('slow');
  } finally {
    process.env.AWS_ENDPOINT_URL = direct;
    await ccm.stop();
    ccm = await startCcm();
    await stuck.stop();
  }
});

test.serial('deleting a node releases its attachments at once, though its pod still lists the volume', async (t) => {
  const node = nodes.instances[0];
  await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('orphan', 'gp3'));
  await admin.create(PODS, pod('orphan', 'orphan', node));
  const bound = await boundClaim('orphan');
  const volumeId = (await admin.get(PERSISTENT_VOLUMES, bound.spec.volumeName)).spec.csi.volumeHandle;
  await eventually('in use on the node', async () => ((await admin.get(NODES, node.name)).status.volumesInUse ?? []).includes(uniqueName(volumeId)));
  await admin.delete(NODES, node.name);
  await eventually('attachment released', () => gone(() => admin.get(VOLUME_ATTACHMENTS, attachmentFor(volumeId, node))));
  t.is((await describeVolume(volumeId))!.State, 'available');
  t.truthy(await admin.get(PODS, 'orphan', { namespace: NS }));
});
