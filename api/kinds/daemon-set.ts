import type { Kind, KObject } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { ageColumn, nameColumn } from '../printers.js';
import { int32, int64, intOrString, keyedList, named, obj, str, time, type Schema } from '../schema.js';
import { forbidden, invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { defaultPodSpec, firstPerField, isEmptySelector, isObject, NON_NEGATIVE, validateLabelSelector } from '../validation/pod-spec.js';
import { validateSelectorUpdate, validateWorkloadTemplate } from './deployment.js';
import { labelSelectorSchema, podTemplateSpecSchema, workloadWideColumns } from './pod.js';

const apps = (name: string, schema: Schema): Schema => named(`io.k8s.api.apps.v1.${name}`, schema);

export const DAEMON_SET_UPDATE_STRATEGIES = ['OnDelete', 'RollingUpdate'];

const updateStrategySchema = apps('DaemonSetUpdateStrategy', obj({
  type: str('RollingUpdate or OnDelete; RollingUpdate by default.'),
  rollingUpdate: apps('RollingUpdateDaemonSet', obj({
    maxUnavailable: intOrString('Nodes whose daemon pod may be unavailable during the update, as a count or a percentage of desired nodes; 1 by default.'),
    maxSurge: intOrString('Nodes that may run an updated pod beside the old one during the update, as a count or a percentage; 0 by default.'),
  }, { description: 'How fast a rolling update of daemon pods proceeds.' })),
}, { description: 'How old daemon pods are replaced by new ones.' }));

const daemonSetCondition = apps('DaemonSetCondition', obj({
  type: str('Condition type.'),
  status: str('True, False or Unknown.'),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('Machine-readable reason for the last transition.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of the DaemonSet\'s state.' }));

const PERCENT = /^[0-9]+%$/;

/** An int-or-percent as a number (a percentage's figure); undefined when it is neither. */
function intOrPercentValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && PERCENT.test(v)) return Number(v.slice(0, -1));
  return undefined;
}

/** ValidatePositiveIntOrPercent and IsNotMoreThan100Percent. */
function validateIntOrPercent(v: unknown, field: string): Cause[] {
  if (typeof v === 'string') {
    if (!PERCENT.test(v)) return [invalid(field, v, "must be an integer or percentage (e.g '5%')")];
    if (Number(v.slice(0, -1)) > 100) return [invalid(field, v, 'must not be greater than 100%')];
  } else if (typeof v === 'number' && v < 0) {
    return [invalid(field, v, NON_NEGATIVE)];
  }
  return [];
}

