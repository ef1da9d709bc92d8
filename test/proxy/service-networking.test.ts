import { execFileSync } from 'node:child_process';
import test from 'ava';
import type { AnyObject } from '../../client/resource.js';
import { DEPLOYMENTS, NODES, PODS, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { localVpcOf } from '../../infra/local/local-vpc.js';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { adminClient } from '../helpers/apiserver.js';
import { startCloudControllerManager, startCloudTestbed, type CloudTestbed, type RunningCloudControllerManager } from '../helpers/cloud.js';
import { BUSYBOX_IMAGE } from '../helpers/containerd.js';
import { eventually } from '../helpers/eventually.js';
import { startTestWorkers, testVpcCidr, type TestWorkers } from '../helpers/local-workers.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';
import { runDns } from '../../dns/run-dns.js';
import { freePort } from '../helpers/free-port.js';
import { identityConfig } from '../helpers/apiserver.js';

const clusterCidr = '10.244.0.0/16';
const NS = 'default';
let bed: CloudTestbed;
let ccm: RunningCloudControllerManager;
let scheduler: RunningScheduler;
let local: TestWorkers;
let admin: RestClient;
let dns: { stop: AbortController; done: Promise<void> } | undefined;
/** The kube-dns Service's address: the tenth of the service range. */
const DNS_IP = '10.96.0.10';
type Worker = TestWorkers['workers'][number];
let a: Worker;
let b: Worker;

test.before(async () => {
  const vpcCidr = testVpcCidr();
  const { masterAddress } = localVpcOf({ id: 'x', vpcCidr, subnets: [] });
  bed = await startCloudTestbed({
    vpcCidr, apiServer: { bindAddress: '0.0.0.0', advertiseAddress: masterAddress },
    controllers: {
      controllers: ['nodeipam', 'root-ca-cert-publisher', 'endpointslice', 'deployment', 'replicaset'],
      allocateNodeCidrs: true, clusterCidr,
    },
  });
  ccm = await startCloudControllerManager(bed, {
    controllers: ['cloud-node', 'route'], configureCloudRoutes: true, clusterCidr, routeReconciliationPeriodMs: 500,
  });
  scheduler = await startScheduler(bed.cluster);
  local = await startTestWorkers(bed, vpcCidr, 2, ['--node-status-update-frequency=1s', `--cluster-dns=${DNS_IP}`], { clusterCidr });
  // Cluster DNS runs on the master, as skiff up runs it, behind kube-dns: the workers' proxies send pods' queries there.
  const stop = new AbortController();
  const config = await identityConfig(bed.cluster, 'system:skiff-dns');
  dns = {
    stop,
    done: runDns(config, stop.signal, {
      clusterDomain: 'cluster.local', bindAddress: masterAddress, port: await freePort(), upstreams: [],
      registration: { advertiseAddress: masterAddress, serviceIP: DNS_IP },
    }),
  };
  admin = adminClient(bed.cluster);
  [a, b] = local.workers;
  for (const w of local.workers) {
    await eventually(`${w.instance.privateDnsName} Ready with routes`, async () => {
      const n = await admin.get(NODES, w.instance.privateDnsName).catch(() => undefined);
      return n?.spec?.podCIDR && !(n.spec.taints ?? []).length && n.status?.conditions?.some((c: AnyObject) => c.type === 'Ready' && c.status === 'True');
    }, 60_000, 300);
  }
});
test.after.always(async () => {
  dns?.stop.abort();
  await dns?.done;
  admin?.close();
  await local?.stop();
  await scheduler?.stop();
  await ccm?.stop();
  await bed?.stop();
});

/** A CGI script answering the client address the pod sees (busybox httpd gives IPv4 clients as [::ffff:a.b.c.d]). */
const CLIENT_IP_CGI = '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "$REMOTE_ADDR" | sed -e "s/^\\[::ffff://" -e "s/]$//"\n';
/** An HTTP server pod: / answers its hostname, /cgi-bin/ip the client address it sees. */
const SERVE = [
  'sh', '-c',
  'mkdir -p /www/cgi-bin && hostname > /www/index.html && printf "%s" "$CGI" > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && exec httpd -f -p 8080 -h /www',
];
const SERVE_ENV = [{ name: 'CGI', value: CLIENT_IP_CGI }];
const readiness = { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 };

function serverPod(name: string, worker: Worker, labels: Record<string, string>): AnyObject {
  return {
    metadata: { name, namespace: NS, labels },
    spec: { nodeName: worker.instance.privateDnsName, terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: SERVE, env: SERVE_ENV, readinessProbe: readiness }] },
  };
}

