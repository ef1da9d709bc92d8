import test from 'ava';
import { Registry } from 'prom-client';
import { CRONJOB_SCHEDULED_TIMESTAMP } from '../../api/batch/well-known.js';
import { parseCronSchedule } from '../../api/batch/cron-schedule.js';
import { rfc3339 } from '../../api/time.js';
import type { AnyObject } from '../../client/resource.js';
import { CRON_JOBS, EVENTS, JOBS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { CONTROLLER_MANAGER_DEFAULTS } from '../../controllers/controller.js';
import { cronJobControllerWith } from '../../controllers/cronjob/cronjob-controller.js';
import { runControllerSet } from '../../controllers/run-controllers.js';
import { adminClient, startCluster, type TestCluster, podNamespace } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';

let cluster: TestCluster;
let client: RestClient;
let fakeNow = Date.now();
const stop = new AbortController();
let running: Promise<unknown>;
test.before(async () => {
  cluster = await startCluster();
  client = adminClient(cluster);
  running = runControllerSet({
    name: 'cronjob-test', client, registry: new Registry(), descriptors: [cronJobControllerWith(() => fakeNow)],
    options: CONTROLLER_MANAGER_DEFAULTS, context: (base) => base,
  }, stop.signal);
});
test.after.always(async () => {
  stop.abort();
  await running;
  client?.close();
  await cluster?.stop();
});

const namespace = (name: string) => podNamespace(client, name);

const cronJobBody = (ns: string, name: string, spec: Record<string, unknown>): AnyObject => ({
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: ns },
  spec: { jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } }, ...spec },
});

let pokes = 0;
/** Moves the fake clock to `at` and wakes the controller (its own timers run on the real clock). */
async function advanceTo(cj: AnyObject, at: number): Promise<void> {
  fakeNow = at;
  await client.patch(CRON_JOBS, cj.metadata.name!, 'merge', { metadata: { annotations: { poke: String(++pokes) } } }, { namespace: cj.metadata.namespace });
}

const jobsOf = async (ns: string) => (await client.list(JOBS, { namespace: ns })).items.filter((j) => !j.metadata.deletionTimestamp);
const jobCount = (ns: string, n: number) => eventually(`${n} jobs in ${ns}`, async () => {
  const jobs = await jobsOf(ns);
  return jobs.length === n ? jobs : undefined;
});
/** The controller acts on its cache: a test waits until the CronJob's status shows the Job before moving time on. */
const activeIs = (ns: string, name: string, job: string) => eventually(`${name} active ${job}`, async () => {
  const c = await client.get(CRON_JOBS, name, { namespace: ns });
  return c.status?.active?.some((r: AnyObject) => r.name === job) || undefined;
});
const nextRun = (schedule: string, after: number, zone = 'UTC') => parseCronSchedule(schedule).next(after, zone)!;

