import type { Kind, KObject } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { ageColumn, nameColumn } from '../printers.js';
import { int32, int64, keyedList, named, obj } from '../schema.js';
import { defaultPodSpec, firstPerField, isObject } from '../validation/pod-spec.js';
import { validateSelectorUpdate, validateWorkloadSelector, validateWorkloadTemplate, workloadCondition } from './deployment.js';
import { labelSelectorSchema, podTemplateSpecSchema, workloadWideColumns } from './pod.js';

export const replicaSet: Kind = {
  group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset',
  shortNames: ['rs'], categories: ['all'], namespaced: true,
  subresources: { status: true, scale: { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], labelSelectorPath: ['spec', 'selector'] } },
  hasGeneration: true,
  schema: named('io.k8s.api.apps.v1.ReplicaSet', obj({
    ...typeMeta,
    spec: named('io.k8s.api.apps.v1.ReplicaSetSpec', obj({
      replicas: int32('Desired number of pods; 1 by default.'),
      minReadySeconds: int32('Seconds a new pod must be ready before it counts as available.'),
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
    }, { required: ['selector'], description: 'The desired state of a ReplicaSet.' })),
    status: named('io.k8s.api.apps.v1.ReplicaSetStatus', obj({
      replicas: int32('Pods currently matching the selector and owned by the ReplicaSet.'),
      fullyLabeledReplicas: int32('Pods whose labels match the template labels.'),
      readyReplicas: int32('Pods that are ready.'),
      availableReplicas: int32('Pods ready for at least minReadySeconds.'),
      terminatingReplicas: int32('Pods being terminated.'),
      observedGeneration: int64('Generation the controller last acted on.'),
      conditions: keyedList(workloadCondition('ReplicaSet'), 'type', 'Current conditions of the ReplicaSet.'),
    }, { required: ['replicas'], description: 'The observed state of a ReplicaSet.' })),
  }, { description: 'Keeps a given number of identical pods running.', gvk: { group: 'apps', version: 'v1', kind: 'ReplicaSet' } })),

  defaults(rs) {
    if (!isObject(rs.spec)) rs.spec = {};
    rs.spec.replicas ??= 1;
    if (!isObject(rs.spec.template)) rs.spec.template = {};
    if (!isObject(rs.spec.template.metadata)) rs.spec.template.metadata = {};
    if (!isObject(rs.spec.template.spec)) rs.spec.template.spec = {};
    defaultPodSpec(rs.spec.template.spec);
  },

  prepareForCreate(rs) {
    rs.status = { replicas: 0 };
  },

  validate(rs, old) {
    const spec: KObject = isObject(rs.spec) ? rs.spec : {};
    const causes = [...validateWorkloadSelector(spec), ...validateWorkloadTemplate(spec, old?.spec)];
    if (old) causes.push(...validateSelectorUpdate(spec, old.spec));
    return firstPerField(causes);
  },

  columns: [
    nameColumn,
    { name: 'Desired', type: 'integer', priority: 0, description: 'Desired number of pods.', cell: (o) => o.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', priority: 0, description: 'Pods currently owned by the ReplicaSet.', cell: (o) => o.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', priority: 0, description: 'Pods that are ready.', cell: (o) => o.status?.readyReplicas ?? 0 },
    ageColumn,
    ...workloadWideColumns(),
  ],

  fields: {
    'status.replicas': (o) => String(o.status?.replicas ?? 0),
  },
};
