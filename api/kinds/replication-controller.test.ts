import test from 'ava';
import type { KObject } from '../kind.js';
import { replicationController } from './replication-controller.js';

const template = { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };

function create(spec: KObject, labels?: Record<string, string>): { rc: KObject; messages: string[] } {
  const rc: KObject = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web', namespace: 'default', ...(labels ? { labels } : {}) }, spec: structuredClone(spec) };
  replicationController.prepareForCreate!(rc);
  replicationController.defaults!(rc);
  return { rc, messages: replicationController.validate!(rc).map((c) => c.message) };
}

test('the selector and the labels default to the template\'s labels, replicas to 1', (t) => {
  const { rc, messages } = create({ template });
  t.deepEqual(messages, []);
  t.deepEqual(rc.spec.selector, { app: 'web', tier: 'front' });
  t.deepEqual(rc.metadata.labels, { app: 'web', tier: 'front' });
  t.is(rc.spec.replicas, 1);
  t.is(rc.spec.template.spec.restartPolicy, 'Always');
  t.deepEqual(rc.status, { replicas: 0 });
  const own = create({ selector: { app: 'web' }, template }, { team: 'a' }).rc;
  t.deepEqual(own.spec.selector, { app: 'web' });
  t.deepEqual(own.metadata.labels, { team: 'a' });
});

test('validation as kube\'s ValidateReplicationControllerSpec', (t) => {
  t.deepEqual(create({}).messages, ['spec.selector: Required value', 'spec.template: Required value']);
  t.deepEqual(create({ selector: { app: 'api' }, template, replicas: -1, minReadySeconds: -2 }).messages, [
    'spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0',
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.metadata.labels: Invalid value: {"app":"web","tier":"front"}: `selector` does not match template `labels`',
  ]);
  const pod = { ...template.spec, restartPolicy: 'OnFailure', activeDeadlineSeconds: 10 };
  t.deepEqual(create({ template: { ...template, spec: pod } }).messages, [
    'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported',
  ]);
});

test('unlike a ReplicaSet\'s, the selector may change', (t) => {
  const { rc: old } = create({ template });
  const next = structuredClone(old);
  next.spec.selector = { app: 'web' };
  t.deepEqual(replicationController.validate!(next, old), []);
});

test('columns as kubectl prints replication controllers, the selector a label map', (t) => {
  const { rc } = create({ replicas: 3, template });
  rc.status = { replicas: 2, readyReplicas: 1 };
  const cells = replicationController.columns.map((c) => c.cell(rc));
  t.deepEqual(replicationController.columns.map((c) => c.name), ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector']);
  t.deepEqual([...cells.slice(0, 4), ...cells.slice(5)], ['web', 3, 2, 1, 'web', 'nginx:1.27', 'app=web,tier=front']);
  t.is(replicationController.fields!['status.replicas'](rc), '2');
});
