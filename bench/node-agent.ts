import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'undici';
import { quantityValue } from '../api/validation/quantity.js';
import { isAlive, type ClusterState, type ComponentState as Component } from '../cli/local-cluster.js';
import type { AnyObject } from '../client/resource.js';
import { BUSYBOX_IMAGE } from '../infra/local/local-images.js';
import { RuntimeClient } from '../node-agent/cri/runtime-client.js';
import { containerEnv } from '../node-agent/pods/container-env.js';
import { containerConfig, LABEL_NODE_NAME, sandboxConfig, type SandboxSettings } from '../node-agent/pods/cri-config.js';
import { podDNSConfig } from '../node-agent/pods/pod-dns.js';
import { cpuSeconds, rssMb } from './process-stats.js';
import { adminPool, skiff, stopChild, waitUntil, watchLines, writeReport } from './local-cluster.js';
import { percentile, round, runConcurrently } from './stats.js';

const PODS = Number(process.env.BENCH_PODS ?? 50);
const MEMORY_PODS = Number(process.env.BENCH_MEMORY_PODS ?? 100);
/**
 * The agent's pods and the raw sequence alternate in this many rounds of
 * PODS each, so a shared machine that speeds up or slows down during the
 * run weighs on both sides alike; the percentiles are over every round.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** Pods started unmeasured on each side first: containerd's first sandboxes, and the agent's first syncs, are slower. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
/**
 * How long the 100 pods run before the agent's memory is read: its heap
 * keeps growing for about a minute once every pod is relisted each second.
 */
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 60);
const IN_FLIGHT = 64;
/** The raw sequence's second pace: this many pods in flight at once. */
const PACED = 10;
const NAMESPACE = 'bench-agent';
/** The raw sandboxes carry another node's name, so the agent's housekeeping leaves them alone. */
const RAW_NODE = 'bench-raw';

type Call = ReturnType<typeof adminPool>['call'];

/** A pod as a user writes one for this node: busybox sleeping, small requests, no grace period (the deletes between rounds are quick). */
function pod(name: string, nodeName: string): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { app: 'bench-agent' } },
    spec: {
      nodeName, terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  };
}

const runningAndReady = (p: Record<string, any>) => p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c: Record<string, any>) => c.type === 'Ready' && c.status === 'True');

/** When each pod of the namespace was first seen Running and Ready, from one watch; answers once the watch is established. */
async function watchReady(pool: Pool) {
  const readyAt = new Map<string, number>();
  const watch = watchLines(pool, `/api/v1/namespaces/${NAMESPACE}/pods?watch=1`, (line) => {
    const { object } = JSON.parse(line);
    if (object?.metadata?.name && !readyAt.has(object.metadata.name) && runningAndReady(object)) readyAt.set(object.metadata.name, Date.now());
  });
  await watch.established;
  return { readyAt, stop: watch.stop };
}

/** The API server's requests so far by verb, resource and subresource (every client's), from its /metrics. */
async function apiRequests(pool: Pool): Promise<Record<string, number>> {
  const text = await (await pool.request({ path: '/metrics', method: 'GET' })).body.text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^apiserver_request_total\{([^}]*)\} (\S+)$/gm)) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(m[1])?.[1] ?? '';
    const key = `${label('verb')} ${label('resource')}${label('subresource') ? `/${label('subresource')}` : ''}`;
    out[key] = (out[key] ?? 0) + Number(m[2]);
  }
  return out;
}

/** What a round measured: each pod's start (its create, or its first CRI call) and end (seen Ready, or StartContainer answered), wall-clock ms. */
interface Round { startAt: Map<string, number>; endAt: Map<string, number> }

const latenciesOf = (r: Round) => [...r.startAt].map(([name, t]) => r.endAt.get(name)! - t);