function clientPod(name: string, worker: Worker): AnyObject {
  return { metadata: { name, namespace: NS }, spec: { nodeName: worker.instance.privateDnsName, terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] } };
}

function service(name: string, selector: Record<string, string>, spec: Record<string, unknown> = {}): AnyObject {
  return { metadata: { name, namespace: NS }, spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec } };
}

async function readyPod(name: string): Promise<AnyObject> {
  return eventually(`${name} Ready`, async () => {
    const p = await admin.get(PODS, name, { namespace: NS });
    return p.status?.conditions?.some((c: AnyObject) => c.type === 'Ready' && c.status === 'True') && p;
  }, 60_000, 300);
}

/** Runs a command in a pod's container through its worker's CRI, as `kubectl exec` would. */
async function exec(worker: Worker, pod: string, cmd: string[], timeoutSeconds = 10): Promise<{ code: number; out: string }> {
  const cri = new RuntimeClient(`unix://${worker.runtime.socket}`);
  try {
    const { containers } = await cri.runtimeCall('ListContainers', { filter: { labelSelector: { 'io.kubernetes.pod.name': pod }, state: { state: 'CONTAINER_RUNNING' } } });
    if (!containers.length) throw new Error(`no running container of ${pod} on ${worker.instance.privateDnsName}`);
    const r = await cri.runtimeCall('ExecSync', { containerId: containers[0].id, cmd, timeout: timeoutSeconds });
    return { code: r.exitCode, out: `${Buffer.from(r.stdout).toString('utf8')}${Buffer.from(r.stderr).toString('utf8')}` };
  } finally {
    cri.close();
  }
}

const wget = (url: string, seconds = 3) => ['timeout', String(seconds), 'wget', '-q', '-O', '-', url];

/** A request from this host, which sits on the VPC's bridge as the master does: outside every worker. */
async function fromOutside(url: string, timeoutMs = 3000): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: (await res.text()).trim() };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { error: cause?.code ?? (err as Error).name };
  }
}


test.serial('a ClusterIP Service is reached from a pod on the other worker, and a pod reaches itself through its own Service (hairpin)', async (t) => {
  await admin.create(PODS, serverPod('web-a', a, { app: 'web' }));
  await admin.create(PODS, clientPod('client-b', b));
  const svc = await admin.create(SERVICES, service('web', { app: 'web' }));
  const web = await readyPod('web-a');
  await readyPod('client-b');
  const body = await eventually('the ClusterIP answers from the other worker', async () => {
    const r = await exec(b, 'client-b', wget(`http://${svc.spec.clusterIP}/`));
    return r.code === 0 && r.out.trim();
  }, 20_000, 300);
  t.is(body, 'web-a');
  const hairpin = await exec(a, 'web-a', wget(`http://${svc.spec.clusterIP}/cgi-bin/ip`));
  t.is(hairpin.code, 0, hairpin.out);
  t.not(hairpin.out.trim(), web.status.podIP, 'the answer to a pod\'s own request came back through the proxy: masqueraded');
});

test.serial('a NodePort answers from outside the workers on every worker, whichever worker the pod runs on; eTP Cluster masquerades', async (t) => {
  const svc = await admin.create(SERVICES, service('web-np', { app: 'web' }, { type: 'NodePort' }));
  const port = svc.spec.ports[0].nodePort;
  for (const w of [a, b]) {
    const got = await eventually(`NodePort ${port} on ${w.instance.privateIp}`, async () => {
      const r = await fromOutside(`http://${w.instance.privateIp}:${port}/`);
      return 'status' in r && r.status === 200 && r;
    }, 20_000, 300);
    t.is(got.body, 'web-a');
  }
  const seen = await fromOutside(`http://${b.instance.privateIp}:${port}/cgi-bin/ip`);
  t.like(seen, { status: 200, body: b.instance.privateIp }, `traffic that crosses to another worker is masqueraded to the node's address: ${JSON.stringify(seen)}`);
});

test.serial('a Service with no endpoints refuses connections at once, from a pod and on its NodePort', async (t) => {
  const svc = await admin.create(SERVICES, service('nobody', { app: 'nobody' }, { type: 'NodePort' }));
  await eventually('the refusal is programmed', async () => {
    const r = await exec(b, 'client-b', wget(`http://${svc.spec.clusterIP}/`, 5));
    return /Connection refused/.test(r.out);
  }, 20_000, 300);
  const started = Date.now();
  const r = await exec(b, 'client-b', wget(`http://${svc.spec.clusterIP}/`, 5));
  t.regex(r.out, /Connection refused/);
  t.true(Date.now() - started < 4000, 'refused, not left to time out');
  t.deepEqual(await fromOutside(`http://${a.instance.privateIp}:${svc.spec.ports[0].nodePort}/`), { error: 'ECONNREFUSED' });
});

