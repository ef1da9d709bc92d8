import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PODS } from '../../client/resources.js';
import { adminClient } from '../helpers/apiserver.js';
import { startAgentNode, type AgentNode } from '../helpers/agent-node.js';
import { eventually } from '../helpers/eventually.js';
import { BUSYBOX_IMAGE } from '../helpers/containerd.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';

let node: AgentNode;
test.before(async () => {
  node = await startAgentNode('worker-exec');
  await node.runningPod('shell', [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'mkdir -p /data && echo inside > /data/hello.txt && sleep 3600'] }]);
});
test.after.always(async () => {
  await node?.stop();
});

test('kubectl exec runs a command in the container: its stdout, stderr and exit code come back', async (t) => {
  t.is(await kubectlOk(node.cluster, ['exec', 'shell', '--', 'cat', '/data/hello.txt']), 'inside\n');
  const failed = await kubectl(node.cluster, ['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
  t.is(failed.code, 7);
  t.is(failed.stdout, 'out\n');
  t.regex(failed.stderr, /err\n/);
  t.regex(failed.stderr, /command terminated with exit code 7/);
  const missing = await kubectl(node.cluster, ['exec', 'shell', '-c', 'nope', '--', 'true']);
  t.not(missing.code, 0);
  t.regex(missing.stderr, /container nope is not valid for pod shell/);
});

test('kubectl exec -i passes stdin and its end to the command', async (t) => {
  const out = await kubectlOk(node.cluster, ['exec', '-i', 'shell', '--', 'sh', '-c', 'wc -l; echo finished'], 'a\nb\nc\n');
  t.is(out.replace(/ +/g, ''), '3\nfinished\n');
});

test('kubectl exec -it gives the command a terminal', async (t) => {
  const child = spawn('script', ['-qec', 'kubectl exec -it shell -- sh -c "tty; stty size; exit 3"', '/dev/null'], {
    env: { ...process.env, KUBECONFIG: node.cluster.kubeconfig, HOME: node.cluster.dir, COLUMNS: '100', LINES: '40' },
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? -1)));
  t.regex(out, /\/dev\/pts\/\d+/, out);
  t.is(code, 3, out);
});

test('kubectl cp copies a file into the pod and back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cp-'));
  try {
    writeFileSync(join(dir, 'up.txt'), 'copied in\n'.repeat(1000));
    await kubectlOk(node.cluster, ['cp', join(dir, 'up.txt'), 'shell:/data/up.txt']);
    t.is(await kubectlOk(node.cluster, ['exec', 'shell', '--', 'wc', '-c', '/data/up.txt']), '10000 /data/up.txt\n');
    await kubectlOk(node.cluster, ['cp', 'shell:/data/hello.txt', join(dir, 'down.txt')]);
    t.is(readFileSync(join(dir, 'down.txt'), 'utf8'), 'inside\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kubectl port-forward reaches a port of the pod, one bound to the pod\'s own localhost too, for several connections', async (t) => {
  await node.runningPod('web', [{
    name: 'main', image: BUSYBOX_IMAGE,
    command: ['sh', '-c', 'mkdir -p /www /lo && echo served > /www/index.html && echo local > /lo/index.html && httpd -p 8080 -h /www && exec httpd -f -p 127.0.0.1:9090 -h /lo'],
  }]);
  const child = spawn('kubectl', ['port-forward', 'pod/web', ':8080', ':9090'], { env: { ...process.env, KUBECONFIG: node.cluster.kubeconfig, HOME: node.cluster.dir } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  try {
    const ports = await new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no forwarding after 20 s: ${out} ${err}`)), 20_000);
      const check = () => {
        const found = [...out.matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
        if (found.length === 2) {
          clearTimeout(timer);
          resolve([8080, 9090].map((p) => found.find((f) => f[1] === p)![0]));
        }
      };
      child.stdout.on('data', check);
    });
    for (let i = 0; i < 3; i++) {
      t.is(await (await fetch(`http://127.0.0.1:${ports[0]}/`)).text(), 'served\n');
    }
    t.is(await (await fetch(`http://127.0.0.1:${ports[1]}/`)).text(), 'local\n');
  } finally {
    child.kill('SIGINT');
  }
});

test('httpGet and tcpSocket probes reach the pod from the agent in the worker\'s namespace: readiness follows the served page', async (t) => {
  const admin = adminClient(node.cluster);
  try {
    await node.runningPod('probed', [{
      name: 'main', image: BUSYBOX_IMAGE,
      command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www'],
      ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
      livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
    }]);
    const ready = async () => (await admin.get(PODS, 'probed', { namespace: 'default' })).status?.conditions?.find((c: any) => c.type === 'Ready')?.status;
    await eventually('Ready through the httpGet probe', async () => (await ready()) === 'True', 20_000, 200);
    await kubectlOk(node.cluster, ['exec', 'probed', '--', 'rm', '/www/healthz']);
    await eventually('not Ready once the page is gone', async () => (await ready()) === 'False', 20_000, 200);
    const pod = await admin.get(PODS, 'probed', { namespace: 'default' });
    t.is(pod.status.containerStatuses[0].restartCount, 0, 'the tcpSocket liveness probe keeps passing');
  } finally {
    admin.close();
  }
});

test('kubectl attach follows the output of the container\'s own process', async (t) => {
  await node.runningPod('ticker', [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'while true; do echo tick; sleep 0.3; done'] }]);
  const child = spawn('kubectl', ['attach', 'ticker', '-c', 'main'], { env: { ...process.env, KUBECONFIG: node.cluster.kubeconfig, HOME: node.cluster.dir } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  await eventually('two ticks attached', async () => (out.match(/tick/g) ?? []).length >= 2, 15_000, 100);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
  t.regex(out, /^(tick\n)+/);
});