function validateUpdateStrategy(strategy: unknown): Cause[] {
  const s: KObject = isObject(strategy) ? strategy : {};
  const path = 'spec.updateStrategy';
  if (s.type === 'OnDelete') return [];
  if (s.type !== 'RollingUpdate') return [notSupported(`${path}.type`, s.type ?? '', DAEMON_SET_UPDATE_STRATEGIES)];
  if (!isObject(s.rollingUpdate)) return [required(`${path}.rollingUpdate`)];
  const { maxUnavailable, maxSurge } = s.rollingUpdate;
  const causes = [
    ...validateIntOrPercent(maxUnavailable, `${path}.rollingUpdate.maxUnavailable`),
    ...validateIntOrPercent(maxSurge, `${path}.rollingUpdate.maxSurge`),
  ];
  if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0) {
    causes.push(invalid(`${path}.rollingUpdate.maxUnavailable`, maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  return causes;
}

/** ValidateDaemonSetSpec. */
function validateSpec(spec: KObject, old: KObject | undefined): Cause[] {
  const causes: Cause[] = [];
  if (!isObject(spec.selector)) {
    causes.push(required('spec.selector'));
  } else {
    causes.push(...validateLabelSelector('spec.selector', spec.selector));
    if (isEmptySelector(spec.selector)) causes.push(invalid('spec.selector', spec.selector, 'empty selector is invalid for daemonset'));
  }
  // The workload template rules, but for the deadline: kube forbids one in a DaemonSet rather than calling it invalid.
  const replicaSetDeadline = (c: Cause) => c.field === 'spec.template.spec.activeDeadlineSeconds' && c.message.endsWith('in ReplicaSet is not Supported');
  for (const cause of validateWorkloadTemplate(spec, old)) {
    causes.push(replicaSetDeadline(cause) ? forbidden(cause.field, 'activeDeadlineSeconds in DaemonSet is not Supported') : cause);
  }
  if (typeof spec.minReadySeconds === 'number' && spec.minReadySeconds < 0) causes.push(invalid('spec.minReadySeconds', spec.minReadySeconds, NON_NEGATIVE));
  if (typeof spec.revisionHistoryLimit === 'number' && spec.revisionHistoryLimit < 0) {
    causes.push(invalid('spec.revisionHistoryLimit', spec.revisionHistoryLimit, NON_NEGATIVE));
  }
  causes.push(...validateUpdateStrategy(spec.updateStrategy));
  return causes;
}

/** kubectl's NODE SELECTOR cell: the template's nodeSelector as k=v pairs, sorted. */
function nodeSelectorCell(o: KObject): string {
  const selector: Record<string, string> = o.spec?.template?.spec?.nodeSelector ?? {};
  const pairs = Object.keys(selector).sort().map((k) => `${k}=${selector[k]}`);
  return pairs.length ? pairs.join(',') : '<none>';
}

const count = (name: string, description: string, field: string) =>
  ({ name, type: 'integer' as const, priority: 0 as const, description, cell: (o: KObject) => o.status?.[field] ?? 0 });

/** apps/v1 DaemonSet: one pod on every node its template fits. */
export const daemonSet: Kind = {
  group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', singular: 'daemonset',
  shortNames: ['ds'], categories: ['all'], namespaced: true,
  subresources: { status: true },
  hasGeneration: true,
  schema: apps('DaemonSet', obj({
    ...typeMeta,
    spec: apps('DaemonSetSpec', obj({
      selector: labelSelectorSchema,
      template: podTemplateSpecSchema,
      updateStrategy: updateStrategySchema,
      minReadySeconds: int32('Seconds a new daemon pod must be ready before it counts as available.'),
      revisionHistoryLimit: int32('Old ControllerRevisions kept for rollback; 10 by default.'),
    }, { required: ['selector', 'template'], description: 'The desired state of a DaemonSet.' })),
    status: apps('DaemonSetStatus', obj({
      currentNumberScheduled: int32('Nodes running at least one daemon pod that should.'),
      numberMisscheduled: int32('Nodes running a daemon pod that should not.'),
      desiredNumberScheduled: int32('Nodes that should run the daemon pod.'),
      numberReady: int32('Nodes that should run the daemon pod and have one ready.'),
      observedGeneration: int64('Generation the controller last acted on.'),
      updatedNumberScheduled: int32('Nodes running the updated daemon pod.'),
      numberAvailable: int32('Nodes that should run the daemon pod and have one available.'),
      numberUnavailable: int32('Nodes that should run the daemon pod and have none available.'),
      collisionCount: int32('Revision name collisions seen; mixed into the next revision\'s hash.'),
      conditions: keyedList(daemonSetCondition, 'type', 'Current conditions of the DaemonSet.'),
    }, { required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'], description: 'The observed state of a DaemonSet.' })),
  }, { description: 'Runs a copy of a pod on every node that fits it.', gvk: { group: 'apps', version: 'v1', kind: 'DaemonSet' } })),

  defaults(ds) {
    if (!isObject(ds.spec)) ds.spec = {};
    const spec = ds.spec;
    if (!isObject(spec.updateStrategy)) spec.updateStrategy = {};
    if (!spec.updateStrategy.type) spec.updateStrategy.type = 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      if (!isObject(spec.updateStrategy.rollingUpdate)) spec.updateStrategy.rollingUpdate = {};
      spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    if (!isObject(spec.template)) spec.template = {};
    if (!isObject(spec.template.metadata)) spec.template.metadata = {};
    if (!isObject(spec.template.spec)) spec.template.spec = {};
    defaultPodSpec(spec.template.spec);
  },

  prepareForCreate(ds) {
    ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  },

  validate(ds, old) {
    const spec: KObject = isObject(ds.spec) ? ds.spec : {};
    const causes = validateSpec(spec, old?.spec);
    if (old) causes.push(...validateSelectorUpdate(spec, old.spec));
    return firstPerField(causes);
  },

  columns: [
    nameColumn,
    count('Desired', 'Nodes that should run the daemon pod.', 'desiredNumberScheduled'),
    count('Current', 'Nodes running the daemon pod.', 'currentNumberScheduled'),
    count('Ready', 'Nodes whose daemon pod is ready.', 'numberReady'),
    count('Up-to-date', 'Nodes running the current pod template.', 'updatedNumberScheduled'),
    count('Available', 'Nodes whose daemon pod has been ready for at least minReadySeconds.', 'numberAvailable'),
    { name: 'Node Selector', type: 'string', priority: 0, description: 'The nodeSelector of the pod template.', cell: nodeSelectorCell },
    ageColumn,
    ...workloadWideColumns(),
  ],
};