test.serial('endpoints are picked at random, and sessionAffinity ClientIP keeps a client on one', async (t) => {
  await admin.create(PODS, serverPod('web-b', b, { app: 'web' }));
  await readyPod('web-b');
  const spread = await admin.get(SERVICES, 'web', { namespace: NS });
  const hosts = async (ip: string, n: number) => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const r = await exec(b, 'client-b', wget(`http://${ip}/`));
      if (r.code === 0) seen.add(r.out.trim());
    }
    return seen;
  };
  await eventually('both pods answer the ClusterIP', async () => (await hosts(spread.spec.clusterIP, 10)).size === 2, 20_000, 300);
  const sticky = await admin.create(SERVICES, service('web-sticky', { app: 'web' }, { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }));
  await eventually('the sticky Service answers', async () => (await exec(b, 'client-b', wget(`http://${sticky.spec.clusterIP}/`))).code === 0, 20_000, 300);
  t.is((await hosts(sticky.spec.clusterIP, 12)).size, 1, 'one client, one endpoint');
});

test.serial('externalTrafficPolicy Local: the node with the pod keeps the client address and its health check answers 200; the other answers 503 and takes no traffic', async (t) => {
  await admin.create(PODS, serverPod('local-a', a, { app: 'local' }));
  await readyPod('local-a');
  const svc = await admin.create(SERVICES, service('local', { app: 'local' }, { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
  const hc = svc.spec.healthCheckNodePort;
  const port = svc.spec.ports[0].nodePort;
  t.truthy(hc);
  const healthy = await eventually('the health check on the pod\'s node', async () => {
    const r = await fromOutside(`http://${a.instance.privateIp}:${hc}/healthz`);
    return 'status' in r && r.status === 200 && r;
  }, 20_000, 300);
  t.like(JSON.parse(healthy.body), { service: { namespace: NS, name: 'local' }, localEndpoints: 1 });
  const other = await fromOutside(`http://${b.instance.privateIp}:${hc}/healthz`);
  t.like(other, { status: 503 });
  t.is(JSON.parse((other as { body: string }).body).localEndpoints, 0);
  const kept = await fromOutside(`http://${a.instance.privateIp}:${port}/cgi-bin/ip`);
  t.like(kept, { status: 200, body: local.vpc.masterAddress }, 'the client\'s own address reaches the pod');
  t.like(await fromOutside(`http://${b.instance.privateIp}:${port}/`, 1500), { error: 'TimeoutError' }, 'a node without a local endpoint drops outside traffic');
});

test.serial('internalTrafficPolicy Local: cluster traffic goes only to endpoints on the client\'s own node', async (t) => {
  await admin.create(PODS, clientPod('client-a', a));
  await readyPod('client-a');
  const svc = await admin.create(SERVICES, service('local-only', { app: 'local' }, { internalTrafficPolicy: 'Local' }));
  await eventually('reached from the pod\'s node', async () => (await exec(a, 'client-a', wget(`http://${svc.spec.clusterIP}/`))).code === 0, 20_000, 300);
  const other = await exec(b, 'client-b', wget(`http://${svc.spec.clusterIP}/`, 2));
  t.not(other.code, 0, 'no endpoint on the client\'s node: not sent elsewhere');
});

test.serial('a rolling update of three replicas with readiness probes loses no request sent through the ClusterIP all along', async (t) => {
  const labels = { app: 'roll' };
  await admin.create(DEPLOYMENTS, {
    metadata: { name: 'roll', namespace: NS },
    spec: {
      replicas: 3, selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [{
            name: 'main', image: BUSYBOX_IMAGE, command: SERVE, readinessProbe: readiness, env: [{ name: 'VERSION', value: '1' }, ...SERVE_ENV],
            // As users do: keep serving while the endpoint's removal reaches every node.
            lifecycle: { preStop: { exec: { command: ['sleep', '3'] } } },
          }],
        },
      },
    },
  });
  const svc = await admin.create(SERVICES, service('roll', labels));
  const rolledOut = (generation: number) => eventually('the Deployment rolled out', async () => {
    const d = await admin.get(DEPLOYMENTS, 'roll', { namespace: NS });
    const s = d.status ?? {};
    return s.observedGeneration >= generation && s.updatedReplicas === 3 && s.availableReplicas === 3 && s.replicas === 3 && d;
  }, 120_000, 500);
  const first = await rolledOut(1);
  await eventually('the Service answers', async () => (await exec(b, 'client-b', wget(`http://${svc.spec.clusterIP}/`))).code === 0, 20_000, 300);
  const loop = `touch /tmp/run; while [ -f /tmp/run ]; do if timeout 3 wget -q -O /dev/null http://${svc.spec.clusterIP}/; then echo ok; else echo FAIL; fi; sleep 0.05; done > /tmp/requests 2>&1`;
  const running = exec(b, 'client-b', ['sh', '-c', loop], 300);
  await new Promise((r) => setTimeout(r, 1000));
  await admin.patch(DEPLOYMENTS, 'roll', 'json', [{ op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: '2' }], { namespace: NS });
  await rolledOut((first.metadata.generation ?? 1) + 1);
  await new Promise((r) => setTimeout(r, 4000));
  await exec(b, 'client-b', ['rm', '/tmp/run']);
  await running;
  const results = (await exec(b, 'client-b', ['cat', '/tmp/requests'])).out.trim().split('\n');
  const failed = results.filter((l) => l !== 'ok');
  t.true(results.length > 50, `${results.length} requests sent`);
  t.deepEqual(failed, [], `${failed.length} of ${results.length} requests failed`);
});

test.serial('pods resolve Services through cluster DNS over UDP behind the kube-dns ClusterIP: the short name, the full name, a headless Service, and a missing name', async (t) => {
  const web = await admin.get(SERVICES, 'web', { namespace: NS });
  const lookup = (name: string) => exec(b, 'client-b', ['nslookup', name]);
  // busybox's nslookup tries every search domain and fails if any fails: the first, the namespace's, is the one that answers.
  const short = await eventually('the short name resolves', async () => {
    const r = await lookup('web');
    return /Name:\s+web\.default\.svc\.cluster\.local/.test(r.out) && r;
  }, 20_000, 500);
  t.regex(short.out, new RegExp(`Name:\\s+web\\.default\\.svc\\.cluster\\.local\\s+Address:\\s+${web.spec.clusterIP.replaceAll('.', '\\.')}`));
  t.true((await lookup('web.default.svc.cluster.local')).out.includes(web.spec.clusterIP));
  const byName = await exec(b, 'client-b', wget('http://web/'));
  t.is(byName.code, 0, `the libc resolver in the pod finds the short name through the search path: ${byName.out}`);
  await admin.create(SERVICES, service('web-headless', { app: 'web' }, { clusterIP: 'None' }));
  const pods = await Promise.all(['web-a', 'web-b'].map((n) => admin.get(PODS, n, { namespace: NS })));
  const headless = await eventually('the headless Service lists both pods', async () => {
    const r = await lookup('web-headless.default.svc.cluster.local');
    return pods.every((p) => r.out.includes(p.status.podIP)) && r;
  }, 20_000, 500);
  t.is(headless.code, 0);
  const missing = await lookup('nothing.default.svc.cluster.local');
  t.not(missing.code, 0);
  t.regex(missing.out, /NXDOMAIN/);
});

test.serial('each proxy answers kube-proxy\'s /healthz on its node and serves its sync and network programming metrics', async (t) => {
  const health = await fromOutside(`http://${a.instance.privateIp}:10256/healthz`);
  t.like(health, { status: 200 });
  t.like(JSON.parse((health as { body: string }).body), { nodeEligible: true });
  // The metrics listen on the worker's own loopback, as kube-proxy's do by default.
  const metrics = execFileSync('nsenter', [`--net=/run/netns/${a.netns}`, process.execPath, '-e',
    'fetch("http://127.0.0.1:10249/metrics").then((r) => r.text()).then((t) => process.stdout.write(t))'], { encoding: 'utf8' });
  for (const name of ['kubeproxy_sync_proxy_rules_duration_seconds_count', 'kubeproxy_sync_full_proxy_rules_duration_seconds_count', 'kubeproxy_sync_proxy_rules_last_timestamp_seconds']) {
    t.regex(metrics, new RegExp(`^${name}(\\{[^}]*\\})? [0-9.e+]+$`, 'm'), name);
  }
  const programmed = /^kubeproxy_network_programming_duration_seconds_count (\d+)$/m.exec(metrics);
  t.true(Number(programmed?.[1]) > 0, 'the endpoint slice changes of the tests above were timed from their trigger time');
});

test.serial('the proxy programs only its own table in each worker\'s namespace, and the host\'s nftables stay untouched', (t) => {
  for (const w of [a, b]) {
    const tables = execFileSync('nsenter', [`--net=/run/netns/${w.netns}`, '/usr/sbin/nft', 'list', 'tables'], { encoding: 'utf8' });
    t.regex(tables, /^table ip skiff-proxy$/m);
  }
  t.false(execFileSync('/usr/sbin/nft', ['list', 'tables'], { encoding: 'utf8' }).includes('skiff-proxy'));
});
