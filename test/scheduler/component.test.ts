import test from 'ava';
import { spawn } from 'node:child_process';
import { get } from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEASES, PODS } from '../../client/resources.js';
import type { ComponentSettings } from '../../component-base/component.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';
import { podObject } from './fixtures.js';
import { boundNode, createNode, createPod } from './scheduler-cluster.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';

let cluster: TestCluster;
test.before(async () => {
  cluster = await startCluster();
  await createNode(adminClient(cluster), 'only', { cpu: '4', memory: '8Gi' });
});
test.after.always(async () => { await cluster?.stop(); });

/** GET over the component's self-signed HTTPS endpoint. */
function fetchText(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
}

async function settings(): Promise<ComponentSettings> {
  return {
    qps: 1000, burst: 2000,
    leaderElection: { namespace: 'kube-system', name: 'kube-scheduler', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 },
    serving: { bindAddress: '127.0.0.1', securePort: await freePort() },
  };
}

const scheduledCount = async (s: RunningScheduler): Promise<number> => {
  const { text } = await fetchText(`${s.serving!.url}/metrics`);
  const m = /^scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
};

test.serial('two schedulers under leader election: only the leader binds, the other takes over when it stops; both serve health and metrics', async (t) => {
  const admin = adminClient(cluster);
  const first = await startScheduler(cluster, await settings());
  const holderOf = async () => (await admin.get(LEASES, 'kube-scheduler', { namespace: 'kube-system' })).spec?.holderIdentity;
  const firstHolder = await eventually('the first scheduler to lead', holderOf);
  const second = await startScheduler(cluster, await settings());

  for (const s of [first, second]) {
    t.is((await fetchText(`${s.serving!.url}/healthz`)).status, 200);
  }
  await eventually('the leader to be ready', async () => (await fetchText(`${first.serving!.url}/readyz`)).status === 200);
  await createPod(admin, podObject('under-first', { cpu: '100m' }));
  t.is(await boundNode(admin, 'under-first'), 'only');
  const metrics = (await fetchText(`${first.serving!.url}/metrics`)).text;
  for (const name of [
    'scheduler_pending_pods', 'scheduler_schedule_attempts_total', 'scheduler_scheduling_attempt_duration_seconds_bucket',
    'scheduler_pod_scheduling_sli_duration_seconds_bucket', 'scheduler_pod_scheduling_attempts_bucket', 'scheduler_queue_incoming_pods_total',
  ]) t.regex(metrics, new RegExp(`^${name}\\{`, 'm'), name);
  t.regex(metrics, /^scheduler_pending_pods\{queue="gated"\} 0$/m);
  t.regex(metrics, /^scheduler_queue_incoming_pods_total\{queue="active",event="PodAdd"\} 1$/m);
  t.regex(metrics, /^scheduler_pod_scheduling_sli_duration_seconds_count\{attempts="1"\} 1$/m);
  t.is(await scheduledCount(first), 1);
  t.is(await scheduledCount(second), 0, 'the standby does not schedule');

  t.is(await first.stop(), 'stopped');
  await eventually('the standby to take the Lease', async () => {
    const holder = await holderOf();
    return holder && holder !== firstHolder;
  }, 10_000);
  await createPod(admin, podObject('under-second', { cpu: '100m' }));
  t.is(await boundNode(admin, 'under-second'), 'only');
  t.is(await scheduledCount(second), 1);
  t.is(await second.stop(), 'stopped');
  await admin.delete(PODS, 'under-first', { namespace: 'default', gracePeriodSeconds: 0 });
  await admin.delete(PODS, 'under-second', { namespace: 'default', gracePeriodSeconds: 0 });
});

test.serial('`skiff scheduler` runs with a kubeconfig, schedules, and stops cleanly on SIGTERM', async (t) => {
  const main = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'main.js');
  const child = spawn(process.execPath, [main, 'scheduler', `--kubeconfig=${cluster.kubeconfig}`, '--secure-port=0', '--leader-elect-lease-duration=3s', '--leader-elect-renew-deadline=2s', '--leader-elect-retry-period=500ms'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const admin = adminClient(cluster);
    await createPod(admin, podObject('from-cli', { cpu: '100m' }));
    t.is(await boundNode(admin, 'from-cli'), 'only');
  } finally {
    child.kill('SIGTERM');
  }
  t.is(await exited, 0, stderr);
  t.regex(stderr, /"msg":"scheduler started"/);
});
