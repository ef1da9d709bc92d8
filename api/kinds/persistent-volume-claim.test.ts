import test from 'ava';
import type { KObject } from '../kind.js';
import { persistentVolumeClaim as pvcKind } from './persistent-volume-claim.js';

const make = (spec: KObject): KObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec });
function create(spec: KObject) {
  const pvc = make(spec);
  pvcKind.prepareForCreate!(pvc);
  pvcKind.defaults!(pvc);
  return { pvc, causes: pvcKind.validate!(pvc) };
}
const cell = (o: KObject, name: string) => pvcKind.columns.find((c) => c.name === name)!.cell(o);
const good = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };

test('defaults: Pending, Filesystem, data sources mirrored', (t) => {
  const { pvc, causes } = create({ ...good, dataSource: { kind: 'PersistentVolumeClaim', name: 'src' } });
  t.deepEqual(causes, []);
  t.is(pvc.status.phase, 'Pending');
  t.is(pvc.spec.volumeMode, 'Filesystem');
  t.deepEqual(pvc.spec.dataSourceRef, { kind: 'PersistentVolumeClaim', name: 'src' });
});

test('access modes and storage request are required', (t) => {
  t.deepEqual(create({}).causes.map((c) => c.message), [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Required value',
  ]);
  t.deepEqual(create({ ...good, resources: { requests: { storage: '0' } } }).causes.map((c) => c.message), ['spec.resources[storage]: Invalid value: "0": must be greater than zero']);
  const sel = create({ ...good, selector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } }).causes;
  t.deepEqual(sel.map((c) => c.message), ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]);
  const ds = create({ ...good, dataSource: { kind: 'Pod', name: 'x' } }).causes;
  t.true(ds.some((c) => c.message === 'spec.dataSource: Invalid value: "Pod": must be \'PersistentVolumeClaim\' when referencing the default apiGroup'));
});

test('spec is immutable except growing a bound claim and setting volumeName once', (t) => {
  const old = create({ ...good, storageClassName: 'gp3' }).pvc;
  const grow = structuredClone(old);
  grow.spec.resources.requests.storage = '2Gi';
  t.deepEqual(pvcKind.validate!(grow, old).map((c) => c.message), ['spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims']);
  const bind = structuredClone(old);
  bind.spec.volumeName = 'pv1';
  t.deepEqual(pvcKind.validate!(bind, old), []);
  const bound = structuredClone(bind);
  bound.status = { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] };
  const grown = structuredClone(bound);
  grown.spec.resources.requests.storage = '2Gi';
  t.deepEqual(pvcKind.validate!(grown, bound), []);
  const shrunk = structuredClone(bound);
  shrunk.spec.resources.requests.storage = '512Mi';
  t.deepEqual(pvcKind.validate!(shrunk, bound).map((c) => c.message), ['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
  const rebind = structuredClone(bound);
  rebind.spec.volumeName = 'pv2';
  t.is(pvcKind.validate!(rebind, bound)[0].field, 'spec');
  const cls = structuredClone(old);
  cls.spec.storageClassName = 'other';
  t.is(pvcKind.validate!(cls, old).length, 1);
});

test('a claim without class may get one later', (t) => {
  const old = create(good).pvc;
  const next = structuredClone(old);
  next.spec.storageClassName = 'standard';
  t.deepEqual(pvcKind.validate!(next, old), []);
});

test('printer cells', (t) => {
  const { pvc } = create({ ...good, storageClassName: 'gp3' });
  t.is(cell(pvc, 'Status'), 'Pending');
  t.is(cell(pvc, 'Volume'), '');
  t.is(cell(pvc, 'Capacity'), '');
  t.is(cell(pvc, 'Access Modes'), '');
  t.is(cell(pvc, 'StorageClass'), 'gp3');
  t.is(cell(pvc, 'VolumeAttributesClass'), '<unset>');
  t.is(cell(pvc, 'VolumeMode'), 'Filesystem');
  pvc.spec.volumeName = 'pv1';
  pvc.status = { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] };
  t.is(cell(pvc, 'Volume'), 'pv1');
  t.is(cell(pvc, 'Capacity'), '10Gi');
  t.is(cell(pvc, 'Access Modes'), 'RWO,ROX');
  t.deepEqual(pvcKind.columns.map((c) => `${c.name}:${c.priority}`), [
    'Name:0', 'Status:0', 'Volume:0', 'Capacity:0', 'Access Modes:0', 'StorageClass:0', 'VolumeAttributesClass:0', 'Age:0', 'VolumeMode:1',
  ]);
  t.is(pvcKind.schema.properties!.status.properties!.conditions.patchMergeKey, 'type');
  t.deepEqual(pvcKind.shortNames, ['pvc']);
});
