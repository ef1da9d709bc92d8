import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { Pool, type Dispatcher } from 'undici';
import { startEtcd } from '../test/helpers/etcd.js';
import { freePort } from '../test/helpers/free-port.js';
import { cpuSeconds, rssMb } from './process-stats.js';
import { percentile, round, runConcurrently } from './stats.js';

const CREATES = Number(process.env.BENCH_CREATES ?? 10_000);
/**
 * Operations run, unmeasured, before each measured run: V8 compiles the hot
 * paths only after a few thousand requests (the API server's first 1,000
 * creates run at about a third of its steady rate), so both sides are timed warm.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 4_000);
/**
 * The measured puts and creates alternate in this many rounds, so a machine
 * that speeds up or slows down during the run (a shared VM) weighs on both
 * sides alike.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const IN_FLIGHT = 64;
const LIST_SIZE = 5_000;
const WATCHERS = 500;
const WATCHED_EVENTS = 50;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A realistic pod of about 2 KB: labels, annotations, two containers with env, ports, resources and probes. */
function pod(name: string, namespace: string, created = new Date().toISOString()): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace,
      labels: { app: 'bench', tier: 'web', 'pod-template-hash': '5d4f8c7b9' },
      annotations: { 'bench.skiff.dev/created': created, 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
    },
    spec: {
      containers: [
        {
          name: 'web', image: 'registry.local/web:1.4.2', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }],
          env: [{ name: 'MODE', value: 'production' }, { name: 'LOG_LEVEL', value: 'info' }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
          livenessProbe: { tcpSocket: { port: 8080 }, initialDelaySeconds: 10 },
          volumeMounts: [{ name: 'config', mountPath: '/etc/web' }],
        },
        { name: 'sidecar', image: 'registry.local/proxy:2.0.1', args: ['--upstream=127.0.0.1:8080', '--listen=:8443'], ports: [{ containerPort: 8443 }], resources: { requests: { cpu: '50m', memory: '32Mi' } } },
      ],
      volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
    },
  };
}

/**
 * Pod bodies as the load generator sends them: serialized once, then only the
 * name and the creation annotation change, so the generator's own CPU stays
 * off the two cores the API server needs.
 */
function podBody(namespace: string): (name: string) => string {
  const [head, middle, tail] = JSON.stringify(pod('\u0001', namespace, '\u0002')).split(/\\u000[12]/);
  return (name) => `${head}${name}${middle}${new Date().toISOString()}${tail}`;
}

interface Client {
  call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }>;
}

/**
 * The load generator shares the two cores with etcd and the API server, so it
 * uses undici (Node's own HTTP client, behind fetch): it writes a request in
 * one piece and costs about half the CPU of node:https per call.
 */
