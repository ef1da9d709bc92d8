import test from 'ava';
import type { KObject } from '../kind.js';
import type { Cause } from '../validation/field-errors.js';
import { statefulSet } from './stateful-set.js';

function create(spec: KObject): { sts: KObject; causes: Cause[] } {
  const sts: KObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' }, spec: structuredClone(spec) };
  statefulSet.prepareForCreate!(sts);
  statefulSet.defaults!(sts);
  return { sts, causes: statefulSet.validate!(sts) };
}

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } };
const selector = { matchLabels: { app: 'web' } };
const claim = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };

test('defaults: one replica, OrderedReady, RollingUpdate from partition 0, ten revisions, claims retained, the pod and claim templates', (t) => {
  const { sts, causes } = create({ selector, template, serviceName: 'web', volumeClaimTemplates: [claim] });
  t.deepEqual(causes, []);
  t.is(sts.spec.replicas, 1);
  t.is(sts.spec.podManagementPolicy, 'OrderedReady');
  t.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  t.is(sts.spec.revisionHistoryLimit, 10);
  t.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  t.is(sts.spec.template.spec.restartPolicy, 'Always');
  t.like(sts.spec.volumeClaimTemplates[0], { spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  t.deepEqual(sts.status, { replicas: 0, availableReplicas: 0 });
  t.deepEqual(create({ selector, template, updateStrategy: { type: 'OnDelete' } }).sts.spec.updateStrategy, { type: 'OnDelete' });
});

test('validation as kube words it', (t) => {
  const messages = (spec: KObject) => create(spec).causes.map((c) => c.message);
  t.deepEqual(messages({ selector: { matchLabels: { app: 'other' } }, template }), ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']);
  t.deepEqual(messages({ selector, template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } }),
    ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  t.deepEqual(messages({ selector, template: { ...template, spec: { ...template.spec, activeDeadlineSeconds: 5 } } }),
    ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported']);
  t.deepEqual(messages({ selector, template, podManagementPolicy: 'Sometimes' }), ['spec.podManagementPolicy: Invalid value: "Sometimes": must be \'OrderedReady\' or \'Parallel\'']);
  t.deepEqual(messages({ selector, template, updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }),
    ['spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed for updateStrategy \'RollingUpdate\'']);
  t.deepEqual(messages({ selector, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1, maxUnavailable: 0 } } }),
    ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0',
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: must be greater than 0']);
  t.deepEqual(messages({ selector, template, persistentVolumeClaimRetentionPolicy: { whenScaled: 'Keep' } }),
    ['spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": supported values: "Retain", "Delete"']);
  t.deepEqual(create({ selector, template, replicas: -1, ordinals: { start: -1 } }).causes.map((c) => c.field), ['spec.replicas', 'spec.ordinals.start']);
  t.deepEqual(create({ selector: {}, template }).causes.map((c) => c.field), ['spec.selector']);
  t.deepEqual(create({ selector, template, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }] }).causes.map((c) => c.field.split('.').slice(0, 2).join('.')),
    ['spec.volumeClaimTemplates[0]', 'spec.volumeClaimTemplates[0]']);
});

test('an update may change replicas, ordinals, the template, the update strategy, history, retention and minReadySeconds only', (t) => {
  const { sts: old } = create({ selector, template, serviceName: 'web', volumeClaimTemplates: [claim] });
  const next = structuredClone(old);
  Object.assign(next.spec, {
    replicas: 5, ordinals: { start: 1 }, updateStrategy: { type: 'OnDelete' }, revisionHistoryLimit: 2, minReadySeconds: 3,
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
  });
  next.spec.template.spec.containers[0].image = 'nginx:1.27';
  t.deepEqual(statefulSet.validate!(next, old), []);
  for (const change of [{ serviceName: 'other' }, { podManagementPolicy: 'Parallel' }, { volumeClaimTemplates: [] }]) {
    t.deepEqual(statefulSet.validate!({ ...old, spec: { ...old.spec, ...change } }, old).map((c) => c.message),
      ['spec: Forbidden: updates to statefulset spec for fields other than \'replicas\', \'ordinals\', \'template\', \'updateStrategy\', \'revisionHistoryLimit\', \'persistentVolumeClaimRetentionPolicy\' and \'minReadySeconds\' are forbidden'],
      JSON.stringify(change));
  }
});

test('columns as kubectl prints stateful sets: READY as ready/desired, and wide CONTAINERS and IMAGES without a SELECTOR', (t) => {
  const { sts } = create({ selector, template, replicas: 3 });
  sts.status = { replicas: 3, readyReplicas: 2 };
  t.deepEqual(statefulSet.columns.filter((c) => c.name !== 'Age').map((c) => [c.name, c.priority, c.cell(sts)]),
    [['Name', 0, 'web'], ['Ready', 0, '2/3'], ['Containers', 1, 'web'], ['Images', 1, 'nginx:1.26']]);
});
