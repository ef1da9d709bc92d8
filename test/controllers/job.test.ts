import test from 'ava';
import { JOB_COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from '../../api/batch/well-known.js';
import { rfc3339 } from '../../api/time.js';
import type { AnyObject } from '../../client/resource.js';
import { JOBS, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, startCluster, type TestCluster, podNamespace } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';

let cluster: TestCluster;
let client: RestClient;
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['job', 'ttl-after-finished', 'garbagecollector'] } });
  client = adminClient(cluster);
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

const namespace = (name: string) => podNamespace(client, name);

const jobBody = (ns: string, name: string, spec: Record<string, unknown> = {}): AnyObject => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ns },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox:1.36' }] } }, ...spec },
});

const ownedPods = async (job: AnyObject) => (await client.list(PODS, { namespace: job.metadata.namespace })).items
  .filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === job.metadata.uid));
const running = async (job: AnyObject) => (await ownedPods(job)).filter((p) => !p.status?.phase || p.status.phase === 'Pending');

/** What a kubelet reports when the pod's one container exits. */
async function finish(pod: AnyObject, phase: 'Succeeded' | 'Failed'): Promise<void> {
  const at = rfc3339(Date.now());
  await client.updateStatus(PODS, {
    ...pod,
    status: {
      ...pod.status, phase,
      containerStatuses: [{ name: 'work', image: 'busybox:1.36', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, startedAt: at, finishedAt: at } } }],
    },
  });
}

const condition = (job: AnyObject, type: string) => job.status?.conditions?.find((c: AnyObject) => c.type === type && c.status === 'True');
const jobWith = (job: AnyObject, probe: (j: AnyObject) => unknown, timeoutMs?: number) =>
  eventually(`job ${job.metadata.name}`, async () => {
    const j = await client.get(JOBS, job.metadata.name!, { namespace: job.metadata.namespace });
    return probe(j) ? j : undefined;
  }, timeoutMs);

