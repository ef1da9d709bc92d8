import { parseCronSchedule } from '../batch/cron-schedule.js';
import { timeZoneProblem } from '../batch/time-zone.js';
import type { Kind, KObject } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { objectReference } from '../object-reference.js';
import { ageColumn, nameColumn, since } from '../printers.js';
import { arr, bool, int32, int64, named, obj, str, time, type Schema } from '../schema.js';
import { invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { dns1123Subdomain } from '../validation/names.js';
import { defaultPodSpec, firstPerField, formatLabelSelector, isObject, NON_NEGATIVE } from '../validation/pod-spec.js';
import { jobTemplateSpecSchema, validateJobSpecFields } from './job.js';
import { templateContainers } from './pod.js';

const batch = (name: string, schema: Schema): Schema => named(`io.k8s.api.batch.v1.${name}`, schema);

/** Job names are `<cronjob>-<minutes since the epoch>` (11 characters) and must stay within a label value's 63. */
const MAX_CRONJOB_NAME_LENGTH = 52;

const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

function validateSchedule(spec: KObject): Cause[] {
  const schedule = spec.schedule;
  if (typeof schedule !== 'string' || !schedule) return [required('spec.schedule')];
  // Zones in the schedule itself (robfig's TZ= and CRON_TZ= prefixes) are what timeZone replaced.
  if (schedule.includes('TZ')) {
    return [invalid('spec.schedule', schedule, spec.timeZone !== undefined && spec.timeZone !== null
      ? 'cannot use both timeZone field and TZ or CRON_TZ in schedule'
      : 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead')];
  }
  try {
    parseCronSchedule(schedule);
    return [];
  } catch (err) {
    return [invalid('spec.schedule', schedule, (err as Error).message)];
  }
}

export const cronJob: Kind = {
  group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', singular: 'cronjob',
  shortNames: ['cj'], categories: ['all'], namespaced: true,
  subresources: { status: true },
  hasGeneration: true,
  nameRule: (field, value) => [
    ...dns1123Subdomain(field, value),
    ...(value.length > MAX_CRONJOB_NAME_LENGTH ? [invalid(field, value, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`)] : []),
  ],
  schema: batch('CronJob', obj({
    ...typeMeta,
    spec: batch('CronJobSpec', obj({
      schedule: str('When to run, in cron format (minute hour day-of-month month day-of-week) or a macro such as @hourly.'),
      timeZone: str('The IANA time zone the schedule is read in; the controller-manager\'s (UTC) when unset.'),
      startingDeadlineSeconds: int64('Seconds after a missed scheduled time within which the Job may still start.'),
      concurrencyPolicy: str('Allow, Forbid or Replace: what to do when the previous run is still active; Allow by default.'),
      suspend: bool('Make no new Jobs while true.'),
      jobTemplate: jobTemplateSpecSchema,
      successfulJobsHistoryLimit: int32('Finished successful Jobs kept; 3 by default.'),
      failedJobsHistoryLimit: int32('Finished failed Jobs kept; 1 by default.'),
    }, { required: ['schedule', 'jobTemplate'], description: 'The desired state of a CronJob.' })),
    status: batch('CronJobStatus', obj({
      active: arr(objectReference, { listType: 'atomic', description: 'Jobs running now.' }),
      lastScheduleTime: time('When a Job was last scheduled.'),
      lastSuccessfulTime: time('When a Job last completed successfully.'),
    }, { description: 'The observed state of a CronJob.' })),
  }, { description: 'Runs Jobs on a schedule.', gvk: { group: 'batch', version: 'v1', kind: 'CronJob' } })),

  defaults(cj) {
    if (!isObject(cj.spec)) cj.spec = {};
    const spec = cj.spec;
    if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    if (!isObject(spec.jobTemplate)) spec.jobTemplate = {};
    if (!isObject(spec.jobTemplate.spec)) spec.jobTemplate.spec = {};
    const jobSpec = spec.jobTemplate.spec;
    if (!isObject(jobSpec.template)) jobSpec.template = {};
    if (!isObject(jobSpec.template.spec)) jobSpec.template.spec = {};
    defaultPodSpec(jobSpec.template.spec);
  },

  prepareForCreate(cj) {
    cj.status = {};
  },

  validate(cj, old) {
    const spec: KObject = isObject(cj.spec) ? cj.spec : {};
    const causes = validateSchedule(spec);
    if (spec.timeZone !== undefined && spec.timeZone !== null) {
      const problem = typeof spec.timeZone === 'string' ? timeZoneProblem(spec.timeZone) : 'must be a string';
      if (problem) causes.push(invalid('spec.timeZone', spec.timeZone, problem));
    }
    for (const field of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'] as const) {
      if (typeof spec[field] === 'number' && spec[field] < 0) causes.push(invalid(`spec.${field}`, spec[field], NON_NEGATIVE));
    }
    if (!spec.concurrencyPolicy) causes.push(required('spec.concurrencyPolicy'));
    else if (!CONCURRENCY_POLICIES.includes(spec.concurrencyPolicy)) causes.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, CONCURRENCY_POLICIES));
    const template = isObject(spec.jobTemplate) ? spec.jobTemplate : {};
    const jobSpec = isObject(template.spec) ? template.spec : {};
    causes.push(...validateJobSpecFields(jobSpec, 'spec.jobTemplate.spec', old?.spec?.jobTemplate?.spec));
    // The Jobs made from the template get the generated selector.
    if (jobSpec.selector !== undefined && jobSpec.selector !== null) causes.push(invalid('spec.jobTemplate.spec.selector', jobSpec.selector, '`selector` will be auto-generated'));
    if (jobSpec.manualSelector === true) causes.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
    return firstPerField(causes);
  },

  columns: [
    nameColumn,
    { name: 'Schedule', type: 'string', priority: 0, description: 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', cell: (o) => o.spec?.schedule ?? '' },
    { name: 'Timezone', type: 'string', priority: 0, description: 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.', cell: (o) => o.spec?.timeZone ?? '<none>' },
    { name: 'Suspend', type: 'boolean', priority: 0, description: 'This flag tells the controller to suspend subsequent executions.', cell: (o) => (typeof o.spec?.suspend === 'boolean' ? (o.spec.suspend ? 'True' : 'False') : '<unset>') },
    { name: 'Active', type: 'integer', priority: 0, description: 'A list of pointers to currently running jobs.', cell: (o) => (o.status?.active ?? []).length },
    { name: 'Last Schedule', type: 'date', priority: 0, description: 'Information when was the last time the job was successfully scheduled.', cell: (o) => (o.status?.lastScheduleTime ? since(o.status.lastScheduleTime) : '<none>') },
    ageColumn,
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.', cell: (o) => templateContainers(o.spec?.jobTemplate?.spec?.template).names },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.', cell: (o) => templateContainers(o.spec?.jobTemplate?.spec?.template).images },
    { name: 'Selector', type: 'string', priority: 1, description: 'Selector that selects the jobs\' pods.', cell: (o) => formatLabelSelector(o.spec?.jobTemplate?.spec?.selector) || '<none>' },
  ],
};
