import test from 'ava';
import { findMatchingUntoleratedTaint, matchingTolerations, toleratesTaint, tolerationsTolerateTaint } from './taints.js';

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };

test('a toleration matches by key, effect and, for Equal, value', (t) => {
  t.true(toleratesTaint({ key: unreachable.key, operator: 'Exists', effect: 'NoExecute' }, unreachable));
  t.true(toleratesTaint({ operator: 'Exists' }, unreachable), 'an empty key with Exists tolerates everything');
  t.false(toleratesTaint({ key: unreachable.key, operator: 'Exists', effect: 'NoSchedule' }, unreachable));
  t.true(toleratesTaint({ key: 'dedicated', value: 'db' }, { key: 'dedicated', value: 'db', effect: 'NoExecute' }), 'Equal is the default operator');
  t.false(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'web' }, { key: 'dedicated', value: 'db', effect: 'NoExecute' }));
});

test('each taint is matched by the first toleration of it; one untolerated taint fails them all', (t) => {
  const first = { key: unreachable.key, operator: 'Exists', tolerationSeconds: 5 };
  const second = { operator: 'Exists' };
  t.deepEqual(matchingTolerations([unreachable], [first, second]), [first]);
  t.is(matchingTolerations([unreachable, { key: 'other', effect: 'NoExecute' }], [first]), undefined);
});

test('the first taint no toleration tolerates is the one reported', (t) => {
  const other = { key: 'other', value: 'x', effect: 'NoSchedule' };
  t.true(tolerationsTolerateTaint([{ key: 'other', operator: 'Exists' }], other));
  t.is(findMatchingUntoleratedTaint([unreachable, other], [{ key: unreachable.key, operator: 'Exists' }]), other);
  t.is(findMatchingUntoleratedTaint([unreachable, other], [{ operator: 'Exists' }]), undefined);
});
