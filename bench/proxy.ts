import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Pool } from 'undici';
import { rfc3339Nano } from '../api/time.js';
import type { ClusterState } from '../cli/local-cluster.js';
import { BUSYBOX_IMAGE } from '../infra/local/local-images.js';
import { adminPool, skiff, stopChild, waitUntil, writeReport } from './local-cluster.js';
import { percentile, round, runConcurrently } from './stats.js';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 1000);
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 10);
/** EndpointSlice changes timed, one a second on average (0.5 to 1.5 s apart, not waiting for the previous one). */
const CHANGES = Number(process.env.BENCH_CHANGES ?? 100);
/** Proxy restarts, each timed through its first (full) sync of every Service. */
const FULL_SYNCS = Number(process.env.BENCH_FULL_SYNCS ?? 3);
/** Throughput rounds: each sends requests through the ClusterIP, then straight to the pod, for SECONDS. */
const THROUGHPUT_ROUNDS = Number(process.env.BENCH_THROUGHPUT_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 5);
const CONCURRENCY = 16;
const NAMESPACE = 'bench-proxy';
const NFT = '/usr/sbin/nft';

type Call = ReturnType<typeof adminPool>['call'];

/** The fake endpoint addresses of the simulated slices: 10.240.0.0/12 is nobody's here; the rules never see a packet for them. */
const fakeAddress = (n: number) => `10.${240 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;

function slice(i: number, addresses: string[], triggerMs?: number): Record<string, unknown> {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      name: `svc-${i}-bench`, namespace: NAMESPACE,
      labels: { 'kubernetes.io/service-name': `svc-${i}`, 'endpointslice.kubernetes.io/managed-by': 'bench.skiff.dev' },
      // What the endpointslice controller writes: when the change that made this version happened.
      ...(triggerMs ? { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': rfc3339Nano(triggerMs) } } : {}),
    },
    addressType: 'IPv4',
    endpoints: addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

function inNetns(netns: string, command: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('nsenter', [`--net=/run/netns/${netns}`, ...command], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`${command.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
  });
}

/** How many cluster IP entries a worker's proxy has programmed, from its table. */
async function programmedServices(netns: string): Promise<number> {
  const out = await inNetns(netns, [NFT, 'list', 'map', 'ip', 'skiff-proxy', 'service-ips']).catch(() => '');
  return (out.match(/ \. tcp \. 80 : goto service-/g) ?? []).length;
}

/** A proxy's own metrics, read on the worker's loopback where they are served. */
async function proxyMetrics(netns: string): Promise<string> {
  return inNetns(netns, [process.execPath, '-e', 'fetch("http://127.0.0.1:10249/metrics").then((r) => r.text()).then((t) => process.stdout.write(t), () => process.exit(1))']).catch(() => '');
}

const metricValue = (text: string, name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);

/**
 * Watches a worker's nftables as the kernel reports each committed change
 * (`nft monitor`): when a rule DNATing to an address first appears.
 */
function monitorDnat(netns: string): { seen: Map<string, number>; stop(): void } {
  const seen = new Map<string, number>();
  const child = spawn('nsenter', [`--net=/run/netns/${netns}`, NFT, 'monitor', 'rules'], { stdio: ['ignore', 'pipe', 'ignore'] });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = / dnat to ([0-9.]+):/.exec(line);
    if (m && line.startsWith('add rule') && !seen.has(m[1])) seen.set(m[1], Date.now());
  });
  return { seen, stop: () => child.kill() };
}

/** A load generator, run in a worker's namespace: new connections (busybox httpd closes each), CONCURRENCY at once, for SECONDS. */
const LOADGEN = `
import { request } from 'node:http';
const [url, seconds, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const until = performance.now() + seconds * 1000;
let ok = 0, failed = 0;
const once = () => new Promise((resolve) => {
  const req = request(url, { agent: false }, (res) => { res.resume(); res.on('end', () => { res.statusCode === 200 ? ok++ : failed++; resolve(); }); });
  req.on('error', () => { failed++; resolve(); });
  req.end();
});
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < until) await once(); }));
process.stdout.write(JSON.stringify({ ok, failed, seconds: (performance.now() - started) / 1000 }));
`;

async function loadgen(netns: string, script: string, url: string): Promise<{ ok: number; failed: number; seconds: number }> {
  return JSON.parse(await inNetns(netns, [process.execPath, script, url, String(SECONDS), String(CONCURRENCY)]));
}

