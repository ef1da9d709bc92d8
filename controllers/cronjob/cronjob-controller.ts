import { CRONJOB_SCHEDULED_TIMESTAMP } from '../../api/batch/well-known.js';
import { parseCronSchedule } from '../../api/batch/cron-schedule.js';
import { rfc3339In, timeZoneProblem } from '../../api/batch/time-zone.js';
import { clone, deepEqual } from '../../api/deep-equal.js';
import { getControllerOf, newControllerRef } from '../../api/owner-references.js';
import { rfc3339 } from '../../api/time.js';
import { isAlreadyExists, isNotFound } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { CRON_JOBS, JOBS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { objectKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { workersFor, type ControllerDescriptor } from '../controller.js';
import { jobNameFor, mostRecentScheduleTime, TOO_MANY_MISSED } from './schedule-times.js';

/** kube's nextScheduleDelta: wake a little after the scheduled time, never just before it. */
const NEXT_SCHEDULE_DELTA_MS = 100;

/** Jobs indexed by the uid of the CronJob that controls them. */
const CRONJOB_UID_INDEX = 'cronJobUID';

interface CronJobDeps {
  client: RestClient;
  cronJobs: Informer;
  jobs: Informer;
  recorder: EventRecorder;
  clock(): number;
}

const finishedAs = (job: AnyObject): 'Complete' | 'Failed' | undefined =>
  (job.status?.conditions ?? []).find((c: AnyObject) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type;

const jobReference = (job: AnyObject): Record<string, unknown> => ({
  kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid,
  apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion,
});

/**
 * The CronJob controller (kube's syncCronJob): keeps status.active to the
 * unfinished Jobs it made, trims finished ones to the history limits, and
 * at each scheduled time (in spec.timeZone) makes a Job named after that
 * time, honouring suspend, startingDeadlineSeconds and concurrencyPolicy.
 * The clock is injected so tests can move time. Keys are "namespace/name".
 */
export function cronJobReconciler({ client, cronJobs, jobs, recorder, clock }: CronJobDeps) {
  const deleteJob = async (cj: AnyObject, job: AnyObject): Promise<void> => {
    try {
      await client.delete(JOBS, job.metadata.name!, { namespace: job.metadata.namespace, propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
    } catch (err) {
      if (isNotFound(err)) return;
      recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
      throw err;
    }
    recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
  };

  /** Finished Jobs beyond a history limit, oldest first by start time. */
  const trimHistory = async (cj: AnyObject, owned: AnyObject[]): Promise<void> => {
    for (const [type, limit] of [['Complete', cj.spec.successfulJobsHistoryLimit], ['Failed', cj.spec.failedJobsHistoryLimit]] as const) {
      if (typeof limit !== 'number') continue;
      const finished = owned.filter((j) => finishedAs(j) === type && !j.metadata.deletionTimestamp);
      if (finished.length <= limit) continue;
      const startOf = (j: AnyObject) => Date.parse(j.status?.startTime ?? j.metadata.creationTimestamp ?? '') || 0;
      finished.sort((a, b) => startOf(a) - startOf(b));
      for (const job of finished.slice(0, finished.length - limit)) await deleteJob(cj, job);
    }
  };

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const cached = cronJobs.store.get(key);
    if (!cached) return;
    const cj = clone(cached);
    const status: AnyObject = cj.status ?? {};
    const owned = jobs.store.byIndex(CRONJOB_UID_INDEX, cj.metadata.uid!);
    const nowMs = clock();

    // status.active: Jobs gone or finished leave it; a finished Job's completion may be the last success.
    const byUid = new Map(owned.map((j) => [j.metadata.uid, j]));
    const active: Array<Record<string, any>> = [];
    for (const ref of status.active ?? []) {
      const job = byUid.get(ref.uid);
      if (!job) continue;
      const outcome = finishedAs(job);
      if (!outcome) {
        active.push(ref);
        continue;
      }
      recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${outcome}`);
      const completed = Date.parse(job.status?.completionTime ?? '');
      if (outcome === 'Complete' && !Number.isNaN(completed) && (!status.lastSuccessfulTime || completed > Date.parse(status.lastSuccessfulTime))) {
        status.lastSuccessfulTime = job.status.completionTime;
      }
    }
    for (const job of owned) {
      if (!finishedAs(job) && !active.some((ref) => ref.uid === job.metadata.uid)) {
        recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name}`);
      }
    }
    status.active = active;

    const writeStatus = async () => {
      if (!status.active.length) delete status.active;
      if (deepEqual(cached.status ?? {}, status)) return;
      await client.updateStatus(CRON_JOBS, { ...cj, status });
    };

    if (cj.metadata.deletionTimestamp) return writeStatus();
    await trimHistory(cj, owned);

    const zone = cj.spec.timeZone ?? 'UTC';
    if (timeZoneProblem(zone)) {
      recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${zone}"`);
      return writeStatus();
    }
    if (cj.spec.suspend) return writeStatus();
    let schedule;
    try {
      schedule = parseCronSchedule(cj.spec.schedule);
    } catch (err) {
      recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec.schedule}" : ${(err as Error).message}`);
      return writeStatus();
    }
    const wakeAt = (): ReconcileResult => {
      const next = schedule.next(nowMs, zone);
      return next === undefined ? undefined : { requeueAfter: next - nowMs + NEXT_SCHEDULE_DELTA_MS };
    };

    const earliest = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp);
    const { scheduled, missed } = mostRecentScheduleTime(schedule, zone, earliest, nowMs, cj.spec.startingDeadlineSeconds);
    if (missed > TOO_MANY_MISSED) {
      recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    if (scheduled === undefined) {
      await writeStatus();
      return wakeAt();
    }
    const sds = cj.spec.startingDeadlineSeconds;
    if (typeof sds === 'number' && scheduled + sds * 1000 < nowMs) {
      recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc3339In(scheduled, zone)}`);
      await writeStatus();
      return wakeAt();
    }
    const name = jobNameFor(cj.metadata.name!, scheduled);
    if (active.some((ref) => ref.name === name)) {
      await writeStatus();
      return wakeAt();
    }
    if (cj.spec.concurrencyPolicy === 'Forbid' && active.length) {
      recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      await writeStatus();
      return wakeAt();
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...active]) {
        const job = byUid.get(ref.uid);
        if (job) await deleteJob(cj, job);
        active.splice(active.indexOf(ref), 1);
      }
    }

    const template = cj.spec.jobTemplate ?? {};
    const body: AnyObject = {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: {
        name, namespace: cj.metadata.namespace,
        ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
        annotations: { ...template.metadata?.annotations, [CRONJOB_SCHEDULED_TIMESTAMP]: cj.spec.timeZone ? rfc3339In(scheduled, zone) : rfc3339(scheduled) },
        ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
      },
      spec: clone(template.spec ?? {}),
    };
    let created: AnyObject;
    try {
      created = await client.create(JOBS, body);
      recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      // Made already, by a leader that stopped before writing status: it is this run, so it is recorded as such.
      created = await client.get(JOBS, name, { namespace: cj.metadata.namespace });
      if (getControllerOf(created)?.uid !== cj.metadata.uid) {
        await writeStatus();
        return wakeAt();
      }
    }
    if (!finishedAs(created)) active.push(jobReference(created));
    status.lastScheduleTime = rfc3339(scheduled);
    await writeStatus();
    return wakeAt();
  };
}

/** The controller with a clock of its own; the controller-manager's runs on the wall clock. */
export function cronJobControllerWith(clock: () => number): ControllerDescriptor {
  return {
    name: 'cronjob-controller', aliases: ['cronjob'], enabledByDefault: true,
    create(ctx) {
      const cronJobs = ctx.informers.for<AnyObject>(CRON_JOBS);
      const jobs = ctx.informers.for<AnyObject>(JOBS);
      ctx.informers.index(jobs, CRONJOB_UID_INDEX, (job) => {
        const ref = getControllerOf(job);
        return ref?.kind === 'CronJob' ? [ref.uid] : [];
      });
      const queue = new WorkQueue<string>();
      cronJobs.addEventHandler({ onAdd: (cj) => queue.add(objectKey(cj)), onUpdate: (_old, cj) => queue.add(objectKey(cj)) });
      const owner = (job: AnyObject) => {
        const ref = getControllerOf(job);
        if (ref?.kind === 'CronJob') queue.add(`${job.metadata.namespace}/${ref.name}`);
      };
      jobs.addEventHandler({ onAdd: owner, onUpdate: (_old, job) => owner(job), onDelete: owner });
      return [{
        name: 'cronjob', queue, workers: workersFor(ctx, 'cronjob', 5),
        reconcile: cronJobReconciler({ client: ctx.client, cronJobs, jobs, recorder: ctx.recorder('cronjob-controller'), clock }),
      }];
    },
  };
}

export const cronJobController = cronJobControllerWith(Date.now);
