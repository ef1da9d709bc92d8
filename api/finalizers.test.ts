import test from 'ava';
import { hasFinalizer, withFinalizer, withoutFinalizer } from './finalizers.js';

test('finalizers are added once and removed, on copies', (t) => {
  const claim = { metadata: { name: 'c', finalizers: ['a'] } };
  const added = withFinalizer(claim, 'kubernetes.io/pvc-protection');
  t.deepEqual(added.metadata.finalizers, ['a', 'kubernetes.io/pvc-protection']);
  t.deepEqual(withFinalizer(added, 'a').metadata.finalizers, ['a', 'kubernetes.io/pvc-protection']);
  t.true(hasFinalizer(added, 'kubernetes.io/pvc-protection'));
  t.false(hasFinalizer(claim, 'kubernetes.io/pvc-protection'), 'the original is left alone');
  t.deepEqual(withoutFinalizer(added, 'a').metadata.finalizers, ['kubernetes.io/pvc-protection']);
  t.deepEqual(withFinalizer({ metadata: { finalizers: 'junk' } }, 'x').metadata.finalizers, ['x'], 'something that is not a list counts as none');
});