test('a Job retries a failed pod after the backoff and completes, counting each pod once through the tracking finalizer', async (t) => {
  const ns = await namespace('job-retry');
  const job = await client.create(JOBS, jobBody(ns, 'retry', { completions: 2, parallelism: 1 }));
  t.is(job.spec.backoffLimit, 6);
  t.is(job.spec.completionMode, 'NonIndexed');
  t.truthy(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']);
  const [first] = await eventually('first pod', async () => ((await running(job)).length === 1 ? running(job) : undefined));
  t.deepEqual(first.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
  t.is(first.metadata.labels?.['batch.kubernetes.io/job-name'], 'retry');
  await finish(first, 'Failed');
  const failedAt = Date.now();
  await jobWith(job, (j) => j.status?.failed === 1);
  const [second] = await eventually('replacement', async () => {
    const pods = await running(job);
    return pods.length === 1 && pods[0].metadata.uid !== first.metadata.uid ? pods : undefined;
  });
  // kube's pod failure backoff: 10 s after the first failure.
  t.true(Date.parse(second.metadata.creationTimestamp!) - failedAt >= 8_000, 'replacement waited for the backoff');
  await finish(second, 'Succeeded');
  const [third] = await eventually('next pod', async () => {
    const pods = await running(job);
    return pods.length === 1 && pods[0].metadata.uid !== second.metadata.uid ? pods : undefined;
  });
  await finish(third, 'Succeeded');
  const done = await jobWith(job, (j) => condition(j, 'Complete'));
  t.is(done.status.succeeded, 2);
  t.is(done.status.failed, 1);
  t.truthy(condition(done, 'SuccessCriteriaMet'));
  t.truthy(done.status.completionTime);
  t.falsy(done.status.uncountedTerminatedPods?.succeeded);
  for (const pod of await ownedPods(job)) t.falsy(pod.metadata.finalizers, 'finalizers come off once counted');
});

test('a Job past its backoffLimit fails with BackoffLimitExceeded', async (t) => {
  const ns = await namespace('job-fail');
  const job = await client.create(JOBS, jobBody(ns, 'fail', { backoffLimit: 0 }));
  const [pod] = await eventually('pod', async () => ((await running(job)).length === 1 ? running(job) : undefined));
  await finish(pod, 'Failed');
  const failed = await jobWith(job, (j) => condition(j, 'Failed'));
  t.is(condition(failed, 'Failed').reason, 'BackoffLimitExceeded');
  t.truthy(condition(failed, 'FailureTarget'));
  t.is(failed.status.failed, 1);
  t.falsy(failed.status.completionTime);
});

test('an Indexed Job runs one pod per index with its index, env and hostname', async (t) => {
  const ns = await namespace('job-indexed');
  const job = await client.create(JOBS, jobBody(ns, 'ix', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
  const pods = await eventually('three pods', async () => ((await running(job)).length === 3 ? running(job) : undefined));
  const indexes = pods.map((p) => p.metadata.annotations![JOB_COMPLETION_INDEX]).sort();
  t.deepEqual(indexes, ['0', '1', '2']);
  for (const pod of pods) {
    const ix = pod.metadata.annotations![JOB_COMPLETION_INDEX];
    t.is(pod.metadata.labels![JOB_COMPLETION_INDEX], ix);
    t.is(pod.spec.hostname, `ix-${ix}`);
    t.true(pod.metadata.name!.startsWith(`ix-${ix}-`));
    t.deepEqual(pod.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } }]);
  }
  const byIndex = (ix: string) => pods.find((p) => p.metadata.annotations![JOB_COMPLETION_INDEX] === ix)!;
  await finish(byIndex('0'), 'Succeeded');
  await finish(byIndex('2'), 'Succeeded');
  await jobWith(job, (j) => j.status?.completedIndexes === '0,2');
  await finish(byIndex('1'), 'Succeeded');
  const done = await jobWith(job, (j) => condition(j, 'Complete'));
  t.is(done.status.completedIndexes, '0-2');
  t.is(done.status.succeeded, 3);
});

test('suspending a Job deletes its pods without counting them; resuming starts it again', async (t) => {
  const ns = await namespace('job-suspend');
  const job = await client.create(JOBS, jobBody(ns, 'sus', { parallelism: 2, completions: 4 }));
  await eventually('two pods', async () => ((await running(job)).length === 2 ? true : undefined));
  await client.patch(JOBS, 'sus', 'merge', { spec: { suspend: true } }, { namespace: ns });
  const suspended = await jobWith(job, (j) => condition(j, 'Suspended') && j.status.active === 0);
  t.is(condition(suspended, 'Suspended').reason, 'JobSuspended');
  t.falsy(suspended.status.failed);
  await eventually('pods gone', async () => ((await ownedPods(job)).length === 0 ? true : undefined));
  await client.patch(JOBS, 'sus', 'merge', { spec: { suspend: false } }, { namespace: ns });
  const resumed = await jobWith(job, (j) => j.status?.active === 2);
  t.is(resumed.status.conditions.find((c: AnyObject) => c.type === 'Suspended').status, 'False');
});

test('activeDeadlineSeconds fails a running Job with DeadlineExceeded and removes its pods', async (t) => {
  const ns = await namespace('job-deadline');
  const job = await client.create(JOBS, jobBody(ns, 'late', { activeDeadlineSeconds: 2 }));
  await eventually('pod', async () => ((await running(job)).length === 1 ? true : undefined));
  const failed = await jobWith(job, (j) => condition(j, 'Failed'));
  t.is(condition(failed, 'Failed').reason, 'DeadlineExceeded');
  t.is(failed.status.active, 0);
  await eventually('pods gone', async () => ((await ownedPods(job)).length === 0 ? true : undefined));
});

test('ttlSecondsAfterFinished deletes the finished Job and, through the garbage collector, its pods', async (t) => {
  const ns = await namespace('job-ttl');
  const job = await client.create(JOBS, jobBody(ns, 'short', { ttlSecondsAfterFinished: 1 }));
  const [pod] = await eventually('pod', async () => ((await running(job)).length === 1 ? running(job) : undefined));
  await finish(pod, 'Succeeded');
  await jobWith(job, (j) => condition(j, 'Complete'));
  await eventually('job deleted', async () => ((await client.list(JOBS, { namespace: ns })).items.length === 0 ? true : undefined));
  await eventually('pods deleted', async () => ((await ownedPods(job)).length === 0 ? true : undefined));
  t.pass();
});
