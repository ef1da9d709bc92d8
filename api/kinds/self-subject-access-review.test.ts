import test from 'ava';
import type { KObject } from '../kind.js';
import { selfSubjectAccessReview } from './self-subject-access-review.js';

const messages = (spec: KObject, metadata: KObject = {}): string[] =>
  selfSubjectAccessReview.validate!({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata, spec }).map((c) => c.message);

test('a virtual, create-only, cluster-scoped kind', (t) => {
  t.true(selfSubjectAccessReview.virtual);
  t.deepEqual(selfSubjectAccessReview.verbs, ['create']);
  t.false(selfSubjectAccessReview.namespaced);
  t.is(selfSubjectAccessReview.group, 'authorization.k8s.io');
  t.is(selfSubjectAccessReview.plural, 'selfsubjectaccessreviews');
  t.deepEqual(Object.keys(selfSubjectAccessReview.schema.properties!.spec.properties!), ['resourceAttributes', 'nonResourceAttributes']);
});

test('asks about exactly one kind of request, for the requester: no user needed', (t) => {
  t.deepEqual(messages({ resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'default' } }), []);
  t.deepEqual(messages({ nonResourceAttributes: { verb: 'get', path: '/healthz' } }), []);
  t.deepEqual(messages({}), [
    'spec.resourceAttributes: Invalid value: (*authorization.NonResourceAttributes)(nil): exactly one of nonResourceAttributes or resourceAttributes must be specified',
  ]);
  t.deepEqual(messages({ resourceAttributes: { verb: 'get' }, nonResourceAttributes: { verb: 'get', path: '/x' } }), [
    'spec.nonResourceAttributes: Invalid value: &authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: cannot be specified in combination with resourceAttributes',
  ]);
});

test('metadata must be empty; a status sent on create is dropped', (t) => {
  t.deepEqual(messages({ nonResourceAttributes: { path: '/', verb: 'get' } }, { creationTimestamp: null, managedFields: [{ manager: 'kubectl' }] }), []);
  t.deepEqual(messages({ nonResourceAttributes: { path: '/', verb: 'get' } }, { name: 'mine' }), ['metadata: Invalid value: {"name":"mine"}: must be empty']);
  const r: KObject = { spec: { nonResourceAttributes: { path: '/', verb: 'get' } }, status: { allowed: true } };
  selfSubjectAccessReview.prepareForCreate!(r);
  t.is(r.status, undefined);
});
