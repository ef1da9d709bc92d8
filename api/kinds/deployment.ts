import type { Kind, KObject } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { ageColumn, nameColumn } from '../printers.js';
import { bool, int32, int64, intOrString, keyedList, named, obj, str, time, type Schema } from '../schema.js';
import { forbidden, immutable, invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { annotations, labels } from '../validation/names.js';
import {
  defaultPodSpec, firstPerField, isEmptySelector, isObject, NON_NEGATIVE, selectorOf, validateLabelSelector, validatePodSpec,
} from '../validation/pod-spec.js';
import type { Labels } from '../selectors/label-selector.js';
import { labelSelectorSchema, podTemplateSpecSchema, workloadWideColumns } from './pod.js';

const apps = (name: string, schema: Schema): Schema => named(`io.k8s.api.apps.v1.${name}`, schema);

/** Conditions of apps/v1 workloads (Deployment and ReplicaSet share the shape). */
export function workloadCondition(kind: 'Deployment' | 'ReplicaSet'): Schema {
  return apps(`${kind}Condition`, obj({
    type: str('Condition type.'),
    status: str('True, False or Unknown.'),
    ...(kind === 'Deployment' ? { lastUpdateTime: time('When the condition was last updated.') } : {}),
    lastTransitionTime: time('When the status last changed.'),
    reason: str('Machine-readable reason for the last transition.'),
    message: str('Human-readable details.'),
  }, { required: ['type', 'status'], description: `One aspect of the ${kind}'s state.` }));
}

const deploymentCondition = workloadCondition('Deployment');

const strategySchema = apps('DeploymentStrategy', obj({
  type: str('Recreate or RollingUpdate; RollingUpdate by default.'),
  rollingUpdate: apps('RollingUpdateDeployment', obj({
    maxUnavailable: intOrString('Pods that may be unavailable during the update, as a count or a percentage; 25% by default.'),
    maxSurge: intOrString('Pods that may be created above the desired count during the update, as a count or a percentage; 25% by default.'),
  }, { description: 'How fast a rolling update proceeds.' })),
}, { description: 'How old pods are replaced by new ones.' }));

/**
 * A pod-template workload's template checks: labels matching the selector,
 * the pod spec, Always restarts, no deadline. Skipped when the selector
 * itself cannot be built.
 */
export function validateWorkloadTemplate(spec: KObject, old?: KObject): Cause[] {
  if (!isObject(spec.template)) return [required('spec.template')];
  // A missing selector selects nothing, so it never matches the template either, as in Kubernetes.
  const selector = selectorOf(spec.selector);
  if (!selector) return [invalid('spec.selector', spec.selector, 'invalid label selector')];
  return validateAlwaysRestartingTemplate(spec.template, old?.template, {
    matches: (labels) => selector.empty() || selector.matches(labels),
    deadline: (value) => invalid('spec.template.spec.activeDeadlineSeconds', value, 'activeDeadlineSeconds in ReplicaSet is not Supported'),
  });
}

/**
 * The template checks of a workload whose pods always restart (ReplicaSet,
 * Deployment, ReplicationController): its labels matched against the
 * workload's selector, labels and annotations, the pod spec (on update,
 * scheduling constraints the stored template already had are not checked
 * again, so status writes go through), Always restarts, and the kind's own
 * refusal of a deadline.
 */
export function validateAlwaysRestartingTemplate(
  template: KObject,
  old: KObject | undefined,
  rules: { matches(labels: Labels): boolean; deadline(value: unknown): Cause },
): Cause[] {
  const causes: Cause[] = [];
  const meta = isObject(template.metadata) ? template.metadata : {};
  if (!rules.matches(meta.labels as Labels)) causes.push(invalid('spec.template.metadata.labels', meta.labels ?? {}, '`selector` does not match template `labels`'));
  causes.push(...labels('spec.template.metadata.labels', meta.labels));
  causes.push(...annotations('spec.template.metadata.annotations', meta.annotations));
  causes.push(...validatePodSpec(template.spec, 'spec.template.spec', { old: old?.spec }));
  const pod = isObject(template.spec) ? template.spec : {};
  if (pod.restartPolicy && pod.restartPolicy !== 'Always') causes.push(notSupported('spec.template.spec.restartPolicy', pod.restartPolicy, ['Always']));
  if (pod.activeDeadlineSeconds !== undefined && pod.activeDeadlineSeconds !== null) causes.push(rules.deadline(pod.activeDeadlineSeconds));
  return causes;
}

/** replicas, minReadySeconds and the selector, as Deployment and ReplicaSet check them. */
export function validateWorkloadSelector(spec: KObject): Cause[] {
  const causes: Cause[] = [];
  if (typeof spec.replicas === 'number' && spec.replicas < 0) causes.push(invalid('spec.replicas', spec.replicas, NON_NEGATIVE));
  if (typeof spec.minReadySeconds === 'number' && spec.minReadySeconds < 0) causes.push(invalid('spec.minReadySeconds', spec.minReadySeconds, NON_NEGATIVE));
  if (!isObject(spec.selector)) {
    causes.push(required('spec.selector'));
  } else {
    causes.push(...validateLabelSelector('spec.selector', spec.selector));
    if (isEmptySelector(spec.selector)) causes.push(invalid('spec.selector', spec.selector, 'empty selector is invalid for deployment'));
  }
  return causes;
}

/** Selector immutability on update (apps/v1). */
export function validateSelectorUpdate(spec: KObject | undefined, old: KObject | undefined): Cause[] {
  const a = JSON.stringify(normalizeSelector(spec?.selector));
  const b = JSON.stringify(normalizeSelector(old?.selector));
  return a === b ? [] : [immutable('spec.selector', spec?.selector ?? null)];
}

function normalizeSelector(sel: unknown): unknown {
  if (!isObject(sel)) return null;
  const ml = isObject(sel.matchLabels) ? Object.fromEntries(Object.entries(sel.matchLabels).sort(([a], [b]) => (a < b ? -1 : 1))) : {};
  const me = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  return { ml, me };
}

const PERCENT = /^[0-9]+%$/;

function intOrPercentValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && PERCENT.test(v)) return Number(v.slice(0, -1));
  return undefined;
}

