// Protobuf field-number tables for k8s.io/api batch/v1 (Job, CronJob).
// Facts transcribed from the upstream batch/v1 generated.proto; the pointer and
// always marks from the Go structs' field types and json tags (see field-table.ts).
import type { MessageTable } from './field-table.js';

export const batchMessages: Record<string, MessageTable> = {
  'batch.CronJob': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'batch.CronJobSpec' } },
    3: { name: 'status', type: { message: 'batch.CronJobStatus' } },
  },
  'batch.CronJobList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'batch.CronJob' }, repeated: true },
  },
  'batch.CronJobSpec': {
    1: { name: 'schedule', type: 'string', always: true },
    2: { name: 'startingDeadlineSeconds', type: 'int64', pointer: true },
    3: { name: 'concurrencyPolicy', type: 'string' },
    4: { name: 'suspend', type: 'bool', pointer: true },
    5: { name: 'jobTemplate', type: { message: 'batch.JobTemplateSpec' } },
    6: { name: 'successfulJobsHistoryLimit', type: 'int32', pointer: true },
    7: { name: 'failedJobsHistoryLimit', type: 'int32', pointer: true },
    8: { name: 'timeZone', type: 'string', pointer: true },
  },
  'batch.CronJobStatus': {
    1: { name: 'active', type: { message: 'core.ObjectReference' }, repeated: true },
    4: { name: 'lastScheduleTime', type: { message: 'meta.Time' } },
    5: { name: 'lastSuccessfulTime', type: { message: 'meta.Time' } },
  },
  'batch.Job': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'batch.JobSpec' } },
    3: { name: 'status', type: { message: 'batch.JobStatus' } },
  },
  'batch.JobCondition': {
    1: { name: 'type', type: 'string', always: true },
    2: { name: 'status', type: 'string', always: true },
    3: { name: 'lastProbeTime', type: { message: 'meta.Time' } },
    4: { name: 'lastTransitionTime', type: { message: 'meta.Time' } },
    5: { name: 'reason', type: 'string' },
    6: { name: 'message', type: 'string' },
  },
  'batch.JobList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'batch.Job' }, repeated: true },
  },
  'batch.JobSpec': {
    1: { name: 'parallelism', type: 'int32', pointer: true },
    2: { name: 'completions', type: 'int32', pointer: true },
    3: { name: 'activeDeadlineSeconds', type: 'int64', pointer: true },
    4: { name: 'selector', type: { message: 'meta.LabelSelector' } },
    5: { name: 'manualSelector', type: 'bool', pointer: true },
    6: { name: 'template', type: { message: 'core.PodTemplateSpec' } },
    7: { name: 'backoffLimit', type: 'int32', pointer: true },
    8: { name: 'ttlSecondsAfterFinished', type: 'int32', pointer: true },
    9: { name: 'completionMode', type: 'string', pointer: true },
    10: { name: 'suspend', type: 'bool', pointer: true },
    11: { name: 'podFailurePolicy', type: { message: 'batch.PodFailurePolicy' } },
    12: { name: 'backoffLimitPerIndex', type: 'int32', pointer: true },
    13: { name: 'maxFailedIndexes', type: 'int32', pointer: true },
    14: { name: 'podReplacementPolicy', type: 'string', pointer: true },
    15: { name: 'managedBy', type: 'string', pointer: true },
    16: { name: 'successPolicy', type: { message: 'batch.SuccessPolicy' } },
  },
  'batch.JobStatus': {
    1: { name: 'conditions', type: { message: 'batch.JobCondition' }, repeated: true },
    2: { name: 'startTime', type: { message: 'meta.Time' } },
    3: { name: 'completionTime', type: { message: 'meta.Time' } },
    4: { name: 'active', type: 'int32' },
    5: { name: 'succeeded', type: 'int32' },
    6: { name: 'failed', type: 'int32' },
    7: { name: 'completedIndexes', type: 'string' },
    8: { name: 'uncountedTerminatedPods', type: { message: 'batch.UncountedTerminatedPods' } },
    9: { name: 'ready', type: 'int32', pointer: true },
    10: { name: 'failedIndexes', type: 'string', pointer: true },
    11: { name: 'terminating', type: 'int32', pointer: true },
  },
  'batch.JobTemplateSpec': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'batch.JobSpec' } },
  },
  'batch.PodFailurePolicy': {
    1: { name: 'rules', type: { message: 'batch.PodFailurePolicyRule' }, repeated: true },
  },
  'batch.PodFailurePolicyOnExitCodesRequirement': {
    1: { name: 'containerName', type: 'string', pointer: true },
    2: { name: 'operator', type: 'string', always: true },
    3: { name: 'values', type: 'int32', repeated: true },
  },
  'batch.PodFailurePolicyOnPodConditionsPattern': {
    1: { name: 'type', type: 'string', always: true },
    2: { name: 'status', type: 'string', always: true },
  },
  'batch.PodFailurePolicyRule': {
    1: { name: 'action', type: 'string', always: true },
    2: { name: 'onExitCodes', type: { message: 'batch.PodFailurePolicyOnExitCodesRequirement' } },
    3: { name: 'onPodConditions', type: { message: 'batch.PodFailurePolicyOnPodConditionsPattern' }, repeated: true },
  },
  'batch.SuccessPolicy': {
    1: { name: 'rules', type: { message: 'batch.SuccessPolicyRule' }, repeated: true },
  },
  'batch.SuccessPolicyRule': {
    1: { name: 'succeededIndexes', type: 'string', pointer: true },
    2: { name: 'succeededCount', type: 'int32', pointer: true },
  },
  'batch.UncountedTerminatedPods': {
    1: { name: 'succeeded', type: 'string', repeated: true },
    2: { name: 'failed', type: 'string', repeated: true },
  },
};
