import { deepEqual } from '../deep-equal.js';
import type { Kind, KObject } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { ageColumn, nameColumn } from '../printers.js';
import { arr, int32, int64, intOrString, keyedList, named, obj, str, time, type Schema } from '../schema.js';
import { forbidden, invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { defaultPodSpec, firstPerField, isEmptySelector, isObject, NON_NEGATIVE, validateLabelSelector } from '../validation/pod-spec.js';
import { validateSelectorUpdate, validateWorkloadTemplate } from './deployment.js';
import { persistentVolumeClaim } from './persistent-volume-claim.js';
import { labelSelectorSchema, podTemplateSpecSchema, workloadWideColumns } from './pod.js';

const apps = (name: string, schema: Schema): Schema => named(`io.k8s.api.apps.v1.${name}`, schema);

export const POD_MANAGEMENT_POLICIES = ['OrderedReady', 'Parallel'];
export const STATEFUL_SET_UPDATE_STRATEGIES = ['RollingUpdate', 'OnDelete'];
export const CLAIM_RETENTION_POLICIES = ['Retain', 'Delete'];

const updateStrategySchema = apps('StatefulSetUpdateStrategy', obj({
  type: str('RollingUpdate or OnDelete; RollingUpdate by default.'),
  rollingUpdate: apps('RollingUpdateStatefulSetStrategy', obj({
    partition: int32('Pods with an ordinal index below the partition keep their revision during an update; 0 by default.'),
    maxUnavailable: intOrString('Pods that may be unavailable during the update, as a count or a percentage of replicas; 1 when unset.'),
  }, { description: 'How a rolling update of a StatefulSet proceeds.' })),
}, { description: 'How old pods of a StatefulSet are replaced by new ones.' }));

const retentionPolicySchema = apps('StatefulSetPersistentVolumeClaimRetentionPolicy', obj({
  whenDeleted: str('Retain or Delete: what happens to the claims when the StatefulSet is deleted; Retain by default.'),
  whenScaled: str('Retain or Delete: what happens to the claims of pods removed by a scale-down; Retain by default.'),
}, { description: 'What happens to the claims made from volumeClaimTemplates.' }));

const statefulSetCondition = apps('StatefulSetCondition', obj({
  type: str('Condition type.'),
  status: str('True, False or Unknown.'),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('Machine-readable reason for the last transition.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of the StatefulSet\'s state.' }));

const PERCENT = /^[0-9]+%$/;

/** ValidatePositiveIntOrPercent, IsNotMoreThan100Percent and a floor of one pod. */
function validateMaxUnavailable(v: unknown, field: string): Cause[] {
  if (typeof v === 'string') {
    if (!PERCENT.test(v)) return [invalid(field, v, "must be an integer or percentage (e.g '5%')")];
    const n = Number(v.slice(0, -1));
    if (n > 100) return [invalid(field, v, 'must not be greater than 100%')];
    if (n === 0) return [invalid(field, v, 'must be greater than 0')];
  } else if (typeof v === 'number') {
    if (v < 0) return [invalid(field, v, NON_NEGATIVE)];
    if (v === 0) return [invalid(field, v, 'must be greater than 0')];
  }
  return [];
}

function validateUpdateStrategy(strategy: unknown): Cause[] {
  const s: KObject = isObject(strategy) ? strategy : {};
  const path = 'spec.updateStrategy';
  switch (s.type) {
    case undefined: case '':
      return [required(`${path}.type`)];
    case 'OnDelete':
      return isObject(s.rollingUpdate) ? [invalid(`${path}.rollingUpdate`, s.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate': {
      if (!isObject(s.rollingUpdate)) return [];
      const { partition, maxUnavailable } = s.rollingUpdate;
      const causes: Cause[] = [];
      if (typeof partition === 'number' && partition < 0) causes.push(invalid(`${path}.rollingUpdate.partition`, partition, NON_NEGATIVE));
      if (maxUnavailable !== undefined && maxUnavailable !== null) causes.push(...validateMaxUnavailable(maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
      return causes;
    }
    default:
      return [invalid(`${path}.type`, s.type, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

/** The claim templates are checked as claims are, under their own path. */
function validateClaimTemplates(templates: unknown): Cause[] {
  if (!Array.isArray(templates)) return [];
  return templates.flatMap((t, i) => (persistentVolumeClaim.validate?.(isObject(t) ? t : {}) ?? [])
    .map((c) => ({ ...c, field: `spec.volumeClaimTemplates[${i}].${c.field}` })));
}

/** ValidateStatefulSetSpec. */
function validateSpec(spec: KObject, old: KObject | undefined): Cause[] {
  const causes: Cause[] = [];
  switch (spec.podManagementPolicy) {
    case undefined: case '':
      causes.push(required('spec.podManagementPolicy'));
      break;
    case 'OrderedReady': case 'Parallel':
      break;
    default:
      causes.push(invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  causes.push(...validateUpdateStrategy(spec.updateStrategy));
  const retention = isObject(spec.persistentVolumeClaimRetentionPolicy) ? spec.persistentVolumeClaimRetentionPolicy : {};
  for (const when of ['whenDeleted', 'whenScaled']) {
    const value = retention[when];
    if (!CLAIM_RETENTION_POLICIES.includes(value)) causes.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${when}`, value ?? '', CLAIM_RETENTION_POLICIES));
  }
  if (typeof spec.replicas === 'number' && spec.replicas < 0) causes.push(invalid('spec.replicas', spec.replicas, NON_NEGATIVE));
  if (isObject(spec.ordinals) && typeof spec.ordinals.start === 'number' && spec.ordinals.start < 0) {
    causes.push(invalid('spec.ordinals.start', spec.ordinals.start, NON_NEGATIVE));
  }
  if (typeof spec.minReadySeconds === 'number' && spec.minReadySeconds < 0) causes.push(invalid('spec.minReadySeconds', spec.minReadySeconds, NON_NEGATIVE));
  if (typeof spec.revisionHistoryLimit === 'number' && spec.revisionHistoryLimit < 0) {
    causes.push(invalid('spec.revisionHistoryLimit', spec.revisionHistoryLimit, NON_NEGATIVE));
  }
  if (!isObject(spec.selector)) {
    causes.push(required('spec.selector'));
  } else {
    causes.push(...validateLabelSelector('spec.selector', spec.selector));
    if (isEmptySelector(spec.selector)) causes.push(invalid('spec.selector', spec.selector, 'empty selector is invalid for statefulset'));
  }
  // The workload template rules; kube forbids a deadline in a StatefulSet rather than calling it invalid.
  const replicaSetDeadline = (c: Cause) => c.field === 'spec.template.spec.activeDeadlineSeconds' && c.message.endsWith('in ReplicaSet is not Supported');
  for (const cause of validateWorkloadTemplate(spec, old)) {
    causes.push(replicaSetDeadline(cause) ? forbidden(cause.field, 'activeDeadlineSeconds in StatefulSet is not Supported') : cause);
  }
  causes.push(...validateClaimTemplates(spec.volumeClaimTemplates));
  return causes;
}

/** The spec fields an update may change (ValidateStatefulSetUpdate); everything else is fixed at creation. */
const MUTABLE_SPEC_FIELDS = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validateSpecUpdate(spec: KObject, old: KObject): Cause[] {
  const fixed = (s: KObject) => Object.fromEntries(Object.entries(s).filter(([k]) => !MUTABLE_SPEC_FIELDS.includes(k)));
  if (deepEqual(fixed(spec), fixed(old))) return [];
  return [forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}

/** apps/v1 StatefulSet: pods with stable names, ordinals and storage. */
export const statefulSet: Kind = {
  group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset',
  shortNames: ['sts'], categories: ['all'], namespaced: true,
  subresources: { status: true, scale: { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], labelSelectorPath: ['spec', 'selector'] } },
  hasGeneration: true,
  schema: apps('StatefulSet', obj({
    ...typeMeta,
    spec: apps('StatefulSetSpec', obj({
      replicas: int32('Desired number of pods; 1 by default.'),
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
      volumeClaimTemplates: arr(persistentVolumeClaim.schema, { description: 'Claims every pod gets its own copy of, named <template>-<statefulset>-<ordinal>.' }),
      serviceName: str('The headless Service that gives the pods their DNS names; the pods\' subdomain.'),
      podManagementPolicy: str('OrderedReady (one pod at a time, in ordinal order) or Parallel; OrderedReady by default.'),
      updateStrategy: updateStrategySchema,
      revisionHistoryLimit: int32('Old ControllerRevisions kept for rollback; 10 by default.'),
      minReadySeconds: int32('Seconds a new pod must be ready before it counts as available.'),
      persistentVolumeClaimRetentionPolicy: retentionPolicySchema,
      ordinals: apps('StatefulSetOrdinals', obj({
        start: int32('The first ordinal; 0 by default.'),
      }, { description: 'The numbering of the StatefulSet\'s pods.' })),
    }, { required: ['selector', 'template'], description: 'The desired state of a StatefulSet.' })),
    status: apps('StatefulSetStatus', obj({
      observedGeneration: int64('Generation the controller last acted on.'),
      replicas: int32('Pods the controller created.'),
      readyReplicas: int32('Pods that are ready.'),
      currentReplicas: int32('Pods at currentRevision.'),
      updatedReplicas: int32('Pods at updateRevision.'),
      currentRevision: str('The revision the pods below the update were made from.'),
      updateRevision: str('The revision the pods are being updated to.'),
      collisionCount: int32('Revision name collisions seen; mixed into the next revision\'s hash.'),
      conditions: keyedList(statefulSetCondition, 'type', 'Current conditions of the StatefulSet.'),
      availableReplicas: int32('Pods ready for at least minReadySeconds.'),
    }, { required: ['replicas'], description: 'The observed state of a StatefulSet.' })),
  }, { description: 'Runs pods with stable names, network identities and storage.', gvk: { group: 'apps', version: 'v1', kind: 'StatefulSet' } })),

  defaults(sts) {
    if (!isObject(sts.spec)) sts.spec = {};
    const spec = sts.spec;
    spec.replicas ??= 1;
    if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
    if (!isObject(spec.updateStrategy)) spec.updateStrategy = {};
    if (!spec.updateStrategy.type) spec.updateStrategy.type = 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      if (!isObject(spec.updateStrategy.rollingUpdate)) spec.updateStrategy.rollingUpdate = {};
      spec.updateStrategy.rollingUpdate.partition ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    if (!isObject(spec.persistentVolumeClaimRetentionPolicy)) spec.persistentVolumeClaimRetentionPolicy = {};
    const retention = spec.persistentVolumeClaimRetentionPolicy;
    if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
    if (!retention.whenScaled) retention.whenScaled = 'Retain';
    if (!isObject(spec.template)) spec.template = {};
    if (!isObject(spec.template.metadata)) spec.template.metadata = {};
    if (!isObject(spec.template.spec)) spec.template.spec = {};
    defaultPodSpec(spec.template.spec);
    for (const claim of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) {
      if (isObject(claim)) persistentVolumeClaim.defaults?.(claim);
    }
  },

  prepareForCreate(sts) {
    sts.status = { replicas: 0, availableReplicas: 0 };
  },

  validate(sts, old) {
    const spec: KObject = isObject(sts.spec) ? sts.spec : {};
    const causes = validateSpec(spec, old?.spec);
    if (old) causes.push(...validateSelectorUpdate(spec, old.spec), ...validateSpecUpdate(spec, isObject(old.spec) ? old.spec : {}));
    return firstPerField(causes);
  },

  columns: [
    nameColumn,
    { name: 'Ready', type: 'string', priority: 0, description: 'Ready pods out of the desired replicas.', cell: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}` },
    ageColumn,
    // kubectl shows no SELECTOR for StatefulSets, even wide.
    ...workloadWideColumns().filter((c) => c.name !== 'Selector'),
  ],
};
