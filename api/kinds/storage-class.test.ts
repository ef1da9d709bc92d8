import test from 'ava';
import type { KObject } from '../kind.js';
import { storageClass } from './storage-class.js';

const cellOf = (kind: { columns: Array<{ name: string; cell(o: KObject): unknown }> }, o: KObject, name: string) => kind.columns.find((c) => c.name === name)!.cell(o);

test('storage class defaults, validation and immutability', (t) => {
  const sc: KObject = { metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3' } };
  storageClass.defaults!(sc);
  t.is(sc.reclaimPolicy, 'Delete');
  t.is(sc.volumeBindingMode, 'Immediate');
  t.deepEqual(storageClass.validate!(sc), []);
  const next = structuredClone(sc);
  next.provisioner = 'other';
  next.parameters = { type: 'io2' };
  next.volumeBindingMode = 'WaitForFirstConsumer';
  next.allowVolumeExpansion = true;
  t.deepEqual(storageClass.validate!(next, sc).map((c) => c.message), [
    'parameters: Forbidden: updates to parameters are forbidden.',
    'provisioner: Forbidden: updates to provisioner are forbidden.',
    'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
  ]);
  const empty: KObject = { metadata: { name: 'x' }, reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' };
  t.deepEqual(storageClass.validate!(empty).map((c) => c.message), [
    'provisioner: Required value',
    'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
    'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
  ]);
});

test('storage class columns', (t) => {
  const sc: KObject = { metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'ebs.csi.aws.com' };
  t.is(cellOf(storageClass, sc, 'Name'), 'gp3 (default)');
  t.is(cellOf(storageClass, sc, 'Provisioner'), 'ebs.csi.aws.com');
  t.is(cellOf(storageClass, sc, 'ReclaimPolicy'), 'Delete');
  t.is(cellOf(storageClass, sc, 'VolumeBindingMode'), 'Immediate');
  t.is(cellOf(storageClass, sc, 'AllowVolumeExpansion'), false);
  t.is(cellOf(storageClass, { metadata: { name: 'slow' } }, 'Name'), 'slow');
  t.deepEqual(storageClass.columns.map((c) => c.name), ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
  t.deepEqual(storageClass.shortNames, ['sc']);
  t.false(storageClass.namespaced);
});
