import test from 'ava';
import type { KObject } from '../kind.js';
import type { Cause } from '../validation/field-errors.js';
import { replicaSet } from './replica-set.js';

const make = (spec: KObject): KObject => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d8f9c', namespace: 'default', creationTimestamp: new Date(Date.now() - 90_000).toISOString() }, spec,
});

function create(spec: KObject): { rs: KObject; causes: Cause[] } {
  const rs = make(structuredClone(spec));
  replicaSet.prepareForCreate!(rs);
  replicaSet.defaults!(rs);
  return { rs, causes: replicaSet.validate!(rs) };
}

const template = { metadata: { labels: { app: 'web', 'pod-template-hash': '5d8f9c' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
const selector = { matchLabels: { app: 'web', 'pod-template-hash': '5d8f9c' } };

test('defaults replicas and the pod template; status starts at zero replicas', (t) => {
  const { rs, causes } = create({ selector, template });
  t.deepEqual(causes, []);
  t.is(rs.spec.replicas, 1);
  t.is(rs.spec.template.spec.restartPolicy, 'Always');
  t.is(rs.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  t.deepEqual(rs.status, { replicas: 0 });
});

test('validation shares the workload rules', (t) => {
  t.deepEqual(create({ template }).causes.map((c) => c.field), ['spec.selector', 'spec.template.metadata.labels']);
  const mismatch = create({ selector: { matchLabels: { app: 'api' } }, template });
  t.deepEqual(mismatch.causes.map((c) => c.field), ['spec.template.metadata.labels']);
  t.deepEqual(create({ replicas: -2, selector, template }).causes.map((c) => c.message), ['spec.replicas: Invalid value: -2: must be greater than or equal to 0']);
  const { rs: old } = create({ selector, template });
  const next = structuredClone(old);
  next.spec.selector = { matchLabels: { app: 'web' } };
  t.deepEqual(replicaSet.validate!(next, old).map((c) => c.field), ['spec.selector']);
});

test('columns as kubectl prints replica sets', (t) => {
  const { rs } = create({ replicas: 3, selector, template });
  rs.status = { replicas: 3, readyReplicas: 1, availableReplicas: 1 };
  t.deepEqual(replicaSet.columns.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0], ['Desired', 'integer', 0], ['Current', 'integer', 0], ['Ready', 'integer', 0], ['Age', 'string', 0],
    ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1],
  ]);
  t.deepEqual(replicaSet.columns.map((c) => c.cell(rs)), ['web-5d8f9c', 3, 3, 1, '90s', 'web', 'nginx:1.27', 'app=web,pod-template-hash=5d8f9c']);
  t.deepEqual(replicaSet.shortNames, ['rs']);
  t.truthy(replicaSet.subresources?.scale);
});