async function finishJob(job: AnyObject, type: 'Complete' | 'Failed'): Promise<void> {
  const at = rfc3339(Date.now());
  await client.updateStatus(JOBS, {
    ...job,
    status: {
      startTime: at, ...(type === 'Complete' ? { completionTime: at, succeeded: 1 } : { failed: 1 }),
      conditions: [{ type: type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget', status: 'True', reason: 'x', message: 'x' }, { type, status: 'True', reason: 'x', message: 'x', lastTransitionTime: at }],
    },
  });
}

test.serial('a CronJob makes its Job at the scheduled time, named after it, and Forbid skips a run while one is active', async (t) => {
  const ns = await namespace('cj-forbid');
  const cj = await client.create(CRON_JOBS, cronJobBody(ns, 'tick', { schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid' }));
  t.deepEqual([cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit, cj.spec.suspend], [3, 1, false]);
  const created = Date.parse(cj.metadata.creationTimestamp!);
  await advanceTo(cj, nextRun('*/5 * * * *', created) - 1000);
  t.is((await jobsOf(ns)).length, 0, 'nothing before the scheduled time');
  const first = nextRun('*/5 * * * *', created);
  await advanceTo(cj, first + 1000);
  const [job] = await jobCount(ns, 1);
  t.is(job.metadata.name, `tick-${first / 60_000}`);
  t.is(job.metadata.annotations![CRONJOB_SCHEDULED_TIMESTAMP], rfc3339(first));
  t.is(job.metadata.ownerReferences![0].kind, 'CronJob');
  const status = await eventually('status', async () => {
    const c = await client.get(CRON_JOBS, 'tick', { namespace: ns });
    return c.status?.active?.length === 1 ? c.status : undefined;
  });
  t.is(status.lastScheduleTime, rfc3339(first));
  await advanceTo(cj, first + 5 * 60_000 + 1000);
  await eventually('JobAlreadyActive', async () => (await client.list(EVENTS, { namespace: ns })).items.some((e) => e.reason === 'JobAlreadyActive') || undefined);
  t.is((await jobsOf(ns)).length, 1);
  await finishJob(job, 'Complete');
  // The skipped run is still due (no startingDeadlineSeconds), so it starts once the active one finished.
  const after = await eventually('success recorded', async () => {
    const c = await client.get(CRON_JOBS, 'tick', { namespace: ns });
    return c.status?.lastSuccessfulTime && c.status.active?.length === 1 ? c.status : undefined;
  });
  t.is(after.active[0].name, `tick-${first / 60_000 + 5}`);
  await jobCount(ns, 2);
});

test.serial('Replace deletes the running Job for the new one; history limits trim finished Jobs', async (t) => {
  const ns = await namespace('cj-replace');
  const cj = await client.create(CRON_JOBS, cronJobBody(ns, 'swap', { schedule: '* * * * *', concurrencyPolicy: 'Replace', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }));
  const base = nextRun('* * * * *', Date.parse(cj.metadata.creationTimestamp!));
  await advanceTo(cj, base + 1000);
  const [first] = await jobCount(ns, 1);
  await activeIs(ns, 'swap', first.metadata.name!);
  await advanceTo(cj, base + 61_000);
  const [second] = await eventually('replaced', async () => {
    const jobs = await jobsOf(ns);
    return jobs.length === 1 && jobs[0].metadata.name !== first.metadata.name ? jobs : undefined;
  });
  t.is(second.metadata.name, `swap-${base / 60_000 + 1}`);
  await activeIs(ns, 'swap', second.metadata.name!);
  await finishJob(second, 'Complete');
  await advanceTo(cj, base + 121_000);
  const [third] = await eventually('third', async () => {
    const jobs = await jobsOf(ns);
    return jobs.some((j) => j.metadata.name === `swap-${base / 60_000 + 2}`) ? jobs.filter((j) => j.metadata.name === `swap-${base / 60_000 + 2}`) : undefined;
  });
  await activeIs(ns, 'swap', third.metadata.name!);
  await finishJob(third, 'Failed');
  await advanceTo(cj, base + 181_000);
  // One successful kept (the newest), no failed one, and the new run.
  const left = await eventually('trimmed', async () => {
    const names = (await jobsOf(ns)).map((j) => j.metadata.name).sort();
    return names.length === 2 && !names.includes(third.metadata.name) ? names : undefined;
  });
  t.deepEqual(left, [second.metadata.name, `swap-${base / 60_000 + 3}`].sort());
});

test.serial('a CronJob reads its schedule in its time zone and stamps the Job in it', async (t) => {
  const ns = await namespace('cj-zone');
  const cj = await client.create(CRON_JOBS, cronJobBody(ns, 'morning', { schedule: '0 9 * * *', timeZone: 'Asia/Kolkata' }));
  const at = nextRun('0 9 * * *', Date.parse(cj.metadata.creationTimestamp!), 'Asia/Kolkata');
  t.is(new Date(at).getUTCHours() * 60 + new Date(at).getUTCMinutes(), 3 * 60 + 30, '09:00 in Kolkata is 03:30 UTC');
  await advanceTo(cj, at + 1000);
  const [job] = await jobCount(ns, 1);
  t.is(job.metadata.name, `morning-${at / 60_000}`);
  t.regex(job.metadata.annotations![CRONJOB_SCHEDULED_TIMESTAMP], /T09:00:00\+05:30$/);
  await t.throwsAsync(client.create(CRON_JOBS, cronJobBody(ns, 'bad', { schedule: '0 9 * * *', timeZone: 'Mars/Olympus' })), { message: /spec.timeZone: Invalid value/ });
});

test.serial('a CronJob more than 100 start times behind warns and runs only the latest', async (t) => {
  const ns = await namespace('cj-missed');
  const cj = await client.create(CRON_JOBS, cronJobBody(ns, 'behind', { schedule: '* * * * *' }));
  const created = Date.parse(cj.metadata.creationTimestamp!);
  await advanceTo(cj, created + 200 * 60_000);
  const [job] = await jobCount(ns, 1);
  t.is(job.metadata.name, `behind-${Math.floor((created + 200 * 60_000) / 60_000)}`);
  await eventually('TooManyMissedTimes', async () => (await client.list(EVENTS, { namespace: ns })).items.some((e) => e.reason === 'TooManyMissedTimes') || undefined);
});
