import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'undici';
import { cpuSeconds, rssMb } from './process-stats.js';
import { adminPool, main, scrape, skiff, stopChild, waitUntil, watchLines, writeReport, type Component } from './local-cluster.js';
import { round, runConcurrently } from './stats.js';

const NODES = Number(process.env.BENCH_NODES ?? 1_000);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
/** Unmeasured binds (and pods scheduled) before each measured run: both sides are timed warm. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 1_000);
const IN_FLIGHT = 64;
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** A pod as a web Deployment's would look: requests, a port, labels. */
function pod(name: string, namespace: string, schedulerName: string): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'bench', tier: 'web' } },
    spec: {
      schedulerName,
      containers: [{ name: 'web', image: 'registry.local/web:1.4.2', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }],
    },
  };
}

/** When each pod of a namespace was first seen bound, from one watch (the same observer for both runs). */
function watchBindings(pool: Pool, namespace: string) {
  const boundAt = new Map<string, number>();
  const watch = watchLines(pool, `/api/v1/namespaces/${namespace}/pods?watch=1&allowWatchBookmarks=false`, (line) => {
    const m = /"name":"([^"]+)".*"nodeName":"/.exec(line);
    if (m && !boundAt.has(m[1])) boundAt.set(m[1], performance.now());
  });
  return { boundAt, stop: watch.stop };
}

async function createPods(call: ReturnType<typeof adminPool>['call'], namespace: string, count: number, schedulerName: string, offset = 0): Promise<void> {
  await runConcurrently(count, IN_FLIGHT, async (i) => {
    await call('POST', `/api/v1/namespaces/${namespace}/pods`, pod(`pod-${offset + i}`, namespace, schedulerName));
  });
}

/**
 * The scheduler on the cluster `skiff up` starts (TLS, RBAC, audit, secrets
 * encryption, leader election), with NODES simulated nodes in three zones.
 * The limit is the API server's own pods/binding throughput: pending pods
 * bound straight from here, 64 in flight, with no scheduling work. Then the
 * same number of pods is left to the scheduler. Both runs have the same
 * cluster around them: the simulated nodes report each bound pod Running,
 * and one watch observes the bindings.
 */
