import test from 'ava';
import type { KObject } from '../kind.js';
import { accessModesString, persistentVolume } from './persistent-volume.js';

const make = (spec: KObject, metadata: KObject = {}): KObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1', ...metadata }, spec });
function create(spec: KObject) {
  const pv = make(spec);
  persistentVolume.prepareForCreate!(pv);
  persistentVolume.defaults!(pv);
  return { pv, causes: persistentVolume.validate!(pv) };
}
const cell = (o: KObject, name: string) => persistentVolume.columns.find((c) => c.name === name)!.cell(o);
const good = { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } };

test('defaults: Retain, Filesystem, Pending, canonical capacity', (t) => {
  const { pv, causes } = create({ ...good, capacity: { storage: '1024Mi' } });
  t.deepEqual(causes, []);
  t.is(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  t.is(pv.spec.volumeMode, 'Filesystem');
  t.is(pv.spec.hostPath.type, '');
  t.is(pv.spec.capacity.storage, '1Gi');
  t.is(pv.status.phase, 'Pending');
  t.regex(pv.status.lastPhaseTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('capacity and access modes are required', (t) => {
  const { causes } = create({ hostPath: { path: '/x' } });
  t.deepEqual(causes.map((c) => c.message), [
    'spec.accessModes: Required value',
    'spec.capacity: Required value',
    'spec.capacity: Unsupported value: {}: supported values: "storage"',
  ]);
  const bad = create({ ...good, accessModes: ['ReadWriteOncePod', 'ReadWriteOnce', 'WriteSometimes'], capacity: { storage: '0' } }).causes;
  t.deepEqual(bad.map((c) => c.message), [
    'spec.accessModes: Unsupported value: "WriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
    'spec.capacity[storage]: Invalid value: "0": must be greater than zero',
  ]);
  const junk = create({ ...good, capacity: { storage: 'lots' } }).causes;
  t.is(junk.length, 1);
  t.is(junk[0].field, 'spec.capacity[storage]');
});

test('exactly one volume source', (t) => {
  t.deepEqual(create({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] }).causes.map((c) => c.message), ['spec: Required value: must specify a volume type']);
  const two = create({ ...good, csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-1' } }).causes;
  t.deepEqual(two.map((c) => c.message), ['spec.csi: Forbidden: may not specify more than 1 volume type']);
  const csi = create({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], csi: { driver: 'ebs.csi.aws.com' } }).causes;
  t.deepEqual(csi.map((c) => c.message), ['spec.csi.volumeHandle: Required value']);
  const local = create({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: '/mnt/disk' } }).causes;
  t.deepEqual(local.map((c) => c.message), ['spec.nodeAffinity: Required value: Local volume requires node affinity']);
  const ebs = create({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], awsElasticBlockStore: { volumeID: 'vol-1', fsType: 'ext4' } });
  t.deepEqual(ebs.causes, []);
});

test('volume source is immutable; claimRef and capacity may change', (t) => {
  const old = create(good).pv;
  const next = structuredClone(old);
  next.spec.hostPath.path = '/other';
  next.spec.volumeMode = 'Block';
  t.deepEqual(persistentVolume.validate!(next, old).map((c) => c.message), [
    'spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation',
    'volumeMode: Invalid value: "Block": field is immutable',
  ]);
  const bind = structuredClone(old);
  bind.spec.claimRef = { namespace: 'default', name: 'data', kind: 'PersistentVolumeClaim' };
  bind.spec.capacity.storage = '20Gi';
  t.deepEqual(persistentVolume.validate!(bind, old), []);
});

test('a phase change stamps lastPhaseTransitionTime', (t) => {
  const old = create(good).pv;
  old.status.lastPhaseTransitionTime = '2020-01-01T00:00:00Z';
  const next = structuredClone(old);
  next.status.phase = 'Available';
  persistentVolume.prepareForUpdate!(next, old);
  t.deepEqual(persistentVolume.validate!(next, old), []);
  t.not(next.status.lastPhaseTransitionTime, '2020-01-01T00:00:00Z');
  const same = structuredClone(old);
  persistentVolume.prepareForUpdate!(same, old);
  t.is(same.status.lastPhaseTransitionTime, '2020-01-01T00:00:00Z');
});

test('printer cells', (t) => {
  const { pv } = create({ ...good, accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadOnlyMany'], storageClassName: 'gp3' });
  t.is(cell(pv, 'Capacity'), '10Gi');
  t.is(cell(pv, 'Access Modes'), 'RWO,ROX,RWX');
  t.is(cell(pv, 'Reclaim Policy'), 'Retain');
  t.is(cell(pv, 'Status'), 'Pending');
  t.is(cell(pv, 'Claim'), '');
  t.is(cell(pv, 'StorageClass'), 'gp3');
  t.is(cell(pv, 'VolumeAttributesClass'), '<unset>');
  t.is(cell(pv, 'Reason'), '');
  t.is(cell(pv, 'VolumeMode'), 'Filesystem');
  pv.spec.claimRef = { namespace: 'ns', name: 'data' };
  pv.metadata.deletionTimestamp = new Date().toISOString();
  pv.metadata.annotations = { 'volume.beta.kubernetes.io/storage-class': 'old' };
  t.is(cell(pv, 'Claim'), 'ns/data');
  t.is(cell(pv, 'Status'), 'Terminating');
  t.is(cell(pv, 'StorageClass'), 'old');
  t.is(accessModesString(['ReadWriteOncePod']), 'RWOP');
  t.deepEqual(persistentVolume.columns.map((c) => `${c.name}:${c.priority}`), [
    'Name:0', 'Capacity:0', 'Access Modes:0', 'Reclaim Policy:0', 'Status:0', 'Claim:0', 'StorageClass:0', 'VolumeAttributesClass:0', 'Reason:0', 'Age:0', 'VolumeMode:1',
  ]);
  t.false(persistentVolume.namespaced);
  t.deepEqual(persistentVolume.shortNames, ['pv']);
});