function validateIntOrPercent(v: unknown, field: string, causes: Cause[]): void {
  if (typeof v === 'string') {
    if (!PERCENT.test(v)) causes.push(invalid(field, v, "must be an integer or percentage (e.g '5%')"));
  } else if (typeof v === 'number' && v < 0) {
    causes.push(invalid(field, v, NON_NEGATIVE));
  }
}

function validateStrategy(strategy: unknown, causes: Cause[]): void {
  const s: KObject = isObject(strategy) ? strategy : {};
  switch (s.type) {
    case 'Recreate':
      if (s.rollingUpdate !== undefined && s.rollingUpdate !== null) {
        causes.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
      }
      break;
    case 'RollingUpdate': {
      if (!isObject(s.rollingUpdate)) {
        causes.push(required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
        break;
      }
      const ru = s.rollingUpdate;
      validateIntOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable', causes);
      validateIntOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge', causes);
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        causes.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      if (typeof ru.maxUnavailable === 'string' && PERCENT.test(ru.maxUnavailable) && Number(ru.maxUnavailable.slice(0, -1)) > 100) {
        causes.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'must not be greater than 100%'));
      }
      break;
    }
    default:
      causes.push(notSupported('spec.strategy.type', s.type ?? '', ['Recreate', 'RollingUpdate']));
  }
}

export const deployment: Kind = {
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment',
  shortNames: ['deploy'], categories: ['all'], namespaced: true,
  subresources: { status: true, scale: { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], labelSelectorPath: ['spec', 'selector'] } },
  hasGeneration: true,
  statusUpdatesAnnotations: true,
  schema: apps('Deployment', obj({
    ...typeMeta,
    spec: apps('DeploymentSpec', obj({
      replicas: int32('Desired number of pods; 1 by default.'),
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
      strategy: strategySchema,
      minReadySeconds: int32('Seconds a new pod must be ready before it counts as available.'),
      revisionHistoryLimit: int32('Old ReplicaSets kept for rollback; 10 by default.'),
      paused: bool('Stop rolling out template changes while true.'),
      progressDeadlineSeconds: int32('Seconds without progress before the rollout is reported as stalled; 600 by default.'),
    }, { required: ['selector', 'template'], description: 'The desired state of a Deployment.' })),
    status: apps('DeploymentStatus', obj({
      observedGeneration: int64('Generation the controller last acted on.'),
      replicas: int32('Pods targeted by the Deployment, old and new.'),
      updatedReplicas: int32('Pods running the current template.'),
      readyReplicas: int32('Pods that are ready.'),
      availableReplicas: int32('Pods ready for at least minReadySeconds.'),
      unavailableReplicas: int32('Pods still needed to reach the desired available count.'),
      terminatingReplicas: int32('Pods being terminated.'),
      conditions: keyedList(deploymentCondition, 'type', 'Current conditions of the Deployment.'),
      collisionCount: int32('Template hash collisions seen; mixed into new ReplicaSet names.'),
    }, { description: 'The observed state of a Deployment.' })),
  }, { description: 'Declarative updates for a set of identical pods, rolled out through ReplicaSets.', gvk: { group: 'apps', version: 'v1', kind: 'Deployment' } })),

  defaults(d) {
    if (!isObject(d.spec)) d.spec = {};
    const spec = d.spec;
    spec.replicas ??= 1;
    if (!isObject(spec.strategy)) spec.strategy = {};
    if (!spec.strategy.type) spec.strategy.type = 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      if (!isObject(spec.strategy.rollingUpdate)) spec.strategy.rollingUpdate = {};
      spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
      spec.strategy.rollingUpdate.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    if (!isObject(spec.template)) spec.template = {};
    if (!isObject(spec.template.metadata)) spec.template.metadata = {};
    if (!isObject(spec.template.spec)) spec.template.spec = {};
    defaultPodSpec(spec.template.spec);
  },

  prepareForCreate(d) {
    d.status = {};
  },

  validate(d, old) {
    const spec: KObject = isObject(d.spec) ? d.spec : {};
    const causes = [
      ...validateWorkloadSelector(spec),
      ...validateWorkloadTemplate(spec, old?.spec),
    ];
    validateStrategy(spec.strategy, causes);
    if (typeof spec.revisionHistoryLimit === 'number' && spec.revisionHistoryLimit < 0) {
      causes.push(invalid('spec.revisionHistoryLimit', spec.revisionHistoryLimit, NON_NEGATIVE));
    }
    const pds = spec.progressDeadlineSeconds;
    if (typeof pds === 'number') {
      if (pds <= 0) causes.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than 0'));
      else if (pds <= (spec.minReadySeconds ?? 0)) causes.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
    }
    if (old) causes.push(...validateSelectorUpdate(spec, old.spec));
    return firstPerField(causes);
  },

  columns: [
    nameColumn,
    { name: 'Ready', type: 'string', priority: 0, description: 'Ready pods out of desired pods.', cell: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}` },
    { name: 'Up-to-date', type: 'string', priority: 0, description: 'Pods running the current pod template.', cell: (o) => o.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'string', priority: 0, description: 'Pods that have been ready for at least minReadySeconds.', cell: (o) => o.status?.availableReplicas ?? 0 },
    ageColumn,
    ...workloadWideColumns(),
  ],
};
