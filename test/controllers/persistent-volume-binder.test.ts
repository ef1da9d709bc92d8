import test from 'ava';
import type { AnyObject } from '../../client/resource.js';
import { EVENTS, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS, STORAGE_CLASSES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, startCluster, type TestCluster, podNamespace } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';

type Fields = Record<string, any>;

let cluster: TestCluster;
let client: RestClient;
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['persistentvolume-binder', 'pvc-protection', 'pv-protection'] } });
  client = adminClient(cluster);
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

const EXTERNAL_PROVISIONING = (name: string) => `Waiting for a volume to be created either by the external provisioner '${name}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`;

const namespace = (name: string) => podNamespace(client, name);

// Volumes are cluster-wide: each test gives its own a class of its own (no
// StorageClass object is needed for static binding), so tests running side
// by side never take each other's volumes.
function volume(name: string, size: string, spec: Fields = {}, metadata: Fields = {}): AnyObject {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, ...metadata },
    spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], nfs: { server: 'nfs.example.com', path: `/exports/${name}` }, ...spec },
  };
}

function claim(ns: string, name: string, size: string, spec: Fields = {}, metadata: Fields = {}): AnyObject {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns, ...metadata },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, ...spec },
  };
}

const createVolume = (pv: AnyObject) => client.create(PERSISTENT_VOLUMES, pv);
const createClaim = (pvc: AnyObject) => client.create(PERSISTENT_VOLUME_CLAIMS, pvc);
const getVolume = (name: string) => client.get(PERSISTENT_VOLUMES, name);
const getClaim = (ns: string, name: string) => client.get(PERSISTENT_VOLUME_CLAIMS, name, { namespace: ns });

async function boundClaim(ns: string, name: string): Promise<AnyObject> {
  return eventually(`claim ${ns}/${name} to be Bound`, async () => {
    const c = await getClaim(ns, name);
    return c.status?.phase === 'Bound' ? c : undefined;
  });
}

async function volumeInPhase(name: string, phase: string): Promise<AnyObject> {
  return eventually(`volume ${name} to be ${phase}`, async () => {
    const v = await getVolume(name);
    return v.status?.phase === phase ? v : undefined;
  });
}

async function events(ns: string, name: string, reason: string): Promise<AnyObject[]> {
  const list = await client.list(EVENTS, { namespace: ns, fieldSelector: `involvedObject.name=${name},reason=${reason}` });
  return list.items;
}

async function event(ns: string, name: string, reason: string): Promise<AnyObject> {
  return eventually(`event ${reason} on ${name}`, async () => (await events(ns, name, reason))[0]);
}

