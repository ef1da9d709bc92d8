import test, { type ExecutionContext } from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { defaultKubeconfigPaths, loadKubeconfig, parseKubeconfig } from './kubeconfig.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-kubeconfig-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const twoContexts = `
apiVersion: v1
kind: Config
current-context: admin@skiff
clusters:
- name: skiff
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority-data: ${b64('CA PEM')}
- name: lab
  cluster:
    server: https://lab.example:6443
    certificate-authority: pki/ca.crt
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: admin-token
    client-certificate-data: ${b64('CERT PEM')}
    client-key-data: ${b64('KEY PEM')}
- name: robot
  user:
    tokenFile: secrets/token
    client-certificate: pki/robot.crt
    client-key: /abs/robot.key
contexts:
- name: admin@skiff
  context: { cluster: skiff, user: admin, namespace: kube-system }
- name: robot@lab
  context: { cluster: lab, user: robot }
`;

test('the current context resolves to server, inline CA, token and client certificate', (t) => {
  t.deepEqual(parseKubeconfig(twoContexts, { baseDir: '/nowhere' }), {
    context: 'admin@skiff',
    server: 'https://10.0.0.1:6443',
    namespace: 'kube-system',
    ca: 'CA PEM',
    token: 'admin-token',
    cert: 'CERT PEM',
    key: 'KEY PEM',
  });
});

test('a named context reads files relative to the kubeconfig and keeps the token file for re-reading', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'pki'));
  writeFileSync(join(dir, 'pki', 'ca.crt'), 'LAB CA');
  writeFileSync(join(dir, 'pki', 'robot.crt'), 'ROBOT CERT');
  const text = twoContexts.replace('/abs/robot.key', join(dir, 'robot.key'));
  writeFileSync(join(dir, 'robot.key'), 'ROBOT KEY');
  t.deepEqual(parseKubeconfig(text, { baseDir: dir, context: 'robot@lab' }), {
    context: 'robot@lab',
    server: 'https://lab.example:6443',
    ca: 'LAB CA',
    insecure: true,
    tokenFile: join(dir, 'secrets', 'token'),
    cert: 'ROBOT CERT',
    key: 'ROBOT KEY',
  });
});

test('missing or unsupported pieces fail with a clear message', (t) => {
  t.throws(() => parseKubeconfig(twoContexts, { baseDir: '/', context: 'nope' }), { message: /no context "nope" \(known: admin@skiff, robot@lab\)/ });
  t.throws(() => parseKubeconfig('clusters: []', { baseDir: '/' }), { message: /no current-context/ });
  const exec = `
current-context: c
clusters: [{ name: k, cluster: { server: https://k } }]
users: [{ name: u, user: { exec: { command: aws } } }]
contexts: [{ name: c, context: { cluster: k, user: u } }]
`;
  t.throws(() => parseKubeconfig(exec, { baseDir: '/' }), { message: /exec credential plugins are not supported/ });
  const halfCert = exec.replace('exec: { command: aws }', `client-certificate-data: ${b64('x')}`);
  t.throws(() => parseKubeconfig(halfCert, { baseDir: '/' }), { message: /needs its key/ });
  const noCluster = exec.replace('cluster: k,', 'cluster: gone,');
  t.throws(() => parseKubeconfig(noCluster, { baseDir: '/' }), { message: /cluster "gone"/ });
  t.throws(() => parseKubeconfig('- a list', { baseDir: '/' }), { message: /YAML mapping/ });
});

test('several files merge: the first to define a name or the current context wins', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'first'), `
current-context: mine
clusters: [{ name: shared, cluster: { server: https://first } }]
contexts: [{ name: mine, context: { cluster: shared, user: me } }]
`);
  writeFileSync(join(dir, 'second'), `
current-context: theirs
clusters: [{ name: shared, cluster: { server: https://second } }]
users: [{ name: me, user: { token: from-second } }]
contexts: [{ name: theirs, context: { cluster: shared } }]
`);
  const paths = [join(dir, 'first'), join(dir, 'missing'), join(dir, 'second')];
  t.deepEqual(loadKubeconfig({ path: paths }), { context: 'mine', server: 'https://first', token: 'from-second' });
  t.deepEqual(loadKubeconfig({ path: paths, context: 'theirs' }), { context: 'theirs', server: 'https://first' });
  t.throws(() => loadKubeconfig({ path: join(dir, 'missing') }), { message: /no kubeconfig found/ });
});

test('KUBECONFIG lists the default files, else ~/.kube/config', (t) => {
  t.deepEqual(defaultKubeconfigPaths({ KUBECONFIG: ['/a', '', '/b'].join(delimiter) }), ['/a', '/b']);
  t.regex(defaultKubeconfigPaths({})[0], /\.kube[/\\]config$/);
});
