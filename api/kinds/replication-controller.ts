import type { Kind, KObject } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { ageColumn, nameColumn } from '../printers.js';
import { int32, int64, keyedList, named, obj, str, strMap, time, type Schema } from '../schema.js';
import { selectorFromSet } from '../selectors/label-selector.js';
import { forbidden, invalid, required, type Cause } from '../validation/field-errors.js';
import { defaultPodSpec, firstPerField, isObject, NON_NEGATIVE } from '../validation/pod-spec.js';
import { validateAlwaysRestartingTemplate } from './deployment.js';
import { podTemplateSpecSchema, workloadWideColumns } from './pod.js';

const core = (name: string, schema: Schema): Schema => named(`io.k8s.api.core.v1.${name}`, schema);

const condition = core('ReplicationControllerCondition', obj({
  type: str('Condition type (ReplicaFailure).'),
  status: str('True, False or Unknown.'),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('Machine-readable reason for the last transition.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of the ReplicationController\'s state.' }));

const isLabelMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.keys(v).length > 0;

/**
 * kube's ValidatePodTemplateSpecForRC: the template must exist, carry every
 * label of the selector map, and describe pods that always restart.
 */
function validateTemplate(spec: KObject, old: KObject | undefined): Cause[] {
  if (!isObject(spec.template)) return [required('spec.template')];
  return validateAlwaysRestartingTemplate(spec.template, old?.template, {
    matches: (labels) => !isLabelMap(spec.selector) || selectorFromSet(spec.selector).matches(labels),
    deadline: () => forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'),
  });
}

/**
 * The core/v1 ReplicationController: the ReplicaSet's predecessor, whose
 * selector is a label map rather than a label selector. Unlike a
 * ReplicaSet's, that selector may change after creation.
 */
export const replicationController: Kind = {
  group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', singular: 'replicationcontroller',
  shortNames: ['rc'], categories: ['all'], namespaced: true,
  subresources: { status: true, scale: { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], labelSelectorPath: ['spec', 'selector'], labelSelectorIsMap: true } },
  hasGeneration: true,
  schema: core('ReplicationController', obj({
    ...typeMeta,
    spec: core('ReplicationControllerSpec', obj({
      replicas: int32('Desired number of pods; 1 by default.'),
      minReadySeconds: int32('Seconds a new pod must be ready before it counts as available.'),
      selector: strMap('Labels a pod must carry to be counted; the template\'s labels by default.'),
      template: podTemplateSpecSchema,
    }, { description: 'The desired state of a ReplicationController.' })),
    status: core('ReplicationControllerStatus', obj({
      replicas: int32('Pods currently matching the selector and owned by the ReplicationController.'),
      fullyLabeledReplicas: int32('Pods whose labels match the template labels.'),
      readyReplicas: int32('Pods that are ready.'),
      availableReplicas: int32('Pods ready for at least minReadySeconds.'),
      observedGeneration: int64('Generation the controller last acted on.'),
      conditions: keyedList(condition, 'type', 'Current conditions of the ReplicationController.'),
    }, { required: ['replicas'], description: 'The observed state of a ReplicationController.' })),
  }, { description: 'Keeps a given number of identical pods running.', gvk: { group: '', version: 'v1', kind: 'ReplicationController' } })),

  // kube's SetDefaults_ReplicationController: the template's labels stand in for a missing selector and missing labels.
  defaults(rc) {
    if (!isObject(rc.spec)) rc.spec = {};
    const template = rc.spec.template;
    const templateLabels = isObject(template) && isObject(template.metadata) ? template.metadata.labels : undefined;
    if (isLabelMap(templateLabels)) {
      if (!isLabelMap(rc.spec.selector)) rc.spec.selector = { ...templateLabels };
      if (!isLabelMap(rc.metadata?.labels)) rc.metadata = { ...rc.metadata, labels: { ...templateLabels } };
    }
    rc.spec.replicas ??= 1;
    if (isObject(template)) {
      if (!isObject(template.spec)) template.spec = {};
      defaultPodSpec(template.spec);
    }
  },

  prepareForCreate(rc) {
    rc.status = { replicas: 0 };
  },

  validate(rc, old) {
    const spec: KObject = isObject(rc.spec) ? rc.spec : {};
    const causes: Cause[] = [];
    if (typeof spec.minReadySeconds === 'number' && spec.minReadySeconds < 0) causes.push(invalid('spec.minReadySeconds', spec.minReadySeconds, NON_NEGATIVE));
    if (!isLabelMap(spec.selector)) causes.push(required('spec.selector'));
    if (typeof spec.replicas === 'number' && spec.replicas < 0) causes.push(invalid('spec.replicas', spec.replicas, NON_NEGATIVE));
    causes.push(...validateTemplate(spec, old?.spec));
    return firstPerField(causes);
  },

  columns: [
    nameColumn,
    { name: 'Desired', type: 'integer', priority: 0, description: 'Desired number of pods.', cell: (o) => o.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', priority: 0, description: 'Pods currently owned by the ReplicationController.', cell: (o) => o.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', priority: 0, description: 'Pods that are ready.', cell: (o) => o.status?.readyReplicas ?? 0 },
    ageColumn,
    ...workloadWideColumns().map((c) => (c.name === 'Selector'
      ? { ...c, cell: (o: KObject) => (isObject(o.spec?.selector) ? selectorFromSet(o.spec.selector).toString() : '') }
      : c)),
  ],

  fields: {
    'status.replicas': (o) => String(o.status?.replicas ?? 0),
  },
};