export async function run(): Promise<boolean> {
  const home = mkdtempSync(join(tmpdir(), 'skiff-bench-sched-'));
  const env = { ...process.env, SKIFF_HOME: join(home, '.skiff'), HOME: home };
  let simulator: ChildProcess | undefined;
  let scheduler: ChildProcess | undefined;
  let pool: Pool | undefined;
  try {
    process.stderr.write('starting a cluster with skiff up\n');
    await skiff(['up', '--detach'], env);
    const state = JSON.parse(readFileSync(join(home, '.skiff', 'state.json'), 'utf8')) as { components: Component[]; kubeconfig: string };
    const byName = Object.fromEntries(state.components.map((c) => [c.name, c]));
    const pki = join(home, '.skiff', 'pki');
    const admin = adminPool(byName.apiserver.endpoint, pki);
    pool = admin.pool;
    const { call } = admin;

    process.stderr.write(`registering ${NODES} simulated nodes in ${ZONES.join(', ')}\n`);
    simulator = spawn(process.execPath, [main, 'simulate-nodes', `--count=${NODES}`, `--zones=${ZONES.join(',')}`, `--kubeconfig=${state.kubeconfig}`, '--keep-nodes'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    await waitUntil('the simulated nodes', async () => (await call('GET', '/api/v1/nodes?labelSelector=node.skiff.dev%2Fsimulated%3Dtrue')).items.length >= NODES, 120_000);
    const nodeNames = Array.from({ length: NODES }, (_, i) => `sim-node-${i}`);

    // The limit: the API server binding pending pods that no scheduler looks at.
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'bench-limit' } });
    process.stderr.write(`limit: creating ${WARMUP + PODS} pending pods, then binding them straight, ${IN_FLIGHT} in flight\n`);
    await createPods(call, 'bench-limit', WARMUP + PODS, 'bench-none');
    const limitWatch = watchBindings(admin.pool, 'bench-limit');
    const bind = (i: number) => call('POST', `/api/v1/namespaces/bench-limit/pods/pod-${i}/binding`, {
      apiVersion: 'v1', kind: 'Binding', metadata: { name: `pod-${i}` }, target: { apiVersion: 'v1', kind: 'Node', name: nodeNames[i % NODES] },
    }).then(() => undefined);
    await runConcurrently(WARMUP, IN_FLIGHT, (i) => bind(i));
    // CPU of every process that works per pod, the bench's own client included, so both runs show where the cores went.
    const processes = { apiserver: byName.apiserver.pid, etcd: byName.etcd.pid, controllerManager: byName['controller-manager'].pid, simulator: simulator.pid! };
    const cpuNow = (pids: Record<string, number>) => {
      const own = process.cpuUsage();
      return { ...Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)])), bench: (own.user + own.system) / 1e6 };
    };
    const cpuSince = (before: Record<string, number>, pids: Record<string, number>) => {
      const after = cpuNow(pids);
      return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k]]));
    };
    const cpuBefore = cpuNow(processes);
    const limitRun = await runConcurrently(PODS, IN_FLIGHT, (i) => bind(WARMUP + i));
    const limitCpu = cpuSince(cpuBefore, processes);
    const limitPerSec = PODS / (limitRun.elapsedMs / 1000);
    await limitWatch.stop();

    // The scheduler: the one skiff up runs is stopped while the pods are made, then started again the same way.
    const sched = byName.scheduler;
    process.stderr.write(`scheduler: stopping it, creating ${WARMUP + PODS} pods, starting it again as skiff up does\n`);
    process.kill(sched.pid, 'SIGTERM');
    await waitUntil('the scheduler to stop', () => { try { process.kill(sched.pid, 0); return false; } catch { return true; } }, 30_000);
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'bench-sched' } });
    await createPods(call, 'bench-sched', WARMUP + PODS, 'default-scheduler');
    const watch = watchBindings(admin.pool, 'bench-sched');
    scheduler = spawn(sched.command[0], sched.command.slice(1), { env, stdio: ['ignore', 'ignore', 'ignore'] });
    const schedulerStarted = performance.now();
    await waitUntil('the warm-up pods to be scheduled', () => watch.boundAt.size >= WARMUP, 300_000);
    const firstBindMs = Math.min(...watch.boundAt.values()) - schedulerStarted;
    const warmEnd = performance.now();
    const withScheduler = { ...processes, scheduler: scheduler.pid! };
    const schedCpuBefore = cpuNow(withScheduler);
    await waitUntil('every pod to be scheduled', () => watch.boundAt.size >= WARMUP + PODS, 600_000);
    const schedCpu = cpuSince(schedCpuBefore, withScheduler);
    const bindTimes = [...watch.boundAt.values()].sort((a, b) => a - b);
    const measuredMs = bindTimes[bindTimes.length - 1] - Math.max(warmEnd, bindTimes[WARMUP - 1]);
    const schedPerSec = PODS / (measuredMs / 1000);
    await watch.stop();
    const schedulerRssMb = rssMb(scheduler.pid!);
    const metrics = await scrape(`${sched.endpoint}/metrics`);
    const attempts = (result: string) => Number(new RegExp(`^scheduler_schedule_attempts_total\\{[^}]*result="${result}"[^}]*\\} (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN);

    process.stderr.write(`deployment: ${REPLICAS} replicas until all are Running\n`);
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'bench-deploy' } });
    await call('POST', '/apis/apps/v1/namespaces/bench-deploy/deployments', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        replicas: REPLICAS, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.local/web:1.4.2', resources: { requests: { cpu: '50m', memory: '64Mi' } } }] } },
      },
    });
    const deployMs = await waitUntil('the Deployment to be available', async () => {
      const d = await call('GET', '/apis/apps/v1/namespaces/bench-deploy/deployments/web');
      return d.status?.availableReplicas === REPLICAS && d.status?.updatedReplicas === REPLICAS;
    }, 180_000);
    const running = (await call('GET', '/api/v1/namespaces/bench-deploy/pods?fieldSelector=status.phase%3DRunning')).items.length;

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      nodes: NODES,
      zones: ZONES.length,
      pods: PODS,
      bindingLimitPodsPerSec: round(limitPerSec),
      scheduledPodsPerSec: round(schedPerSec),
      ratioToBindingLimit: round(schedPerSec / limitPerSec, 3),
      schedulerFirstBindAfterStartMs: round(firstBindMs),
      schedulerAttemptsScheduled: attempts('scheduled'),
      schedulerAttemptsUnschedulable: attempts('unschedulable'),
      schedulerAttemptsError: attempts('error'),
      cpuMsPerPodLimit: Object.fromEntries(Object.entries(limitCpu).map(([k, v]) => [k, round((v / PODS) * 1000, 3)])),
      cpuMsPerPodScheduled: Object.fromEntries(Object.entries(schedCpu).map(([k, v]) => [k, round((v / PODS) * 1000, 3)])),
      schedulerRssMb: round(schedulerRssMb),
      podsInCluster: 2 * (WARMUP + PODS),
      deploymentReplicas: REPLICAS,
      deploymentRunningSeconds: round(deployMs / 1000, 2),
      deploymentPodsRunning: running,
    };
    const checks = {
      'at least 300 pods/s scheduled': results.scheduledPodsPerSec >= 300,
      'at least 70% of the binding limit': results.ratioToBindingLimit >= 0.7,
      [`a ${REPLICAS}-replica Deployment fully Running within 60 s`]: results.deploymentRunningSeconds <= 60 && running === REPLICAS,
    };
    return writeReport('scheduler', 'scheduler benchmark', `${NODES} simulated nodes in ${ZONES.length} zones on the cluster \`skiff up\` starts; the limit is pods/binding written straight to the same API server.`, results, checks);
  } finally {
    await pool?.close();
    if (scheduler) await stopChild(scheduler);
    if (simulator) await stopChild(simulator);
    await skiff(['down'], env).catch((err) => process.stderr.write(`${err.message}\n`));
    rmSync(home, { recursive: true, force: true });
  }
}
