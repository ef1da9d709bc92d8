import test from 'ava';
import type { KObject } from '../kind.js';
import { lease } from './lease.js';

const cellOf = (kind: { columns: Array<{ name: string; cell(o: KObject): unknown }> }, o: KObject, name: string) => kind.columns.find((c) => c.name === name)!.cell(o);

test('lease validation and holder column', (t) => {
  const l: KObject = { metadata: { name: 'l', namespace: 'kube-system' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-05-01T10:00:00.000000Z' } };
  t.deepEqual(lease.validate!(l), []);
  t.is(cellOf(lease, l, 'Holder'), 'node-1');
  t.is(cellOf(lease, { metadata: { name: 'x' }, spec: {} }, 'Holder'), '');
  const bad: KObject = { metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0, leaseTransitions: -1, preferredHolder: 'a' } };
  t.deepEqual(lease.validate!(bad).map((c) => c.message), [
    'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    'spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined',
  ]);
  t.is(lease.group, 'coordination.k8s.io');
  t.deepEqual(lease.columns.map((c) => c.name), ['Name', 'Holder', 'Age']);
});
