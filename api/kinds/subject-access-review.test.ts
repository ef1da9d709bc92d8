import test from 'ava';
import type { KObject } from '../kind.js';
import { subjectAccessReview } from './subject-access-review.js';

const messages = (spec: KObject, metadata: KObject = {}): string[] =>
  subjectAccessReview.validate!({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata, spec }).map((c) => c.message);
const pods = { verb: 'get', resource: 'pods' };

test('a virtual, create-only, cluster-scoped kind with kube\'s fields', (t) => {
  t.true(subjectAccessReview.virtual);
  t.deepEqual(subjectAccessReview.verbs, ['create']);
  t.false(subjectAccessReview.namespaced);
  t.is(subjectAccessReview.plural, 'subjectaccessreviews');
  const spec = subjectAccessReview.schema.properties!.spec.properties!;
  t.deepEqual(Object.keys(spec), ['resourceAttributes', 'nonResourceAttributes', 'user', 'groups', 'extra', 'uid']);
  t.deepEqual(Object.keys(spec.resourceAttributes.properties!), ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name', 'fieldSelector', 'labelSelector']);
  t.deepEqual(Object.keys(spec.nonResourceAttributes.properties!), ['path', 'verb']);
  t.deepEqual(spec.extra.additionalProperties, { type: 'array', items: { type: 'string', description: undefined } });
  t.deepEqual(Object.keys(subjectAccessReview.schema.properties!.status.properties!), ['allowed', 'denied', 'reason', 'evaluationError']);
  t.deepEqual(subjectAccessReview.schema.properties!.status.required, ['allowed']);
});

test('names a user or groups, and exactly one kind of request', (t) => {
  t.deepEqual(messages({ resourceAttributes: pods, user: 'alice' }), []);
  t.deepEqual(messages({ resourceAttributes: pods, groups: ['devs'] }), []);
  t.deepEqual(messages({ resourceAttributes: pods }), ['spec.user: Invalid value: "": at least one of user or group must be specified']);
  t.deepEqual(messages({ user: 'alice' }), [
    'spec.resourceAttributes: Invalid value: (*authorization.NonResourceAttributes)(nil): exactly one of nonResourceAttributes or resourceAttributes must be specified',
  ]);
  t.deepEqual(messages({ resourceAttributes: pods, user: 'alice' }, { name: 'x' }), ['metadata: Invalid value: {"name":"x"}: must be empty']);
});

test('selectors carry either a raw selector or requirements', (t) => {
  const ask = (attrs: KObject) => messages({ user: 'alice', resourceAttributes: { verb: 'list', resource: 'pods', ...attrs } });
  t.deepEqual(ask({ fieldSelector: { rawSelector: 'spec.nodeName=n1' } }), []);
  t.deepEqual(ask({ labelSelector: { requirements: [{ key: 'app', operator: 'In', values: ['web'] }] } }), []);
  t.deepEqual(ask({ labelSelector: {} }), [
    'spec.resourceAttributes.labelSelector.requirements: Required value: when spec.resourceAttributes.labelSelector is specified, requirements or rawSelector is required',
  ]);
  t.deepEqual(ask({ fieldSelector: { rawSelector: 'a=b', requirements: [{ key: 'a', operator: 'In', values: ['b'] }] } }), [
    'spec.resourceAttributes.fieldSelector.rawSelector: Invalid value: "a=b": may not specified at the same time as requirements',
  ]);
  t.deepEqual(ask({ fieldSelector: { requirements: [{ operator: 'Exists' }] } }), ['spec.resourceAttributes.fieldSelector.requirements[0].key: Required value: must be specified']);
});
