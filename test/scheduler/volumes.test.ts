import test from 'ava';
import type { AnyObject } from '../../client/resource.js';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, PODS, STORAGE_CLASSES } from '../../client/resources.js';
import { eventually } from '../helpers/eventually.js';
import { podObject } from './fixtures.js';
import { boundNode, createNode, createPod, failedScheduling, startSchedulerCluster, type SchedulerCluster } from './scheduler-cluster.js';

let env: SchedulerCluster;

test.before(async () => {
  // The PV controller binds claims; this test plays the provisioner.
  env = await startSchedulerCluster(['persistentvolume-binder']);
  const { admin } = env;
  await createNode(admin, 'node-a', { zone: 'us-east-1a' });
  await createNode(admin, 'node-c', { zone: 'us-east-1c' });
  const sc = (name: string, provisioner: string, volumeBindingMode: string, extra: Record<string, unknown> = {}) =>
    admin.create<AnyObject>(STORAGE_CLASSES, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, volumeBindingMode, ...extra });
  await sc('ebs', 'ebs.csi.aws.com', 'WaitForFirstConsumer', { allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['us-east-1a', 'us-east-1b'] }] }] });
  await sc('local', 'kubernetes.io/no-provisioner', 'WaitForFirstConsumer');
  await sc('instant', 'example.com/nowhere', 'Immediate');
});
test.after.always(async () => { await env?.stop(); });

const claim = (name: string, storageClassName: string) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: { storageClassName, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
});
const mounting = (name: string, claimName: string) => podObject(name, { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] } });
const volume = (name: string, storageClassName: string, extra: { spec?: Record<string, unknown>; annotations?: Record<string, string> } = {}) => ({
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: { name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: { storageClassName, capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], ...extra.spec },
});
const zoneAffinity = (key: string, value: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: 'In', values: [value] }] }] } });

test('WaitForFirstConsumer with a provisioner: the scheduler selects a node the class allows, and binds the pod once the claim is bound', async (t) => {
  const { admin } = env;
  await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('dynamic', 'ebs'));
  await createPod(admin, mounting('dyn-pod', 'dynamic'));
  const pvc = await eventually('the selected node on the claim', async () => {
    const c = await admin.get(PERSISTENT_VOLUME_CLAIMS, 'dynamic', { namespace: 'default' });
    return c.metadata.annotations?.['volume.kubernetes.io/selected-node'] ? c : undefined;
  });
  t.is(pvc.metadata.annotations!['volume.kubernetes.io/selected-node'], 'node-a', 'us-east-1c is not among the class\'s allowed topologies');
  t.falsy((await admin.get(PODS, 'dyn-pod', { namespace: 'default' })).spec.nodeName, 'the pod waits for its volume');
  // The provisioner makes the volume in the selected node's zone, pre-bound to the claim.
  await admin.create(PERSISTENT_VOLUMES, volume(`pvc-${pvc.metadata.uid}`, 'ebs', {
    annotations: { 'pv.kubernetes.io/provisioned-by': 'ebs.csi.aws.com' },
    spec: {
      csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0123456789abcdef0' }, persistentVolumeReclaimPolicy: 'Delete',
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'dynamic', uid: pvc.metadata.uid },
      nodeAffinity: zoneAffinity('topology.kubernetes.io/zone', 'us-east-1a'),
    },
  }));
  t.is(await boundNode(admin, 'dyn-pod', 'default', 30_000), 'node-a');
  const bound = await admin.get(PERSISTENT_VOLUME_CLAIMS, 'dynamic', { namespace: 'default' });
  t.is(bound.spec.volumeName, `pvc-${pvc.metadata.uid}`);
});

test('WaitForFirstConsumer with a local volume: the pod goes where the volume is, which the scheduler prebinds to the claim', async (t) => {
  const { admin } = env;
  await admin.create(PERSISTENT_VOLUMES, volume('local-c', 'local', { spec: { local: { path: '/mnt/disks/1' }, nodeAffinity: zoneAffinity('kubernetes.io/hostname', 'node-c') } }));
  await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('local-claim', 'local'));
  await createPod(admin, mounting('local-pod', 'local-claim'));
  t.is(await boundNode(admin, 'local-pod', 'default', 30_000), 'node-c');
  const pv = await admin.get(PERSISTENT_VOLUMES, 'local-c');
  t.like(pv.spec.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'local-claim' });
  t.is(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  t.is((await admin.get(PERSISTENT_VOLUME_CLAIMS, 'local-claim', { namespace: 'default' })).spec.volumeName, 'local-c');
});

test('an unbound claim of an Immediate class keeps the pod pending until the PV controller binds it', async (t) => {
  const { admin } = env;
  await admin.create(PERSISTENT_VOLUME_CLAIMS, claim('instant-claim', 'instant'));
  await createPod(admin, mounting('instant-pod', 'instant-claim'));
  const message = '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.';
  await failedScheduling(admin, 'instant-pod', message);
  t.like(await eventually('PodScheduled=False', async () => {
    const pod = await admin.get(PODS, 'instant-pod', { namespace: 'default' });
    return pod.status?.conditions?.find((c: AnyObject) => c.type === 'PodScheduled' && c.message === message);
  }), { status: 'False', reason: 'Unschedulable' });
  await admin.create(PERSISTENT_VOLUMES, volume('instant-pv', 'instant', { spec: { csi: { driver: 'nowhere.example.com', volumeHandle: 'v-1' } } }));
  t.truthy(await boundNode(admin, 'instant-pod', 'default', 30_000));
});

test('a claim that does not exist is kube\'s not-found message', async (t) => {
  const { admin } = env;
  await createPod(admin, mounting('orphan', 'missing'));
  await failedScheduling(admin, 'orphan', '0/2 nodes are available: persistentvolumeclaim "missing" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
  t.pass();
});

test('a provisioner that gives up takes the selected node off the claim: the binding fails with kube\'s message and the pod is tried again', async (t) => {
  const { admin } = env;
  // An annotation of its own keeps the claim's annotations there once the selected node is off: kube's "selectedNode annotation reset" is for a claim left with none.
  const flaky = claim('flaky', 'ebs');
  await admin.create(PERSISTENT_VOLUME_CLAIMS, { ...flaky, metadata: { ...flaky.metadata, annotations: { 'example.com/team': 'storage' } } });
  await createPod(admin, mounting('flaky-pod', 'flaky'));
  const selected = () => eventually('the selected node on the claim', async () => {
    const c = await admin.get(PERSISTENT_VOLUME_CLAIMS, 'flaky', { namespace: 'default' });
    return c.metadata.annotations?.['volume.kubernetes.io/selected-node'] ? c : undefined;
  });
  await selected();
  await admin.patch(PERSISTENT_VOLUME_CLAIMS, 'flaky', 'json', [{ op: 'remove', path: '/metadata/annotations/volume.kubernetes.io~1selected-node' }], { namespace: 'default' });
  await failedScheduling(admin, 'flaky-pod', 'running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC "flaky"');
  const again = await selected();
  t.is(again.metadata.annotations!['volume.kubernetes.io/selected-node'], 'node-a');
  await admin.create(PERSISTENT_VOLUMES, volume(`pvc-${again.metadata.uid}`, 'ebs', {
    annotations: { 'pv.kubernetes.io/provisioned-by': 'ebs.csi.aws.com' },
    spec: {
      csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0fedcba9876543210' },
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'flaky', uid: again.metadata.uid },
      nodeAffinity: zoneAffinity('topology.kubernetes.io/zone', 'us-east-1a'),
    },
  }));
  t.is(await boundNode(admin, 'flaky-pod', 'default', 30_000), 'node-a');
});