function client(url: string, token: string, ca: Buffer, connections: number): Client & { close(): Promise<void> } {
  const pool = new Pool(url, { connections, connect: { ca } });
  return {
    async call(method, path, body) {
      const res = await pool.request({
        path, method: method as Dispatcher.HttpMethod,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.statusCode, text: await res.body.text() };
    },
    close: () => pool.close(),
  };
}

async function startApiServer(etcdUrl: string, dir: string) {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`);
  // BENCH_APISERVER_NODE_ARGS (e.g. --cpu-prof) profiles the API server under load.
  const nodeArgs = (process.env.BENCH_APISERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist/cli/main.js'), 'apiserver', `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', `--secure-port=${port}`, `--token-auth-file=${join(dir, 'tokens.csv')}`, `--cert-dir=${join(dir, 'pki')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`apiserver exited: ${stderr}`);
    try {
      const ca = readFileSync(join(dir, 'pki', 'ca.crt'));
      const probe = client(url, token, ca, 1);
      const r = await probe.call('GET', '/readyz').finally(() => probe.close());
      if (r.status === 200) return { child, url, token, ca };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`apiserver never became ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Opens `n` watches and answers, per delivered event, now minus the time the event was sent. */
async function openWatchers(url: string, token: string, ca: Buffer, path: string, n: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: n + 10, ca });
  const delays: number[] = [];
  const requests: Array<ReturnType<typeof request>> = [];
  await Promise.all(Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
    const req = request(`${url}${path}`, { agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let buf = '';
      res.on('data', (chunk) => {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const sent = /"bench\.skiff\.dev\/sent":"(\d+(?:\.\d+)?)"/.exec(line);
          if (sent) delays.push(performance.timeOrigin + performance.now() - Number(sent[1]));
        }
      });
      res.on('error', () => undefined);
      resolve();
    });
    req.on('error', reject);
    req.end();
    requests.push(req);
  })));
  return { delays, close: () => { requests.forEach((r) => r.destroy()); agent.destroy(); } };
}

export async function run(): Promise<boolean> {
  const etcd = await startEtcd();
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const raw = new Etcd3({ hosts: etcd.url });
  let api: Awaited<ReturnType<typeof startApiServer>> | undefined;
  let closeClient = async () => undefined as void;
  try {
    process.stderr.write(`raw etcd: ${WARMUP} warm-up puts of a 2 KB value, ${IN_FLIGHT} in flight\n`);
    const value = JSON.stringify(pod('raw', 'bench'));
    await runConcurrently(WARMUP, IN_FLIGHT, (i) => raw.put(`/bench/warmup/${i}`).value(value).exec().then(() => undefined));

    api = await startApiServer(etcd.url, dir);
    const c = client(api.url, api.token, api.ca, IN_FLIGHT);
    closeClient = () => c.close();
    await c.call('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
    await c.call('POST', '/api/v1/namespaces', { metadata: { name: 'listed' } });
    await c.call('POST', '/api/v1/namespaces', { metadata: { name: 'warmup' } });
    const [warmupPod, benchPod, listedPod] = ['warmup', 'bench', 'listed'].map(podBody);
    process.stderr.write(`API server: ${WARMUP} warm-up pod creates, ${IN_FLIGHT} in flight\n`);
    const warmRun = await runConcurrently(WARMUP, IN_FLIGHT, async (i) => {
      const r = await c.call('POST', '/api/v1/namespaces/warmup/pods', warmupPod(`pod-${i}`));
      if (r.status !== 201) throw new Error(`create answered ${r.status}: ${r.text.slice(0, 200)}`);
    });

    process.stderr.write(`measuring: ${CREATES} raw puts and ${CREATES} pod creates in ${ROUNDS} alternating rounds, ${IN_FLIGHT} in flight\n`);
    const perRound = Math.ceil(CREATES / ROUNDS);
    let rawMs = 0;
    let createMs = 0;
    const rawLatencies: number[] = [];
    const createLatencies: number[] = [];
    const cpu = { api: 0, etcd: 0, bench: 0 };
    for (let round = 0, done = 0; done < CREATES; round++) {
      const n = Math.min(perRound, CREATES - done);
      const rawRound = await runConcurrently(n, IN_FLIGHT, (i) => raw.put(`/bench/raw/${done + i}`).value(value).exec().then(() => undefined));
      rawMs += rawRound.elapsedMs;
      rawLatencies.push(...rawRound.latencies);
      const before = { api: cpuSeconds(api.child.pid!), etcd: cpuSeconds(etcd.pid), bench: process.cpuUsage() };
      const createRound = await runConcurrently(n, IN_FLIGHT, async (i) => {
        const r = await c.call('POST', '/api/v1/namespaces/bench/pods', benchPod(`pod-${done + i}`));
        if (r.status !== 201) throw new Error(`create answered ${r.status}: ${r.text.slice(0, 200)}`);
      });
      createMs += createRound.elapsedMs;
      createLatencies.push(...createRound.latencies);
      const benchCpu = process.cpuUsage(before.bench);
      cpu.api += cpuSeconds(api.child.pid!) - before.api;
      cpu.etcd += cpuSeconds(etcd.pid) - before.etcd;
      cpu.bench += (benchCpu.user + benchCpu.system) / 1e6;
      done += n;
    }
    const rawPerSec = CREATES / (rawMs / 1000);
    const createsPerSec = CREATES / (createMs / 1000);
    const rawRun = { latencies: rawLatencies };
    const createRun = { latencies: createLatencies };
    const cpuPerCreateMs = {
      apiserver: (cpu.api / CREATES) * 1000,
      etcd: (cpu.etcd / CREATES) * 1000,
      benchClient: (cpu.bench / CREATES) * 1000,
    };

    process.stderr.write(`API server: filling a namespace with ${LIST_SIZE} pods for LIST\n`);
    await runConcurrently(LIST_SIZE, IN_FLIGHT, async (i) => {
      const r = await c.call('POST', '/api/v1/namespaces/listed/pods', listedPod(`pod-${i}`));
      if (r.status !== 201) throw new Error(`create answered ${r.status}`);
    });
    const rssWithPodsMb = rssMb(api.child.pid!);
    const listTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await c.call('GET', '/api/v1/namespaces/listed/pods');
      listTimes.push(performance.now() - t0);
      if (JSON.parse(r.text).items.length !== LIST_SIZE) throw new Error('LIST returned the wrong count');
    }
    const memoryMb = rssMb(api.child.pid!);
    const metrics = (await c.call('GET', '/metrics')).text;
    const metricMb = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)?.[1]) / 2 ** 20;

    process.stderr.write(`API server: ${WATCHERS} watchers, ${WATCHED_EVENTS} events\n`);
    await c.call('POST', '/api/v1/namespaces', { metadata: { name: 'watched' } });
    const rv = JSON.parse((await c.call('GET', '/api/v1/namespaces/watched/configmaps')).text).metadata.resourceVersion;
    const watchers = await openWatchers(api.url, api.token, api.ca, `/api/v1/namespaces/watched/configmaps?watch=1&resourceVersion=${rv}`, WATCHERS);
    for (let i = 0; i < WATCHED_EVENTS; i++) {
      const sent = String(performance.timeOrigin + performance.now());
      await c.call('POST', '/api/v1/namespaces/watched/configmaps', { metadata: { name: `w-${i}`, annotations: { 'bench.skiff.dev/sent': sent } }, data: { i: String(i) } });
      await new Promise((r) => setTimeout(r, 20));
    }
    const deadline = Date.now() + 30_000;
    while (watchers.delays.length < WATCHERS * WATCHED_EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const delivered = watchers.delays.length;
    watchers.close();

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      rawEtcdPutsPerSec: round(rawPerSec),
      apiCreatesPerSec: round(createsPerSec),
      createRatio: round(createsPerSec / rawPerSec, 3),
      warmupCreatesPerSec: round(WARMUP / (warmRun.elapsedMs / 1000)),
      createP50Ms: round(percentile(createRun.latencies, 50), 2),
      createP99Ms: round(percentile(createRun.latencies, 99), 2),
      rawPutP99Ms: round(percentile(rawRun.latencies, 99), 2),
      list5000P50Ms: round(percentile(listTimes, 50), 1),
      watchDeliveries: delivered,
      watchDeliveriesExpected: WATCHERS * WATCHED_EVENTS,
      watchDeliveryP50Ms: round(percentile(watchers.delays, 50), 2),
      watchDeliveryP99Ms: round(percentile(watchers.delays, 99), 2),
      apiServerRssWithPodsMb: round(rssWithPodsMb),
      apiServerRssMb: round(memoryMb),
      apiServerHeapUsedMb: round(metricMb('nodejs_heap_size_used_bytes')),
      apiServerExternalMb: round(metricMb('nodejs_external_memory_bytes')),
      apiserverCpuMsPerCreate: round(cpuPerCreateMs.apiserver, 3),
      etcdCpuMsPerCreate: round(cpuPerCreateMs.etcd, 3),
      benchClientCpuMsPerCreate: round(cpuPerCreateMs.benchClient, 3),
      podsStored: WARMUP + CREATES + LIST_SIZE,
    };
    const checks = {
      'creates >= 40% of raw etcd puts': results.createRatio >= 0.4,
      'p99 create < 100 ms': results.createP99Ms < 100,
      'LIST of 5,000 pods < 500 ms': results.list5000P50Ms < 500,
      'watch delivery p99 < 250 ms': results.watchDeliveryP99Ms < 250 && delivered === WATCHERS * WATCHED_EVENTS,
      'API server memory < 400 MB with 10,000+ pods': results.apiServerRssMb < 400,
    };
    const outDir = join(root, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'apiserver.json'), JSON.stringify({ results, checks }, null, 2) + '\n');
    const md = [
      `# apiserver benchmark (${results.date})`, '',
      '| measure | value |', '| --- | --- |',
      ...Object.entries(results).filter(([k]) => k !== 'machine' && k !== 'date').map(([k, v]) => `| ${k} | ${v} |`),
      '', '| target | met |', '| --- | --- |',
      ...Object.entries(checks).map(([k, v]) => `| ${k} | ${v ? 'yes' : 'NO'} |`), '',
    ].join('\n');
    writeFileSync(join(outDir, 'apiserver.md'), md);
    process.stdout.write(md);
    return Object.values(checks).every(Boolean);
  } finally {
    raw.close();
    await closeClient();
    if (api && api.child.exitCode === null) {
      api.child.kill('SIGTERM');
      await new Promise((r) => api!.child.once('exit', r));
    }
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
