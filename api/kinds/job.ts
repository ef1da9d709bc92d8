import { deepEqual } from '../deep-equal.js';
import {
  CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL,
} from '../batch/well-known.js';
import type { Kind, KObject } from '../kind.js';
import { objectMeta, typeMeta } from '../object-meta.js';
import { ageColumn, humanDuration, nameColumn } from '../printers.js';
import { arr, bool, int32, int64, keyedList, named, obj, str, time, type Schema } from '../schema.js';
import { immutable, invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { annotations, labels } from '../validation/names.js';
import {
  defaultPodSpec, firstPerField, isObject, NON_NEGATIVE, selectorOf, validateLabelSelector, validatePodSpec,
} from '../validation/pod-spec.js';
import { labelSelectorSchema, podTemplateSpecSchema, workloadWideColumns } from './pod.js';

const batch = (name: string, schema: Schema): Schema => named(`io.k8s.api.batch.v1.${name}`, schema);

/** Indexed Jobs keep one bit per index in status; kube bounds them so. */
const MAX_INDEXED_COMPLETIONS = 100_000;

const podFailurePolicySchema = batch('PodFailurePolicy', obj({
  rules: arr(batch('PodFailurePolicyRule', obj({
    action: str('FailJob, FailIndex, Ignore or Count.'),
    onExitCodes: batch('PodFailurePolicyOnExitCodesRequirement', obj({
      containerName: str('The container whose exit codes are checked; all containers when unset.'),
      operator: str('In or NotIn.'),
      values: arr(int32(), { listType: 'set', description: 'Exit codes.' }),
    }, { required: ['operator', 'values'], description: 'Container exit codes a rule matches.' })),
    onPodConditions: arr(batch('PodFailurePolicyOnPodConditionsPattern', obj({
      type: str('Pod condition type.'),
      status: str('Pod condition status; True by default.'),
    }, { required: ['type', 'status'], description: 'A pod condition a rule matches.' })), { listType: 'atomic', description: 'Pod conditions a rule matches.' }),
  }, { required: ['action'], description: 'What to do with a failed pod matching the requirements.' })), { listType: 'atomic', description: 'Rules, first match wins.' }),
}, { required: ['rules'], description: 'How pod failures count towards the backoff limit.' }));

const successPolicySchema = batch('SuccessPolicy', obj({
  rules: arr(batch('SuccessPolicyRule', obj({
    succeededIndexes: str('Indexes that must succeed, as "1,3-5".'),
    succeededCount: int32('How many of succeededIndexes must succeed.'),
  }, { description: 'When an Indexed Job counts as succeeded early.' })), { listType: 'atomic', description: 'Rules, any of which declares success.' }),
}, { required: ['rules'], description: 'When a Job can be declared succeeded.' }));

/** The JobSpec, shared with CronJob's jobTemplate. */
export const jobSpecSchema = batch('JobSpec', obj({
  parallelism: int32('Pods running at once at most; 1 by default.'),
  completions: int32('Successful pods wanted; unset means any one success finishes the Job once all its pods end.'),
  activeDeadlineSeconds: int64('Seconds since the Job started after which it fails with DeadlineExceeded.'),
  podFailurePolicy: podFailurePolicySchema,
  successPolicy: successPolicySchema,
  backoffLimit: int32('Retries before the Job fails; 6 by default.'),
  backoffLimitPerIndex: int32('Retries per index of an Indexed Job.'),
  maxFailedIndexes: int32('Failed indexes tolerated before the Job fails.'),
  selector: labelSelectorSchema,
  manualSelector: bool('Keep the selector given rather than generate one from the Job\'s uid.'),
  template: podTemplateSpecSchema,
  ttlSecondsAfterFinished: int32('Seconds after the Job finished when it is deleted.'),
  completionMode: str('NonIndexed or Indexed; NonIndexed by default.'),
  suspend: bool('Stop the Job: its active pods are deleted and no new ones made.'),
  podReplacementPolicy: str('TerminatingOrFailed or Failed: when a replacement pod may be made.'),
  managedBy: str('The controller that reconciles the Job; kube\'s own when unset.'),
}, { required: ['template'], description: 'The desired state of a Job.' }));

const jobCondition = batch('JobCondition', obj({
  type: str('Complete, Failed, Suspended, FailureTarget or SuccessCriteriaMet.'),
  status: str('True, False or Unknown.'),
  lastProbeTime: time('When the condition was last checked.'),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('Machine-readable reason for the last transition.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of the Job\'s state.' }));

export const jobTemplateSpecSchema = batch('JobTemplateSpec', obj({
  metadata: objectMeta,
  spec: jobSpecSchema,
}, { description: 'The Jobs a CronJob makes.' }));

/** A Job condition of this type with status True, if any. */
export function trueJobCondition(job: KObject, type: string): KObject | undefined {
  return (job.status?.conditions ?? []).find((c: KObject) => c?.type === type && c?.status === 'True');
}

/** Complete or Failed: a finished Job never runs again. */
export const isJobFinished = (job: KObject): boolean => !!(trueJobCondition(job, 'Complete') ?? trueJobCondition(job, 'Failed'));

/** kubectl's STATUS of a Job, in kube's order of precedence. */
export function jobStatusText(job: KObject): string {
  if (trueJobCondition(job, 'Complete')) return 'Complete';
  if (trueJobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (trueJobCondition(job, 'Suspended')) return 'Suspended';
  if (trueJobCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (trueJobCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function completionsText(job: KObject): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (typeof job.spec?.completions === 'number') return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function durationText(job: KObject, nowMs = Date.now()): string {
  const start = Date.parse(job.status?.startTime ?? '');
  if (Number.isNaN(start)) return '';
  const end = Date.parse(job.status?.completionTime ?? '');
  return humanDuration((Number.isNaN(end) ? nowMs : end) - start);
}

/**
 * The JobSpec defaults kube's SetDefaults_Job gives, in a Job and (through
 * the pod template only) in a CronJob's jobTemplate.
 */
export function defaultJobSpec(spec: KObject): void {
  // Neither set: one pod, to one success. Only parallelism set: a work queue, done at the first success.
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2 ** 31 - 1 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  for (const rule of Array.isArray(spec.podFailurePolicy?.rules) ? spec.podFailurePolicy.rules : []) {
    for (const pattern of Array.isArray(rule?.onPodConditions) ? rule.onPodConditions : []) if (isObject(pattern)) pattern.status ??= 'True';
  }
  if (!isObject(spec.template)) spec.template = {};
  if (!isObject(spec.template.metadata)) spec.template.metadata = {};
  if (!isObject(spec.template.spec)) spec.template.spec = {};
  defaultPodSpec(spec.template.spec);
}

/**
 * kube's generateSelector: unless the user manages the selector, the pods
 * carry the Job's uid and name and the selector picks the uid, so no two
 * Jobs ever select each other's pods.
 */
function generateSelector(job: KObject): void {
  const spec = job.spec;
  if (spec.manualSelector === true) return;
  const { uid, name } = job.metadata;
  if (!isObject(spec.template)) spec.template = {};
  if (!isObject(spec.template.metadata)) spec.template.metadata = {};
  const tmeta = spec.template.metadata;
  if (!isObject(tmeta.labels)) tmeta.labels = {};
  tmeta.labels[LEGACY_CONTROLLER_UID_LABEL] ??= uid;
  tmeta.labels[LEGACY_JOB_NAME_LABEL] ??= name;
  tmeta.labels[CONTROLLER_UID_LABEL] ??= uid;
  tmeta.labels[JOB_NAME_LABEL] ??= name;
  if (!isObject(spec.selector)) spec.selector = {};
  if (!isObject(spec.selector.matchLabels)) spec.selector.matchLabels = {};
  // A user's own controller-uid is left as given: validation then rejects the mismatch.
  spec.selector.matchLabels[CONTROLLER_UID_LABEL] ??= uid;
}

/** The selector must be the generated one unless manualSelector is set (kube's ValidateGeneratedSelector). */
function validateGeneratedSelector(job: KObject): Cause[] {
  const spec = job.spec;
  if (spec.manualSelector === true || !isObject(spec.selector)) return [];
  const causes: Cause[] = [];
  const tlabels = spec.template?.metadata?.labels ?? {};
  const expected: Record<string, string> = { [CONTROLLER_UID_LABEL]: job.metadata.uid, [JOB_NAME_LABEL]: job.metadata.name };
  for (const [key, value] of Object.entries(expected)) {
    if (tlabels[key] === undefined) causes.push(required(`spec.template.metadata.labels`, `must have label ${key}`));
    else if (tlabels[key] !== value) causes.push(invalid(`spec.template.metadata.labels`, tlabels[key], `must be '${value}'`));
  }
  const selector = selectorOf(spec.selector);
  if (selector && !selector.matches({ [CONTROLLER_UID_LABEL]: job.metadata.uid })) {
    causes.push(invalid('spec.selector', spec.selector, '`selector` not auto-generated'));
  }
  return causes;
}

/** kube's validateJobSpec: what a Job and a CronJob's jobTemplate share. */
export function validateJobSpecFields(spec: KObject, p: string, old?: KObject): Cause[] {
  const causes: Cause[] = [];
  for (const field of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    if (typeof spec[field] === 'number' && spec[field] < 0) causes.push(invalid(`${p}.${field}`, spec[field], NON_NEGATIVE));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') causes.push(notSupported(`${p}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed') {
    if (typeof spec.completions !== 'number') causes.push(required(`${p}.completions`, 'when completion mode is Indexed'));
    else if (spec.completions > MAX_INDEXED_COMPLETIONS) causes.push(invalid(`${p}.completions`, spec.completions, `must be less than or equal to ${MAX_INDEXED_COMPLETIONS} when completion mode is Indexed`));
    if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_INDEXED_COMPLETIONS) {
      causes.push(invalid(`${p}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_INDEXED_COMPLETIONS} when completion mode is Indexed`));
    }
  }
  const policy = spec.podReplacementPolicy;
  if (policy !== undefined && policy !== 'Failed' && policy !== 'TerminatingOrFailed') {
    causes.push(notSupported(`${p}.podReplacementPolicy`, policy, ['Failed', 'TerminatingOrFailed']));
  } else if (policy === 'TerminatingOrFailed' && spec.podFailurePolicy) {
    causes.push(notSupported(`${p}.podReplacementPolicy`, policy, ['Failed']));
  }
  const template = spec.template;
  if (!isObject(template)) return [...causes, required(`${p}.template`)];
  const meta = isObject(template.metadata) ? template.metadata : {};
  causes.push(...labels(`${p}.template.metadata.labels`, meta.labels));
  causes.push(...annotations(`${p}.template.metadata.annotations`, meta.annotations));
  causes.push(...validatePodSpec(template.spec, `${p}.template.spec`, { old: old?.template?.spec }));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    causes.push(notSupported(`${p}.template.spec.restartPolicy`, restartPolicy ?? '', ['OnFailure', 'Never']));
  }
  return causes;
}

/**
 * What a suspended Job that never started may still change in its template
 * (kube's mutable scheduling directives): where its pods will land.
 */
function schedulingDirectivesOnly(spec: KObject, old: KObject): boolean {
  const strip = (t: KObject | undefined) => {
    const { nodeSelector: _n, tolerations: _t, affinity: _a, schedulingGates: _g, ...rest } = t?.spec ?? {};
    const { labels: _l, annotations: _an, ...meta } = t?.metadata ?? {};
    return { meta, rest };
  };
  return deepEqual(strip(spec.template), strip(old.template));
}

function validateJobSpecUpdate(job: KObject, old: KObject): Cause[] {
  const spec = job.spec;
  const was = old.spec ?? {};
  const causes: Cause[] = [];
  // An Indexed Job may grow or shrink while completions and parallelism move together (elastic Indexed Jobs).
  const elastic = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && was.completions === was.parallelism;
  if (spec.completions !== was.completions && !elastic) causes.push(immutable('spec.completions', spec.completions ?? null));
  if (!deepEqual(spec.selector, was.selector)) causes.push(immutable('spec.selector', spec.selector ?? null));
  if (spec.completionMode !== was.completionMode) causes.push(immutable('spec.completionMode', spec.completionMode ?? null));
  if (!deepEqual(spec.podFailurePolicy, was.podFailurePolicy)) causes.push(immutable('spec.podFailurePolicy', spec.podFailurePolicy ?? null));
  if (!deepEqual(spec.template, was.template)) {
    const notStarted = was.suspend === true && !old.status?.startTime;
    if (!notStarted || !schedulingDirectivesOnly(spec, was)) causes.push(immutable('spec.template', spec.template));
  }
  return causes;
}

export const job: Kind = {
  group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job',
  categories: ['all'], namespaced: true,
  subresources: { status: true },
  hasGeneration: true,
  schema: batch('Job', obj({
    ...typeMeta,
    spec: jobSpecSchema,
    status: batch('JobStatus', obj({
      conditions: keyedList(jobCondition, 'type', 'Current conditions of the Job.'),
      startTime: time('When the controller started the Job (reset when it resumes).'),
      completionTime: time('When the Job completed; unset for a failed Job.'),
      active: int32('Pods pending or running.'),
      ready: int32('Active pods that are Ready.'),
      succeeded: int32('Pods that succeeded.'),
      failed: int32('Pods that failed.'),
      terminating: int32('Pods being terminated.'),
      completedIndexes: str('Indexes that succeeded, as "1,3-5" (Indexed Jobs).'),
      failedIndexes: str('Indexes that failed, as "1,3-5" (backoffLimitPerIndex).'),
      uncountedTerminatedPods: batch('UncountedTerminatedPods', obj({
        succeeded: arr(str(), { listType: 'set', description: 'UIDs of succeeded pods whose finalizer is being removed.' }),
        failed: arr(str(), { listType: 'set', description: 'UIDs of failed pods whose finalizer is being removed.' }),
      }, { description: 'Finished pods not yet in the counters: they still hold the tracking finalizer.' })),
    }, { description: 'The observed state of a Job.' })),
  }, { description: 'Runs pods to completion.', gvk: { group: 'batch', version: 'v1', kind: 'Job' } })),

  defaults(j) {
    if (!isObject(j.spec)) j.spec = {};
    defaultJobSpec(j.spec);
    // A Job without labels of its own takes its pod template's (as the user wrote them).
    if (!isObject(j.metadata.labels) || !Object.keys(j.metadata.labels).length) {
      const userLabels = Object.fromEntries(Object.entries(j.spec.template.metadata.labels ?? {})
        .filter(([k]) => j.spec.manualSelector === true || ![CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL].includes(k)));
      if (Object.keys(userLabels).length) j.metadata.labels = userLabels;
    }
  },

  prepareForCreate(j) {
    j.status = {};
    if (!isObject(j.spec)) j.spec = {};
    generateSelector(j);
  },

  validate(j, old) {
    const spec: KObject = isObject(j.spec) ? j.spec : {};
    const causes = [...validateGeneratedSelector(j), ...validateJobSpecFields(spec, 'spec', old?.spec)];
    if (!isObject(spec.selector)) {
      causes.push(required('spec.selector'));
    } else {
      causes.push(...validateLabelSelector('spec.selector', spec.selector));
      const selector = selectorOf(spec.selector);
      const tlabels = spec.template?.metadata?.labels;
      if (selector && !selector.matches(tlabels)) causes.push(invalid('spec.template.metadata.labels', tlabels ?? {}, '`selector` does not match template `labels`'));
    }
    for (const field of ['active', 'succeeded', 'failed'] as const) {
      const value = j.status?.[field];
      if (typeof value === 'number' && value < 0) causes.push(invalid(`status.${field}`, value, NON_NEGATIVE));
    }
    if (old) causes.push(...validateJobSpecUpdate(j, old));
    return firstPerField(causes);
  },

  columns: [
    nameColumn,
    { name: 'Status', type: 'string', priority: 0, description: 'Status of the job.', cell: jobStatusText },
    { name: 'Completions', type: 'string', priority: 0, description: 'The desired number of successfully finished pods the job should be run with.', cell: completionsText },
    { name: 'Duration', type: 'string', priority: 0, description: 'Time required to complete the job.', cell: (o) => durationText(o) },
    ageColumn,
    ...workloadWideColumns(),
  ],

  fields: {
    'status.successful': (o) => String(o.status?.succeeded ?? 0),
  },
};