test('static binding takes the smallest fitting volume of the class, with the fewest access modes, the selector and volume mode', async (t) => {
  const ns = await namespace('static');
  const cls = { storageClassName: 'static-fit' };
  await createVolume(volume('fit-small', '1Gi', cls));
  await createVolume(volume('fit-best', '5Gi', cls));
  await createVolume(volume('fit-big', '10Gi', cls));
  await createVolume(volume('fit-other-class', '3Gi', { storageClassName: 'elsewhere' }));
  await createVolume(volume('fit-rwx', '3Gi', { ...cls, accessModes: ['ReadWriteOnce', 'ReadWriteMany'] }));
  await createVolume(volume('fit-block', '3Gi', { ...cls, volumeMode: 'Block' }));
  await createVolume(volume('fit-gold', '20Gi', cls, { labels: { tier: 'gold' } }));
  for (const name of ['fit-small', 'fit-best', 'fit-big', 'fit-rwx', 'fit-block', 'fit-gold']) await volumeInPhase(name, 'Available');

  await createClaim(claim(ns, 'data', '2Gi', cls));
  const bound = await boundClaim(ns, 'data');
  t.is(bound.spec.volumeName, 'fit-best', 'the smallest volume that fits, among those offering exactly ReadWriteOnce');
  t.is(bound.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  t.is(bound.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  t.deepEqual(bound.status.capacity, { storage: '5Gi' });
  t.deepEqual(bound.status.accessModes, ['ReadWriteOnce']);
  const pv = await volumeInPhase('fit-best', 'Bound');
  t.like(pv.spec.claimRef, { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: 'data', uid: bound.metadata.uid });
  t.truthy(pv.spec.claimRef.resourceVersion);
  t.is(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');

  await createClaim(claim(ns, 'shared', '1Gi', { ...cls, accessModes: ['ReadWriteMany'] }));
  t.is((await boundClaim(ns, 'shared')).spec.volumeName, 'fit-rwx');
  await createClaim(claim(ns, 'raw', '1Gi', { ...cls, volumeMode: 'Block' }));
  t.is((await boundClaim(ns, 'raw')).spec.volumeName, 'fit-block');
  await createClaim(claim(ns, 'gold', '1Gi', { ...cls, selector: { matchLabels: { tier: 'gold' } } }));
  t.is((await boundClaim(ns, 'gold')).spec.volumeName, 'fit-gold');

  await createClaim(claim(ns, 'next', '2Gi', cls));
  t.is((await boundClaim(ns, 'next')).spec.volumeName, 'fit-big', 'a bound volume is not offered again');
  t.is((await getVolume('fit-small')).status.phase, 'Available');
  t.is((await getVolume('fit-other-class')).status.phase, 'Available');
});

test('a claim naming a volume gets it, or is told why it cannot', async (t) => {
  const ns = await namespace('named');
  const cls = { storageClassName: 'static-named' };
  await createVolume(volume('named-pv', '1Gi', cls));
  await createVolume(volume('named-small', '1Gi', cls));
  await createClaim(claim(ns, 'wants', '1Gi', { ...cls, volumeName: 'named-pv' }));
  const bound = await boundClaim(ns, 'wants');
  t.is(bound.spec.volumeName, 'named-pv');
  t.is(bound.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  t.is(bound.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined, 'the user chose the volume');
  const pv = await volumeInPhase('named-pv', 'Bound');
  t.is(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes', 'the controller set the claimRef');

  await createClaim(claim(ns, 'too-big', '5Gi', { ...cls, volumeName: 'named-small' }));
  const mismatch = await event(ns, 'too-big', 'VolumeMismatch');
  t.is(mismatch.type, 'Warning');
  t.is(mismatch.message, 'Cannot bind to requested volume "named-small": requested PV is too small');
  t.is((await getClaim(ns, 'too-big')).status.phase, 'Pending');
  t.is((await getVolume('named-small')).spec.claimRef, undefined);

  await createClaim(claim(ns, 'taken', '1Gi', { ...cls, volumeName: 'named-pv' }));
  const taken = await event(ns, 'taken', 'FailedBinding');
  t.is(taken.type, 'Warning');
  t.is(taken.message, 'volume "named-pv" already bound to a different claim.');
});

test('a volume pre-bound by claimRef waits for its claim and no other', async (t) => {
  const ns = await namespace('prebound');
  const cls = { storageClassName: 'static-prebound' };
  await createVolume(volume('reserved', '1Gi', { ...cls, claimRef: { namespace: ns, name: 'owner' } }));
  await volumeInPhase('reserved', 'Available');
  await createClaim(claim(ns, 'intruder', '1Gi', cls));
  await event(ns, 'intruder', 'ProvisioningFailed');
  t.is((await getClaim(ns, 'intruder')).status.phase, 'Pending');

  await createClaim(claim(ns, 'owner', '1Gi', cls));
  const bound = await boundClaim(ns, 'owner');
  t.is(bound.spec.volumeName, 'reserved');
  t.is(bound.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  const pv = await volumeInPhase('reserved', 'Bound');
  t.is(pv.spec.claimRef.uid, bound.metadata.uid);
  t.is(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined, 'the user chose the claim');
  t.is((await getClaim(ns, 'intruder')).status.phase, 'Pending');
});

test('a claim nothing fits stays Pending with FailedBinding', async (t) => {
  const ns = await namespace('unmatched');
  await createClaim(claim(ns, 'huge', '999Ti', { storageClassName: '' }));
  const failed = await event(ns, 'huge', 'FailedBinding');
  t.is(failed.type, 'Normal');
  t.is(failed.message, 'no persistent volumes available for this claim and no storage class is set');
  t.is(failed.source.component, 'persistentvolume-controller');
  const pvc = await getClaim(ns, 'huge');
  t.is(pvc.status.phase, 'Pending');
  t.is(pvc.spec.volumeName, undefined);
});

test('WaitForFirstConsumer: the claim waits for a node, is handed to the provisioner, and binds to the volume it makes', async (t) => {
  const ns = await namespace('wffc');
  await client.create(STORAGE_CLASSES, {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'wffc-ebs' },
    provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete',
  });
  // A static volume of the class is the scheduler's to choose, knowing the node: the binder leaves it.
  await createVolume(volume('wffc-static', '1Gi', { storageClassName: 'wffc-ebs' }));
  await volumeInPhase('wffc-static', 'Available');
  await createClaim(claim(ns, 'late', '4Gi', { storageClassName: 'wffc-ebs' }));
  const waiting = await event(ns, 'late', 'WaitForFirstConsumer');
  t.is(waiting.type, 'Normal');
  t.is(waiting.message, 'waiting for first consumer to be created before binding');
  const pending = await getClaim(ns, 'late');
  t.is(pending.status.phase, 'Pending');
  t.is(pending.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], undefined);

  // A pod using the claim is created; the scheduler has not placed it yet.
  await client.create(PODS, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'consumer', namespace: ns },
    spec: { containers: [{ name: 'app', image: 'busybox' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'late' } }] },
  });
  t.is((await event(ns, 'late', 'WaitForPodScheduled')).message, 'waiting for pod consumer to be scheduled');

  // The scheduler picked a node for the claim's pod.
  await client.patch(PERSISTENT_VOLUME_CLAIMS, 'late', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-a' } } }, { namespace: ns });
  const handed = await eventually('provisioner annotations', async () => {
    const c = await getClaim(ns, 'late');
    return c.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] ? c : undefined;
  });
  t.is(handed.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'ebs.csi.aws.com');
  t.is(handed.metadata.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], 'ebs.csi.aws.com');
  t.is((await event(ns, 'late', 'ExternalProvisioning')).message, EXTERNAL_PROVISIONING('ebs.csi.aws.com'));

  // The provisioner makes the volume, pre-bound to the claim.
  const name = `pvc-${handed.metadata.uid}`;
  await createVolume(volume(name, '4Gi', {
    storageClassName: 'wffc-ebs', persistentVolumeReclaimPolicy: 'Delete', nfs: undefined,
    csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0123456789abcdef0', fsType: 'ext4' },
    claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: 'late', uid: handed.metadata.uid, resourceVersion: handed.metadata.resourceVersion },
  }, { annotations: { 'pv.kubernetes.io/provisioned-by': 'ebs.csi.aws.com' } }));
  const bound = await boundClaim(ns, 'late');
  t.is(bound.spec.volumeName, name);
  t.is(bound.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  t.deepEqual(bound.status.capacity, { storage: '4Gi' });
  await volumeInPhase(name, 'Bound');
  t.is((await getVolume('wffc-static')).spec.claimRef, undefined);

  // The scheduler's node annotation may go; the provisioner's stays.
  await client.patch(PERSISTENT_VOLUME_CLAIMS, 'late', 'json', [{ op: 'remove', path: '/metadata/annotations/volume.kubernetes.io~1selected-node' }], { namespace: ns });
  const after = await getClaim(ns, 'late');
  t.is(after.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'ebs.csi.aws.com');
  t.is(after.status.phase, 'Bound');
});