async function createAll(call: Call): Promise<void> {
  await call('POST', '/api/v1/namespaces', { metadata: { name: NAMESPACE } });
  await runConcurrently(SERVICES, 32, async (i) => {
    await call('POST', `/api/v1/namespaces/${NAMESPACE}/services`, { metadata: { name: `svc-${i}` }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    await call('POST', `/apis/discovery.k8s.io/v1/namespaces/${NAMESPACE}/endpointslices`, slice(i, Array.from({ length: ENDPOINTS }, (_, e) => fakeAddress(i * ENDPOINTS + e))));
  });
}

/** Changes one endpoint of a random slice to a new address, once a second on average, and times each until its DNAT rule is in place. */
async function programmingLatencies(call: Call, netns: string): Promise<number[]> {
  const monitor = monitorDnat(netns);
  const sent = new Map<string, number>();
  try {
    await new Promise((r) => setTimeout(r, 500));
    for (let c = 0; c < CHANGES; c++) {
      const i = Math.floor(Math.random() * SERVICES);
      const current = await call('GET', `/apis/discovery.k8s.io/v1/namespaces/${NAMESPACE}/endpointslices/svc-${i}-bench`);
      const addresses: string[] = current.endpoints.map((e: { addresses: string[] }) => e.addresses[0]);
      const fresh = fakeAddress(SERVICES * ENDPOINTS + c);
      addresses[Math.floor(Math.random() * addresses.length)] = fresh;
      const at = Date.now();
      sent.set(fresh, at);
      await call('PUT', `/apis/discovery.k8s.io/v1/namespaces/${NAMESPACE}/endpointslices/svc-${i}-bench`, { ...slice(i, addresses, at), metadata: { ...(slice(i, addresses, at).metadata as object), resourceVersion: current.metadata.resourceVersion } });
      await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000));
    }
    await waitUntil('every change programmed', () => [...sent.keys()].every((ip) => monitor.seen.has(ip)), 30_000);
    return [...sent].map(([ip, at]) => monitor.seen.get(ip)! - at);
  } finally {
    monitor.stop();
  }
}

