import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { nodeCondition } from '../../api/node-status.js';
import { NODES } from '../../client/resources.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { startContainerd, type TestRuntime } from '../helpers/containerd.js';
import { eventually } from '../helpers/eventually.js';
import { call } from '../helpers/http.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'skiff.js');
let cluster: TestCluster;
let runtime: TestRuntime;
test.before(async () => {
  [cluster, runtime] = await Promise.all([startCluster({ enableBootstrapTokenAuth: true }, { controllers: true }), startContainerd()]);
  const created = await call(cluster, 'POST', '/api/v1/namespaces/kube-system/secrets', {
    metadata: { name: 'bootstrap-token-b00tst' }, type: 'bootstrap.kubernetes.io/token',
    stringData: { 'token-id': 'b00tst', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', expiration: new Date(Date.now() + 3600_000).toISOString() },
  });
  if (created.status !== 201) throw new Error(`bootstrap token: ${created.text}`);
});
test.after.always(async () => {
  await runtime?.stop();
  await cluster?.stop();
});

test('skiff node-agent --bootstrap-kubeconfig joins with a bootstrap token: it gets its own certificate, writes --kubeconfig and registers as system:node:<name>', async (t) => {
  const bootstrap = join(runtime.dir, 'bootstrap.kubeconfig');
  const kubeconfig = join(runtime.dir, 'node.kubeconfig');
  writeFileSync(bootstrap, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'bootstrap',
    clusters: [{ name: 'c', cluster: { server: cluster.url, 'certificate-authority': cluster.caFile } }],
    users: [{ name: 'bootstrap', user: { token: 'b00tst.0123456789abcdef' } }],
    contexts: [{ name: 'bootstrap', context: { cluster: 'c', user: 'bootstrap' } }],
  }));
  const agent = spawn(process.execPath, [bin, 'node-agent', `--bootstrap-kubeconfig=${bootstrap}`, `--kubeconfig=${kubeconfig}`,
    `--container-runtime-endpoint=${runtime.endpoint}`, '--hostname-override=joiner', '--node-ip=10.0.0.9', `--root-dir=${join(runtime.dir, 'agent')}`, '--port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  agent.stdout.on('data', (d) => { out += d; });
  agent.stderr.on('data', (d) => { out += d; });
  const admin = adminClient(cluster);
  try {
    const node = await eventually('the node registered and Ready', async () => {
      const n = await admin.get(NODES, 'joiner').catch(() => undefined);
      return n && nodeCondition(n.status, 'Ready')?.status === 'True' && n;
    }, 30_000, 200).catch((err) => { throw new Error(`${err.message}: ${out.slice(-2000)}`); });
    t.is(node.status.addresses[0].address, '10.0.0.9');
    t.true(existsSync(kubeconfig));
    const written = readFileSync(kubeconfig, 'utf8');
    t.regex(written, /client-certificate-data/);
    t.notRegex(written, /0123456789abcdef/, 'the bootstrap token is not kept');
    t.regex(out, /node credentials bootstrapped/);
  } finally {
    admin.close();
    const gone = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGTERM');
    await gone;
  }
});
