import test from 'ava';
import type { KObject } from '../kind.js';
import type { Cause } from '../validation/field-errors.js';
import { controllerRevision } from './controller-revision.js';
import { daemonSet } from './daemon-set.js';

function create(spec: KObject): { ds: KObject; causes: Cause[] } {
  const ds: KObject = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' }, spec: structuredClone(spec) };
  daemonSet.prepareForCreate!(ds);
  daemonSet.defaults!(ds);
  return { ds, causes: daemonSet.validate!(ds) };
}

const template = { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'fluentd:1.16' }] } };
const selector = { matchLabels: { app: 'agent' } };

test('defaults: RollingUpdate one node at a time without surge, ten revisions, the pod template', (t) => {
  const { ds, causes } = create({ selector, template });
  t.deepEqual(causes, []);
  t.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  t.is(ds.spec.revisionHistoryLimit, 10);
  t.is(ds.spec.template.spec.restartPolicy, 'Always');
  t.deepEqual(ds.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
  t.deepEqual(create({ selector, template, updateStrategy: { type: 'OnDelete' } }).ds.spec.updateStrategy, { type: 'OnDelete' });
});

test('validation as kube words it', (t) => {
  const messages = (spec: KObject) => create(spec).causes.map((c) => c.message);
  t.deepEqual(messages({ selector: { matchLabels: { app: 'other' } }, template }), ['spec.template.metadata.labels: Invalid value: {"app":"agent"}: `selector` does not match template `labels`']);
  t.deepEqual(messages({ selector, template: { ...template, spec: { ...template.spec, restartPolicy: 'OnFailure' } } }),
    ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']);
  t.deepEqual(messages({ selector, template: { ...template, spec: { ...template.spec, activeDeadlineSeconds: 5 } } }),
    ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported']);
  t.deepEqual(messages({ selector, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }),
    ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0']);
  t.deepEqual(messages({ selector, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '120%' } } }),
    ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "120%": must not be greater than 100%']);
  t.deepEqual(create({ selector, template, updateStrategy: { type: 'Recreate' } }).causes.map((c) => c.field), ['spec.updateStrategy.type']);
  t.deepEqual(create({ selector: {}, template }).causes.map((c) => c.field), ['spec.selector']);
  const { ds: old } = create({ selector, template });
  const next = structuredClone(old);
  next.spec.selector = { matchLabels: { app: 'agent', tier: 'node' } };
  next.spec.template.metadata.labels.tier = 'node';
  t.deepEqual(daemonSet.validate!(next, old).map((c) => c.message), ['spec.selector: Invalid value: {"matchLabels":{"app":"agent","tier":"node"}}: field is immutable']);
});

test('columns as kubectl prints daemon sets and controller revisions', (t) => {
  const { ds } = create({ selector, template: { ...template, spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' } } } });
  ds.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 1, numberAvailable: 2 };
  const cells = daemonSet.columns.filter((c) => c.name !== 'Age').map((c) => [c.name, c.cell(ds)]);
  t.deepEqual(cells, [['Name', 'agent'], ['Desired', 3], ['Current', 3], ['Ready', 2], ['Up-to-date', 1], ['Available', 2],
    ['Node Selector', 'disk=ssd,kubernetes.io/os=linux'], ['Containers', 'agent'], ['Images', 'fluentd:1.16'], ['Selector', 'app=agent']]);
  const owned = { metadata: { name: 'agent-5d8f9c', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] }, data: {}, revision: 2 };
  t.deepEqual(controllerRevision.columns.filter((c) => c.name !== 'Age').map((c) => c.cell(owned)), ['agent-5d8f9c', 'daemonset.apps/agent', 2]);
  t.is(controllerRevision.columns[1].cell({ metadata: { name: 'x' } }), '<none>');
});

test('a controller revision\'s data is immutable; its number is not', (t) => {
  const old = { metadata: { name: 'agent-1' }, data: { spec: { a: 1 } }, revision: 1 };
  t.deepEqual(controllerRevision.validate!({ ...old, revision: 3 }, old), []);
  t.deepEqual(controllerRevision.validate!({ ...old, data: { spec: { a: 2 } } }, old).map((c) => c.field), ['data']);
  t.deepEqual(controllerRevision.validate!({ metadata: { name: 'x' }, revision: -1 }).map((c) => c.field), ['data', 'revision']);
});
