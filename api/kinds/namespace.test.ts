import test from 'ava';
import { namespace } from './namespace.js';

test('defaults: the name label, the kubernetes finalizer and the Active phase', (t) => {
  const ns: Record<string, any> = { metadata: { name: 'team', labels: { env: 'prod', 'kubernetes.io/metadata.name': 'other' } } };
  namespace.defaults!(ns);
  t.deepEqual(ns.metadata.labels, { env: 'prod', 'kubernetes.io/metadata.name': 'team' });
  t.deepEqual(ns.spec.finalizers, ['kubernetes']);
  t.is(ns.status.phase, 'Active');
});

test('deletion is held while spec.finalizers remain, and marks the namespace Terminating', (t) => {
  const ns: Record<string, any> = { metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
  t.true(namespace.holdDeletion!(ns));
  t.is(ns.status.phase, 'Terminating');
  t.false(namespace.holdDeletion!({ metadata: { name: 'team' }, spec: { finalizers: [] } }));
});
