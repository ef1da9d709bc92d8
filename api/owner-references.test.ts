import test from 'ava';
import { getControllerOf, isControlledBy, newControllerRef } from './owner-references.js';

test('the controller is the owner reference marked controller; the object is controlled by the owner of that uid', (t) => {
  const rs = { metadata: { name: 'web-1', namespace: 'ns', uid: 'rs-uid' } };
  const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
  t.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs-uid', controller: true, blockOwnerDeletion: true });
  const pod = { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'node-uid' }, ref] } };
  t.is(getControllerOf(pod), ref);
  t.true(isControlledBy(pod, rs));
  t.false(isControlledBy(pod, { metadata: { uid: 'other' } }));
  t.is(getControllerOf({ metadata: { ownerReferences: [{ ...ref, controller: false }] } }), undefined);
  t.false(isControlledBy({ metadata: {} }, rs));
});