test('an Immediate claim of a provisioner class is handed over at once; in-tree names follow kube', async (t) => {
  const ns = await namespace('immediate');
  const storageClass = (name: string, provisioner: string) => client.create(STORAGE_CLASSES, {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, volumeBindingMode: 'Immediate',
  });
  await storageClass('imm-ebs', 'ebs.csi.aws.com');
  await storageClass('imm-legacy', 'kubernetes.io/aws-ebs');
  await storageClass('imm-local', 'kubernetes.io/no-provisioner');

  await createClaim(claim(ns, 'fast', '1Gi', { storageClassName: 'imm-ebs' }));
  const fast = await eventually('provisioner annotation', async () => {
    const c = await getClaim(ns, 'fast');
    return c.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] ? c : undefined;
  });
  t.is(fast.metadata.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], 'ebs.csi.aws.com');
  t.is(fast.status.phase, 'Pending');
  t.is((await event(ns, 'fast', 'ExternalProvisioning')).message, EXTERNAL_PROVISIONING('ebs.csi.aws.com'));

  // kubernetes.io/aws-ebs is migrated to its CSI driver in kube 1.32: the claim names the driver.
  await createClaim(claim(ns, 'legacy', '1Gi', { storageClassName: 'imm-legacy' }));
  const legacy = await eventually('migrated provisioner annotation', async () => {
    const c = await getClaim(ns, 'legacy');
    return c.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] ? c : undefined;
  });
  t.is(legacy.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'ebs.csi.aws.com');
  t.is(legacy.metadata.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], 'ebs.csi.aws.com');

  await createClaim(claim(ns, 'local', '1Gi', { storageClassName: 'imm-local' }));
  const failed = await event(ns, 'local', 'ProvisioningFailed');
  t.is(failed.type, 'Warning');
  t.is(failed.message, 'no volume plugin matched name: kubernetes.io/no-provisioner');

  await createClaim(claim(ns, 'classless', '1Gi', { storageClassName: 'no-such-class' }));
  t.is((await event(ns, 'classless', 'ProvisioningFailed')).message, 'storageclass.storage.k8s.io "no-such-class" not found');
});

