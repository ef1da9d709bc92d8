import test from 'ava';
import type { KObject } from '../kind.js';
import { volumeAttachment } from './volume-attachment.js';

const cellOf = (kind: { columns: Array<{ name: string; cell(o: KObject): unknown }> }, o: KObject, name: string) => kind.columns.find((c) => c.name === name)!.cell(o);

test('volume attachment validation, immutability and columns', (t) => {
  const va: KObject = { metadata: { name: 'csi-123' }, spec: { attacher: 'ebs.csi.aws.com', nodeName: 'node-1', source: { persistentVolumeName: 'pv1' } } };
  volumeAttachment.prepareForCreate!(va);
  t.deepEqual(va.status, { attached: false });
  t.deepEqual(volumeAttachment.validate!(va), []);
  t.is(cellOf(volumeAttachment, va, 'Attacher'), 'ebs.csi.aws.com');
  t.is(cellOf(volumeAttachment, va, 'PV'), 'pv1');
  t.is(cellOf(volumeAttachment, va, 'Node'), 'node-1');
  t.is(cellOf(volumeAttachment, va, 'Attached'), false);
  const moved = structuredClone(va);
  moved.spec.nodeName = 'node-2';
  t.deepEqual(volumeAttachment.validate!(moved, va).map((c) => c.field), ['spec']);
  const attached = structuredClone(va);
  attached.status = { attached: true };
  t.deepEqual(volumeAttachment.validate!(attached, va), []);
  const bad: KObject = { metadata: { name: 'x' }, spec: { source: {} } };
  const fields = volumeAttachment.validate!(bad).map((c) => c.message);
  t.true(fields.includes('spec.attacher: Required value'));
  t.true(fields.includes('spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  t.true(fields.some((m) => m.startsWith('spec.nodeName: Invalid value: ""')));
  const both: KObject = { metadata: { name: 'x' }, spec: { attacher: 'a', nodeName: 'n', source: { persistentVolumeName: 'p', inlineVolumeSpec: {} } } };
  t.deepEqual(volumeAttachment.validate!(both).map((c) => c.message), ['spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName']);
});