/** Creates `count` pods bound to the node at once and waits until a watch sees each Running and Ready. */
async function agentRound(call: Call, pool: Pool, nodeName: string, prefix: string, count: number): Promise<Round> {
  const watch = await watchReady(pool);
  try {
    const startAt = new Map<string, number>();
    await runConcurrently(count, IN_FLIGHT, async (i) => {
      startAt.set(`${prefix}-${i}`, Date.now());
      await call('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, pod(`${prefix}-${i}`, nodeName));
    });
    await waitUntil(`${count} pods Running and Ready`, () => [...startAt.keys()].every((name) => watch.readyAt.has(name)), 300_000);
    return { startAt, endAt: watch.readyAt };
  } finally {
    await watch.stop();
  }
}

/**
 * Where a round's time went, per pod, from containerd's own clock: until
 * the sandbox was made (for the agent: the create, the watch to the agent,
 * its queue and the calls before RunPodSandbox), the sandbox until the
 * container was made, the container until it started, and from its start
 * to the end of the round's clock (for the agent: its status patch and the
 * watch that sees it).
 */
async function stagesOf(runtime: RuntimeClient, nodeLabel: string, round: Round): Promise<Record<string, number[]>> {
  const ms = (ns: string) => Number(BigInt(ns) / 1_000_000n);
  const sandboxes: Record<string, any>[] = (await runtime.runtimeCall('ListPodSandbox', { filter: { labelSelector: { [LABEL_NODE_NAME]: nodeLabel } } })).items ?? [];
  const stages: Record<string, number[]> = { toSandbox: [], sandboxToContainer: [], containerToStarted: [], startedToEnd: [] };
  for (const sandbox of sandboxes) {
    const name = sandbox.metadata.name;
    if (!round.startAt.has(name)) continue;
    const { containers } = await runtime.runtimeCall('ListContainers', { filter: { podSandboxId: sandbox.id } });
    const { status } = await runtime.runtimeCall('ContainerStatus', { containerId: containers[0].id });
    stages.toSandbox.push(ms(sandbox.createdAt) - round.startAt.get(name)!);
    stages.sandboxToContainer.push(ms(status.createdAt) - ms(sandbox.createdAt));
    stages.containerToStarted.push(ms(status.startedAt) - ms(status.createdAt));
    stages.startedToEnd.push(round.endAt.get(name)! - ms(status.startedAt));
  }
  return stages;
}

/** Deletes the namespace's pods and waits until the agent has removed them and their sandboxes. */
async function deleteAgentPods(call: Call, runtime: RuntimeClient, nodeName: string): Promise<void> {
  const pods = (await call('GET', `/api/v1/namespaces/${NAMESPACE}/pods`)).items as Record<string, any>[];
  await runConcurrently(pods.length, IN_FLIGHT, async (i) => {
    await call('DELETE', `/api/v1/namespaces/${NAMESPACE}/pods/${pods[i].metadata.name}`).catch(() => undefined);
  });
  await waitUntil('the pods to be deleted', async () => (await call('GET', `/api/v1/namespaces/${NAMESPACE}/pods`)).items.length === 0, 300_000);
  await waitUntil('their sandboxes to be removed', async () => ((await runtime.runtimeCall('ListPodSandbox', { filter: { labelSelector: { [LABEL_NODE_NAME]: nodeName } } })).items ?? []).length === 0, 120_000);
}

interface RawPlan { name: string; sandbox: Record<string, unknown>; container: Record<string, unknown> }

/**
 * The limit: RunPodSandbox, CreateContainer and StartContainer straight to
 * the worker's containerd with the configs the agent builds (cri-config.ts,
 * the environment from the same Services), built before the clock starts.
 * Every pod is there at the start, as the agent's are bound at once;
 * `inFlight` of them go through the sequence at a time (all of them: each
 * is timed from its first call), each timed to StartContainer's answer
 * (the container runs). remove() takes the sandboxes away afterwards.
 */
async function rawRound(runtime: RuntimeClient, plans: RawPlan[], inFlight: number): Promise<Round & { callMs: Record<string, number[]>; remove(): Promise<void> }> {
  const callMs: Record<string, number[]> = { RunPodSandbox: [], CreateContainer: [], StartContainer: [] };
  const timed = async <T>(method: string, request: object): Promise<T> => {
    const t = performance.now();
    const out = await runtime.runtimeCall<T>(method, request);
    callMs[method].push(performance.now() - t);
    return out;
  };
  const sandboxes: string[] = [];
  const startAt = new Map<string, number>();
  const endAt = new Map<string, number>();
  const started = Date.now();
  await runConcurrently(plans.length, inFlight, async (i) => {
    const plan = plans[i];
    startAt.set(plan.name, started);
    const { podSandboxId } = await timed<{ podSandboxId: string }>('RunPodSandbox', { config: plan.sandbox });
    sandboxes.push(podSandboxId);
    const { containerId } = await timed<{ containerId: string }>('CreateContainer', { podSandboxId, sandboxConfig: plan.sandbox, config: plan.container });
    await timed('StartContainer', { containerId });
    endAt.set(plan.name, Date.now());
  });
  const remove = async () => {
    await Promise.all(sandboxes.map(async (id) => {
      await runtime.runtimeCall('StopPodSandbox', { podSandboxId: id });
      await runtime.runtimeCall('RemovePodSandbox', { podSandboxId: id });
    }));
  };
  return { startAt, endAt, callMs, remove };
}

/** The raw pods: copies of a pod the agent ran (with the API server's defaults), each with its own name and uid. */
async function rawPlans(call: Call, template: AnyObject, settings: SandboxSettings, memoryCapacityBytes: number, prefix: string, count: number, hostIP: string): Promise<RawPlan[]> {
  const sources = {
    services: async (namespace: string) => (await call('GET', `/api/v1/namespaces/${namespace}/services`)).items,
    configMap: async () => undefined,
    secret: async () => undefined,
  };
  const spec = template.spec.containers[0];
  // Every copy's environment is the template's: nothing in it depends on the pod's name or IP.
  const env = await containerEnv(template, spec, sources, { podIP: '', hostIP, allocatable: {} });
  // The resolver the agent skiff up starts gives the template: its cluster domain, no cluster DNS, the host's resolv.conf.
  const { dnsConfig } = podDNSConfig(template, { clusterDNS: [], clusterDomain: settings.clusterDomain, hostResolvConf: () => readFileSync('/etc/resolv.conf', 'utf8'), nodeIP: hostIP });
  return Array.from({ length: count }, (_, i) => {
    const p = { ...template, metadata: { ...template.metadata, name: `${prefix}-${i}`, uid: randomUUID() } };
    return { name: p.metadata.name, sandbox: sandboxConfig(p, settings, 0, dnsConfig), container: containerConfig(p, spec, 0, env, [], memoryCapacityBytes) };
  });
}

const summary = (values: number[]) => ({ p50: round(percentile(values, 50)), p99: round(percentile(values, 99)), max: round(Math.max(...values)) });
const mean = (values: number[]) => round(values.reduce((a, b) => a + b, 0) / values.length);

/** One side's measures over the rounds. */
interface Side { latencies: number[]; p99ByRound: number[]; cpu: Record<string, number>; stages: Record<string, number[]>; calls: Record<string, number[]> }

const newSide = (): Side => ({ latencies: [], p99ByRound: [], cpu: {}, stages: {}, calls: {} });

function addRound(side: Side, r: Round, stages: Record<string, number[]>, calls: Record<string, number[]> = {}): void {
  const latencies = latenciesOf(r);
  side.latencies.push(...latencies);
  side.p99ByRound.push(round(percentile(latencies, 99)));
  for (const [into, from] of [[side.stages, stages], [side.calls, calls]]) {
    for (const [k, v] of Object.entries(from)) (into[k] ??= []).push(...v);
  }
}

/**
 * BENCH_AGENT_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`): the
 * worker's agent is stopped and started again the way `skiff up` started it,
 * with these Node options, to profile it. Stop it with SIGTERM: the profile
 * is written as it exits.
 */
async function restartAgent(agent: Component, oldPid: number, nodeArgs: string[], log: string): Promise<ChildProcess> {
  process.kill(oldPid, 'SIGTERM');
  await waitUntil('the agent to stop', () => !isAlive(oldPid), 30_000);
  const registered = () => readFileSync(log, 'utf8').split('"msg":"node registered"').length;
  const before = registered();
  const node = agent.command.indexOf(process.execPath);
  const command = [...agent.command.slice(0, node + 1), ...nodeArgs, ...agent.command.slice(node + 1)];
  const fd = openSync(log, 'a');
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  await waitUntil('the agent to register again', () => registered() > before, 60_000);
  return child;
}

/**
 * The node agent as `skiff up` runs it (TLS, RBAC, audit; the agent a
 * `skiff node-agent` process in its worker's network namespace with its own
 * containerd), on one worker: PODS pods bound to the node at once, from the
 * create to Running and Ready, against the raw CRI sequence for the same
 * pods on the same containerd (all at once, and as many at a time as the
 * agent's pod workers), in alternating rounds; then MEMORY_PODS pods and the
 * agent's resident memory.
 */
export async function run(): Promise<boolean> {
  const home = mkdtempSync(join(tmpdir(), 'skiff-bench-agent-'));
  const { AWS_ENDPOINT_URL: _ignored, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, SKIFF_HOME: join(home, '.skiff'), HOME: home };
  // A range of its own: the host routes a local VPC's range to it, so another cluster on this machine (the default 10.0.0.0/16, tests' 10.100-189) keeps its own.
  const vpcCidr = `10.${190 + Math.floor(Math.random() * 60)}.0.0/16`;
  const nodeArgs = (process.env.BENCH_AGENT_NODE_ARGS ?? '').split(' ').filter(Boolean);
  let pool: Pool | undefined;
  let runtime: RuntimeClient | undefined;
  let profiled: ChildProcess | undefined;
  try {
    process.stderr.write(`starting a cluster with skiff up --workers=1 --vpc-cidr=${vpcCidr}\n`);
    await skiff(['up', '--detach', '--workers=1', `--vpc-cidr=${vpcCidr}`], env);
    const state = JSON.parse(readFileSync(join(home, '.skiff', 'state.json'), 'utf8')) as ClusterState;
    const byName = Object.fromEntries(state.components.map((c) => [c.name, c]));
    const worker = state.workers![0];
    const nodeName = worker.instance.privateDnsName;
    let agentPid = worker.agentPid;
    if (nodeArgs.length) {
      process.stderr.write(`starting the agent again with ${nodeArgs.join(' ')}\n`);
      profiled = await restartAgent(byName['node-agent-0'], agentPid, nodeArgs, byName['node-agent-0'].log);
      agentPid = profiled.pid!;
    }
    const admin = adminPool(byName.apiserver.endpoint, join(home, '.skiff', 'pki'));
    pool = admin.pool;
    const { call } = admin;
    runtime = new RuntimeClient(byName['containerd-0'].endpoint, 60_000);
    const node = await call('GET', `/api/v1/nodes/${nodeName}`);
    const memoryCapacityBytes = quantityValue(node.status.capacity.memory);
    const { runtimeName, runtimeVersion } = await runtime.runtimeCall('Version', {});
    const settings: SandboxSettings = { rootDir: join(worker.dir, 'agent'), cgroupParent: `/skiff/${nodeName}`, nodeName: RAW_NODE, clusterDomain: 'cluster.local' };
    await call('POST', '/api/v1/namespaces', { metadata: { name: NAMESPACE } });
    const idleRssMb = rssMb(agentPid);
    const loadBefore = loadavg()[0];
    const plansOf = (prefix: string, count: number, template: AnyObject) => rawPlans(call, template, settings, memoryCapacityBytes, prefix, count, worker.instance.privateIp);

    process.stderr.write(`warm-up: ${WARMUP} pods through the agent, ${WARMUP} raw\n`);
    await agentRound(call, pool, nodeName, 'warm', WARMUP);
    const template = await call('GET', `/api/v1/namespaces/${NAMESPACE}/pods/warm-0`);
    await deleteAgentPods(call, runtime, nodeName);
    await (await rawRound(runtime, await plansOf('raw-warm', WARMUP, template), WARMUP)).remove();

    const processes = { agent: agentPid, containerd: worker.containerdPid, apiserver: byName.apiserver.pid, etcd: byName.etcd.pid };
    const cpuNow = () => Object.fromEntries(Object.entries(processes).map(([k, pid]) => [k, cpuSeconds(pid)]));
    const cpuAdd = (into: Record<string, number>, before: Record<string, number>) => {
      const after = cpuNow();
      for (const k of Object.keys(after)) into[k] = (into[k] ?? 0) + after[k] - before[k];
    };
    const agent = newSide();
    const raw = newSide();
    const rawPaced = newSide();
    const agentRequests: Record<string, number> = {};
    for (let r = 0; r < ROUNDS; r++) {
      process.stderr.write(`round ${r + 1}/${ROUNDS}: ${PODS} pods through the agent\n`);
      let cpu = cpuNow();
      const requestsBefore = await apiRequests(pool);
      const measured = await agentRound(call, pool, nodeName, `agent-${r}`, PODS);
      cpuAdd(agent.cpu, cpu);
      for (const [k, v] of Object.entries(await apiRequests(pool))) if (v > (requestsBefore[k] ?? 0)) agentRequests[k] = (agentRequests[k] ?? 0) + v - (requestsBefore[k] ?? 0);
      addRound(agent, measured, await stagesOf(runtime, nodeName, measured));
      await deleteAgentPods(call, runtime, nodeName);

      for (const [side, inFlight, name] of [[raw, PODS, 'raw'], [rawPaced, PACED, 'raw-paced']] as const) {
        process.stderr.write(`round ${r + 1}/${ROUNDS}: ${PODS} pods raw through CRI, ${inFlight} at a time\n`);
        const plans = await plansOf(`${name}-${r}`, PODS, template);
        cpu = cpuNow();
        const sequence = await rawRound(runtime, plans, inFlight);
        cpuAdd(side.cpu, cpu);
        addRound(side, sequence, await stagesOf(runtime, RAW_NODE, sequence), sequence.callMs);
        await sequence.remove();
      }
    }

    process.stderr.write(`memory: ${MEMORY_PODS} pods through the agent, then ${SETTLE_SECONDS} s running\n`);
    const memory = await agentRound(call, pool, nodeName, 'mem', MEMORY_PODS);
    const steadyCpuBefore = cpuNow();
    const steadyRequestsBefore = await apiRequests(pool);
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(rssMb(agentPid)), 1_000);
    await new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));
    clearInterval(sampler);
    const steadyCpu: Record<string, number> = {};
    cpuAdd(steadyCpu, steadyCpuBefore);
    const steadyRequests = Object.fromEntries(Object.entries(await apiRequests(pool)).map(([k, v]) => [k, v - (steadyRequestsBefore[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
    const status = readFileSync(`/proc/${agentPid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    const vmRssMb = kb('VmRSS') / 1024;
    const vmHwmMb = kb('VmHWM') / 1024;
    const running = (await call('GET', `/api/v1/namespaces/${NAMESPACE}/pods`)).items.filter(runningAndReady).length;
    process.stderr.write(`cleaning up: ${MEMORY_PODS} pods deleted through the agent\n`);
    await deleteAgentPods(call, runtime, nodeName);

    const perPod = (cpu: Record<string, number>) => Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round((v / (PODS * ROUNDS)) * 1000, 1)]));
    const summaries = (values: Record<string, number[]>, of: (v: number[]) => unknown) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, of(v)]));
    const p99 = { agent: percentile(agent.latencies, 99), raw: percentile(raw.latencies, 99), rawPaced: percentile(rawPaced.latencies, 99) };
    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, runtime: `${runtimeName} ${runtimeVersion}`, loadAverage1mBeforeAfter: [round(loadBefore, 2), round(loadavg()[0], 2)] },
      pods: PODS,
      rounds: ROUNDS,
      agentReadyMs: summary(agent.latencies),
      rawRunningMs: summary(raw.latencies),
      agentP99ToRawP99: round(p99.agent / p99.raw, 2),
      [`rawRunningMs${PACED}AtATime`]: summary(rawPaced.latencies),
      [`agentP99ToRaw${PACED}AtATimeP99`]: round(p99.agent / p99.rawPaced, 2),
      agentP99ByRound: agent.p99ByRound,
      rawP99ByRound: raw.p99ByRound,
      [`raw${PACED}AtATimeP99ByRound`]: rawPaced.p99ByRound,
      agentStagesMs: summaries(agent.stages, summary),
      rawStagesMs: summaries(raw.stages, summary),
      [`raw${PACED}AtATimeStagesMs`]: summaries(rawPaced.stages, summary),
      rawCallMeanMs: summaries(raw.calls, mean),
      [`raw${PACED}AtATimeCallMeanMs`]: summaries(rawPaced.calls, mean),
      cpuMsPerPodAgent: perPod(agent.cpu),
      cpuMsPerPodRaw: perPod(raw.cpu),
      [`cpuMsPerPodRaw${PACED}AtATime`]: perPod(rawPaced.cpu),
      apiRequestsPerPodAgentRounds: Object.fromEntries(Object.entries(agentRequests).map(([k, v]) => [k, round(v / (PODS * ROUNDS), 2)])),
      memoryPods: MEMORY_PODS,
      memoryPodsReadyMs: summary(latenciesOf(memory)),
      memoryPodsRunningAndReady: running,
      agentIdleRssMb: round(idleRssMb),
      agentVmRssMb: round(vmRssMb),
      agentVmRssMaxWhileRunningMb: round(Math.max(...rssSamples)),
      agentVmHwmMb: round(vmHwmMb),
      steadySeconds: SETTLE_SECONDS,
      steadyCpuPercent: Object.fromEntries(Object.entries(steadyCpu).map(([k, v]) => [k, round((v / SETTLE_SECONDS) * 100)])),
      steadyApiRequests: steadyRequests,
    };
    const checks = {
      'agent p99 at most 1.5 times the raw CRI p99 (all at once)': p99.agent / p99.raw <= 1.5,
      [`agent p99 at most 1.5 times the raw CRI p99 (${PACED} at a time)`]: p99.agent / p99.rawPaced <= 1.5,
      [`${MEMORY_PODS} pods Running and Ready`]: running === MEMORY_PODS,
      [`agent resident memory under 150 MB with ${MEMORY_PODS} pods (VmRSS and VmHWM)`]: vmRssMb < 150 && vmHwmMb < 150,
    };
    return writeReport('node-agent', 'node agent benchmark', [
      `One worker of the cluster \`skiff up --workers=1\` starts (TLS, RBAC, audit, secrets encryption; the agent a \`skiff node-agent\` process in the worker's network namespace with its own containerd, runc and CNI's bridge), pods of the local busybox image (\`sleep 3600\`, requests 10m/16Mi).`,
      `Agent: ${PODS} pods created at once with spec.nodeName (${IN_FLIGHT} requests in flight), each timed from its create request to a watch seeing it Running with Ready=True.`,
      `Raw: RunPodSandbox, CreateContainer and StartContainer straight to the same containerd (node-agent/cri/runtime-client.ts) for ${PODS} pods with the sandbox and container configs the agent builds (node-agent/pods/cri-config.ts), every pod timed from the round's first call to StartContainer's answer: all ${PODS} at once, then ${PACED} at a time (paced, as a node agent with ten pod workers would call).`,
      `The agent and the raw sequences alternate in ${ROUNDS} rounds after ${WARMUP} unmeasured pods each; percentiles are nearest-rank over all rounds. Stages come from containerd's own times (sandbox created, container created, container started).`,
      `Memory is the agent process's VmRSS and VmHWM (/proc) after ${MEMORY_PODS} pods have run ${SETTLE_SECONDS} s, and the most VmRSS sampled each second meanwhile; CPU is from /proc (containerd's shims and runc not counted); API requests are the API server's apiserver_request_total, every client's (the bench's own create per pod, and the other components', included).`,
    ].join(' '), results, checks);
  } finally {
    runtime?.close();
    await pool?.close();
    if (profiled) await stopChild(profiled);
    // skiff down takes the worker apart as stopLocalWorker does: the agent, every sandbox, containerd, its shims and mounts, the namespaces.
    await skiff(['down'], env).catch((err) => process.stderr.write(`${err.message}\n`));
    rmSync(home, { recursive: true, force: true });
  }
}