test('deleting a claim releases its volume as the reclaim policy says', async (t) => {
  const ns = await namespace('reclaim');
  const make = async (name: string, spec: Fields, metadata: Fields = {}) => {
    await createVolume(volume(name, '1Gi', { storageClassName: name, ...spec }, metadata));
    await createClaim(claim(ns, name, '1Gi', { storageClassName: name }));
    await boundClaim(ns, name);
  };
  await make('keep', { persistentVolumeReclaimPolicy: 'Retain' });
  await make('wipe', { persistentVolumeReclaimPolicy: 'Delete' });
  await make('external', {
    persistentVolumeReclaimPolicy: 'Delete', nfs: undefined, csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0fedcba9876543210' },
  }, { annotations: { 'pv.kubernetes.io/provisioned-by': 'ebs.csi.aws.com' } });
  await make('handmade', {
    persistentVolumeReclaimPolicy: 'Delete', nfs: undefined, csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0123abcd0123abcd0' },
  });
  await make('recycle', { persistentVolumeReclaimPolicy: 'Recycle' });
  await make('legacy', {
    persistentVolumeReclaimPolicy: 'Delete', nfs: undefined, awsElasticBlockStore: { volumeID: 'vol-0aaaabbbbccccdddd' },
  }, { annotations: { 'pv.kubernetes.io/provisioned-by': 'kubernetes.io/aws-ebs' } });
  t.is((await getVolume('legacy')).metadata.annotations?.['pv.kubernetes.io/migrated-to'], 'ebs.csi.aws.com', 'kube 1.32 hands in-tree EBS volumes to the CSI driver');

  for (const name of ['keep', 'wipe', 'external', 'handmade', 'recycle', 'legacy']) await client.delete(PERSISTENT_VOLUME_CLAIMS, name, { namespace: ns });

  const failed = await volumeInPhase('wipe', 'Failed');
  const message = 'error getting deleter volume plugin for volume "wipe": no deletable volume plugin matched';
  t.is(failed.status.message, message);
  const deleteEvent = await event('default', 'wipe', 'VolumeFailedDelete');
  t.is(deleteEvent.type, 'Warning');
  t.is(deleteEvent.message, message);
  t.is(deleteEvent.involvedObject.kind, 'PersistentVolume');
  // A CSI volume no provisioner made has no one to delete it: its driver's provisioner only deletes its own.
  t.is((await volumeInPhase('handmade', 'Failed')).status.message, 'error getting deleter volume plugin for volume "handmade": no deletable volume plugin matched');

  const recycled = await volumeInPhase('recycle', 'Failed');
  t.is(recycled.status.message, 'No recycler plugin found for the volume!');
  t.is((await event('default', 'recycle', 'VolumeFailedRecycle')).type, 'Warning');

  const kept = await volumeInPhase('keep', 'Released');
  t.is(kept.spec.claimRef.name, 'keep', 'a released volume keeps pointing at its old claim');
  const external = await volumeInPhase('external', 'Released');
  t.is(external.metadata.deletionTimestamp, undefined, 'its provisioner deletes it, not the binder');
  t.deepEqual(await events('default', 'external', 'VolumeFailedDelete'), []);
  t.is((await volumeInPhase('legacy', 'Released')).status.message, undefined, 'the CSI driver deletes a migrated volume');

  // A new claim of the same name is a different claim: the released volume is not its.
  await createClaim(claim(ns, 'keep', '1Gi', { storageClassName: 'keep' }));
  await event(ns, 'keep', 'ProvisioningFailed');
  t.is((await getClaim(ns, 'keep')).status.phase, 'Pending');
  t.is((await getVolume('keep')).status.phase, 'Released');
  t.is((await getVolume('external')).status.phase, 'Released');
});