/** Restarts a worker's proxy FULL_SYNCS times; each first sync writes every Service (a full sync): its duration, from the proxy's metrics, and the wall time to all rules. */
async function fullSyncs(proxy: { command: string[]; log: string }, pid: number, netns: string): Promise<{ syncSeconds: number[]; startToProgrammedMs: number[]; child?: ChildProcess }> {
  const syncSeconds: number[] = [];
  const startToProgrammedMs: number[] = [];
  let child: ChildProcess | undefined;
  process.kill(pid, 'SIGTERM');
  await waitUntil('the proxy stopped', () => !existsPid(pid), 10_000);
  for (let r = 0; r < FULL_SYNCS; r++) {
    if (child) await stopChild(child);
    const fd = openSync(proxy.log, 'a');
    const started = Date.now();
    child = spawn(proxy.command[0], proxy.command.slice(1), { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    await waitUntil('the restarted proxy synced', async () => metricValue(await proxyMetrics(netns), 'kubeproxy_sync_full_proxy_rules_duration_seconds_count') >= 1, 60_000);
    startToProgrammedMs.push(Date.now() - started);
    syncSeconds.push(metricValue(await proxyMetrics(netns), 'kubeproxy_sync_full_proxy_rules_duration_seconds_sum'));
  }
  return { syncSeconds, startToProgrammedMs, child };
}

function existsPid(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const summary = (v: number[]) => ({ p50: round(percentile(v, 50)), p99: round(percentile(v, 99)), max: round(Math.max(...v)) });

export async function run(): Promise<boolean> {
  const home = mkdtempSync(join(tmpdir(), 'skiff-bench-proxy-'));
  const { AWS_ENDPOINT_URL: _ignored, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, SKIFF_HOME: join(home, '.skiff'), HOME: home };
  const vpcCidr = `10.${190 + Math.floor(Math.random() * 40)}.0.0/16`;
  let pool: Pool | undefined;
  let restarted: ChildProcess | undefined;
  try {
    process.stderr.write(`starting a cluster with skiff up --workers=2 --vpc-cidr=${vpcCidr}\n`);
    await skiff(['up', '--detach', '--workers=2', `--vpc-cidr=${vpcCidr}`], env);
    const state = JSON.parse(readFileSync(join(home, '.skiff', 'state.json'), 'utf8')) as ClusterState;
    const byName = Object.fromEntries(state.components.map((c) => [c.name, c]));
    const [w0, w1] = state.workers!;
    const admin = adminPool(byName.apiserver.endpoint, join(home, '.skiff', 'pki'));
    pool = admin.pool;
    const { call } = admin;
    const loadBefore = loadavg()[0];

    process.stderr.write(`creating ${SERVICES} Services with an EndpointSlice of ${ENDPOINTS} endpoints each\n`);
    const createdAt = Date.now();
    await createAll(call);
    await waitUntil('both proxies programmed every Service', async () => (await programmedServices(w0.netns)) >= SERVICES && (await programmedServices(w1.netns)) >= SERVICES, 300_000);
    const createToProgrammedMs = Date.now() - createdAt;

    process.stderr.write(`timing ${CHANGES} EndpointSlice changes until their rules are in place\n`);
    const latencies = await programmingLatencies(call, w0.netns);
    const proxyMetricsText = await proxyMetrics(w0.netns);

    process.stderr.write(`restarting worker 0's proxy ${FULL_SYNCS} times: full syncs of ${SERVICES} Services\n`);
    const full = await fullSyncs(byName['proxy-0'], w0.proxyPid!, w0.netns);
    restarted = full.child;

    process.stderr.write('throughput: a pod on worker 1, requests from worker 0 through the ClusterIP and straight to the pod\n');
    await call('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, {
      metadata: { name: 'echo', labels: { app: 'echo' } },
      spec: {
        nodeName: w1.instance.privateDnsName, terminationGracePeriodSeconds: 0,
        containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www'] }],
      },
    });
    const echo = await call('POST', `/api/v1/namespaces/${NAMESPACE}/services`, { metadata: { name: 'echo' }, spec: { selector: { app: 'echo' }, ports: [{ port: 80, targetPort: 8080 }] } });
    let podIP = '';
    await waitUntil('the echo pod Running', async () => {
      const p = await call('GET', `/api/v1/namespaces/${NAMESPACE}/pods/echo`);
      podIP = p.status?.podIP ?? '';
      return p.status?.phase === 'Running' && !!podIP;
    }, 60_000);
    const script = join(home, 'loadgen.mjs');
    writeFileSync(script, LOADGEN);
    const clusterUrl = `http://${echo.spec.clusterIP}/`;
    const directUrl = `http://${podIP}:8080/`;
    await waitUntil('the ClusterIP answers', async () => (await loadgen(w0.netns, script, clusterUrl).catch(() => ({ ok: 0 }))).ok > 0, 30_000);
    const through: number[] = [];
    const direct: number[] = [];
    let failed = 0;
    for (let r = 0; r < THROUGHPUT_ROUNDS; r++) {
      for (const [url, into] of [[clusterUrl, through], [directUrl, direct]] as const) {
        const res = await loadgen(w0.netns, script, url);
        into.push(res.ok / res.seconds);
        failed += res.failed;
      }
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const ratio = mean(through) / mean(direct);

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverage1mBeforeAfter: [round(loadBefore, 2), round(loadavg()[0], 2)] },
      services: SERVICES,
      endpointsPerService: ENDPOINTS,
      createToProgrammedOnBothWorkersMs: createToProgrammedMs,
      changes: CHANGES,
      programmingLatencyMs: summary(latencies),
      proxyNetworkProgrammingMetric: {
        count: metricValue(proxyMetricsText, 'kubeproxy_network_programming_duration_seconds_count'),
        meanMs: round((metricValue(proxyMetricsText, 'kubeproxy_network_programming_duration_seconds_sum') / metricValue(proxyMetricsText, 'kubeproxy_network_programming_duration_seconds_count')) * 1000),
      },
      partialSyncMeanMs: round((metricValue(proxyMetricsText, 'kubeproxy_sync_partial_proxy_rules_duration_seconds_sum') / metricValue(proxyMetricsText, 'kubeproxy_sync_partial_proxy_rules_duration_seconds_count')) * 1000),
      fullSyncMs: full.syncSeconds.map((s) => round(s * 1000)),
      proxyStartToFullSyncDoneMs: full.startToProgrammedMs,
      throughputRequestsPerSecond: { clusterIP: through.map((v) => round(v)), direct: direct.map((v) => round(v)) },
      throughputClusterIPToDirect: round(ratio, 3),
      failedRequests: failed,
    };
    const checks = {
      'programming latency p99 under 1 s': percentile(latencies, 99) < 1000,
      'throughput through the ClusterIP at least 90% of the direct path': ratio >= 0.9,
      'no failed request': failed === 0,
    };
    return writeReport('proxy', 'service proxy benchmark', [
      `The cluster \`skiff up --workers=2\` starts (TLS, RBAC, audit; each worker's proxy a \`skiff proxy\` process in the worker's network namespace, with its defaults: --min-sync-period=1s, --sync-period=30s).`,
      `${SERVICES} selectorless ClusterIP Services, each with one simulated EndpointSlice of ${ENDPOINTS} ready endpoints (addresses in 10.240.0.0/12, never sent a packet).`,
      `Programming latency: ${CHANGES} slice updates, 0.5 to 1.5 s apart (one a second on average, not waiting for each other), each replacing one endpoint with a new address and carrying the trigger-time annotation the endpointslice controller writes; each is timed from just before its PUT to \`nft monitor\` in worker 0's namespace reporting the DNAT rule to the new address (committed). The proxy's own kubeproxy_network_programming_duration_seconds agrees.`,
      `Full sync: worker 0's proxy restarted ${FULL_SYNCS} times; its first sync writes all ${SERVICES} Services (kubeproxy_sync_full_proxy_rules_duration_seconds, nft's transaction included).`,
      `Throughput: one busybox httpd pod on worker 1; a Node.js load generator in worker 0's namespace (a new connection per request, as httpd closes each, ${CONCURRENCY} at once) for ${SECONDS} s through the ClusterIP (DNAT and masquerade in worker 0's table), then ${SECONDS} s straight to the pod's address (the limit: the same route without the proxy), alternating, ${THROUGHPUT_ROUNDS} rounds each.`,
    ].join(' '), results, checks);
  } finally {
    await pool?.close();
    if (restarted) await stopChild(restarted);
    await skiff(['down'], env).catch((err) => process.stderr.write(`${err.message}\n`));
    rmSync(home, { recursive: true, force: true });
  }
}