test('a bound claim whose volume is gone is Lost', async (t) => {
  const ns = await namespace('lost');
  await createVolume(volume('vanishing', '1Gi', { storageClassName: 'lost' }));
  await createClaim(claim(ns, 'orphan', '1Gi', { storageClassName: 'lost' }));
  await boundClaim(ns, 'orphan');
  await client.delete(PERSISTENT_VOLUMES, 'vanishing');
  // pv-protection holds a Bound volume; an administrator forcing it out leaves the claim without one.
  await client.patch(PERSISTENT_VOLUMES, 'vanishing', 'merge', { metadata: { finalizers: null } });
  const lost = await eventually('claim to be Lost', async () => {
    const c = await getClaim(ns, 'orphan');
    return c.status?.phase === 'Lost' ? c : undefined;
  });
  t.is(lost.status.capacity, undefined);
  const ev = await event(ns, 'orphan', 'ClaimLost');
  t.is(ev.type, 'Warning');
  t.is(ev.message, 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
});

test.serial('a claim made without a class gets the default class once there is one', async (t) => {
  const ns = await namespace('retroactive');
  await createClaim(claim(ns, 'early', '1Gi'));
  t.is((await getClaim(ns, 'early')).spec.storageClassName, undefined, 'no default class yet');
  await event(ns, 'early', 'FailedBinding');
  await client.create(STORAGE_CLASSES, {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'Immediate',
  });
  const classed = await eventually('the default class on the claim', async () => {
    const c = await getClaim(ns, 'early');
    return c.spec.storageClassName ? c : undefined;
  });
  t.is(classed.spec.storageClassName, 'gp3');
  await event(ns, 'early', 'ExternalProvisioning');
  await client.delete(STORAGE_CLASSES, 'gp3');
});
