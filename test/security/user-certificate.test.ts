import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';

let cluster: TestCluster;

test.before(async () => {
  cluster = await startCluster({}, { controllers: true });
});

test.after.always(async () => {
  await cluster?.stop();
});

test('a new user, the README way: openssl key and CSR, kubectl certificate approve, a RoleBinding', async (t) => {
  const dir = cluster.dir;
  const key = join(dir, 'jane.key');
  const csr = join(dir, 'jane.csr');
  execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', '/CN=jane/O=developers', '-out', csr], { stdio: 'ignore' });
  const manifest = [
    'apiVersion: certificates.k8s.io/v1', 'kind: CertificateSigningRequest', 'metadata:', '  name: jane', 'spec:',
    `  request: ${readFileSync(csr).toString('base64')}`, '  signerName: kubernetes.io/kube-apiserver-client', '  usages: [client auth]', '',
  ].join('\n');
  await kubectlOk(cluster, ['create', '-f', '-'], manifest);
  t.regex(await kubectlOk(cluster, ['get', 'csr', 'jane']), /jane\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+admin\s+<none>\s+Pending/);
  await kubectlOk(cluster, ['certificate', 'approve', 'jane']);
  let certificate = '';
  for (let i = 0; i < 100 && !certificate; i++) {
    certificate = await kubectlOk(cluster, ['get', 'csr', 'jane', '-o', 'jsonpath={.status.certificate}']);
    if (!certificate) await new Promise((r) => setTimeout(r, 100));
  }
  t.truthy(certificate, 'the controller-manager signed it');
  t.regex(await kubectlOk(cluster, ['get', 'csr', 'jane']), /Approved,Issued/);
  writeFileSync(join(dir, 'jane.crt'), Buffer.from(certificate, 'base64'));

  await kubectlOk(cluster, ['create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'default']);
  const janeConfig = join(dir, 'jane.kubeconfig');
  writeFileSync(janeConfig, readFileSync(cluster.kubeconfig, 'utf8').replace(/users:[\s\S]*?contexts:/, `users:\n- name: admin\n  user:\n    client-certificate: ${join(dir, 'jane.crt')}\n    client-key: ${key}\ncontexts:`));
  const jane = { ...cluster, kubeconfig: janeConfig };
  await kubectlOk(cluster, ['create', 'configmap', 'shared', '--from-literal=a=1']);
  for (let i = 0; i < 50 && (await kubectl(jane, ['get', 'configmaps'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  t.regex(await kubectlOk(jane, ['get', 'configmaps']), /shared/);
  const secrets = await kubectl(jane, ['get', 'secrets']);
  t.not(secrets.code, 0);
  t.regex(secrets.stderr, /User "jane" cannot list resource "secrets" in API group "" in the namespace "default"/);
  const write = await kubectl(jane, ['create', 'configmap', 'mine', '--from-literal=a=1']);
  t.regex(write.stderr, /forbidden/);
  t.is((await kubectl(jane, ['auth', 'can-i', 'list', 'pods', '-n', 'kube-system'])).stdout.trim(), 'no');
});

test('a service account user, the README way: kubectl create token', async (t) => {
  await kubectlOk(cluster, ['create', 'serviceaccount', 'ci']);
  await kubectlOk(cluster, ['create', 'rolebinding', 'ci-edit', '--clusterrole=edit', '--serviceaccount=default:ci']);
  const token = (await kubectlOk(cluster, ['create', 'token', 'ci', '--duration=15m'])).trim();
  t.is(token.split('.').length, 3);
  const asCi = (args: string[]) => kubectl(cluster, ['--token', token, ...args]);
  for (let i = 0; i < 50 && (await asCi(['get', 'configmaps'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  t.is((await asCi(['create', 'configmap', 'from-ci', '--from-literal=a=1'])).code, 0);
  const nodes = await asCi(['get', 'nodes']);
  t.regex(nodes.stderr, /User "system:serviceaccount:default:ci" cannot list resource "nodes"/);
});

test('approving a request takes the approve verb on its signer, not just update on the approval', async (t) => {
  const dir = cluster.dir;
  execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'm.key'), '-subj', '/CN=mallory/O=system:masters', '-out', join(dir, 'm.csr')], { stdio: 'ignore' });
  await kubectlOk(cluster, ['create', '-f', '-'], [
    'apiVersion: certificates.k8s.io/v1', 'kind: CertificateSigningRequest', 'metadata:', '  name: mallory', 'spec:',
    `  request: ${readFileSync(join(dir, 'm.csr')).toString('base64')}`, '  signerName: kubernetes.io/kube-apiserver-client', '  usages: [client auth]', '',
  ].join('\n'));
  await kubectlOk(cluster, ['create', 'clusterrole', 'csr-updater', '--verb=get,list,update', '--resource=certificatesigningrequests,certificatesigningrequests/approval']);
  await kubectlOk(cluster, ['create', 'clusterrolebinding', 'ci-csr-updater', '--clusterrole=csr-updater', '--serviceaccount=default:ci']);
  const token = (await kubectlOk(cluster, ['create', 'token', 'ci'])).trim();
  let refused = await kubectl(cluster, ['--token', token, 'certificate', 'approve', 'mallory']);
  for (let i = 0; i < 30 && /cannot get resource/.test(refused.stderr); i++) {
    await new Promise((r) => setTimeout(r, 100));
    refused = await kubectl(cluster, ['--token', token, 'certificate', 'approve', 'mallory']);
  }
  t.regex(refused.stderr, /user not permitted to approve requests with signerName "kubernetes.io\/kube-apiserver-client"/);
  await new Promise((r) => setTimeout(r, 300));
  t.is(await kubectlOk(cluster, ['get', 'csr', 'mallory', '-o', 'jsonpath={.status.certificate}']), '', 'nothing was signed');
  await kubectlOk(cluster, ['create', 'clusterrolebinding', 'ci-approver', '--clusterrole=system:certificates.k8s.io:kube-apiserver-client-approver', '--serviceaccount=default:ci']);
  let approved = await kubectl(cluster, ['--token', token, 'certificate', 'deny', 'mallory']);
  for (let i = 0; i < 30 && approved.code !== 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    approved = await kubectl(cluster, ['--token', token, 'certificate', 'deny', 'mallory']);
  }
  t.is(approved.code, 0, approved.stderr);
  t.regex(await kubectlOk(cluster, ['get', 'csr', 'mallory']), /Denied/);
});

test('the signers refuse what their kind of certificate may not be, even once approved', async (t) => {
  const dir = cluster.dir;
  const request = (name: string, subject: string) => {
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, `${name}.key`), '-subj', subject, '-out', join(dir, `${name}.csr`)], { stdio: 'ignore' });
    return readFileSync(join(dir, `${name}.csr`)).toString('base64');
  };
  const csr = (name: string, subject: string, signer: string, usages: string) => [
    'apiVersion: certificates.k8s.io/v1', 'kind: CertificateSigningRequest', 'metadata:', `  name: ${name}`, 'spec:',
    `  request: ${request(name, subject)}`, `  signerName: ${signer}`, `  usages: ${usages}`, '',
  ].join('\n');
  await kubectlOk(cluster, ['create', '-f', '-'], csr('not-a-node', '/CN=bob', 'kubernetes.io/kube-apiserver-client-kubelet', '[client auth]'));
  await kubectlOk(cluster, ['create', '-f', '-'], csr('serving', '/CN=web', 'kubernetes.io/kube-apiserver-client', '[server auth]'));
  const noUsages = await kubectl(cluster, ['create', '-f', '-'], csr('no-usages', '/CN=x', 'kubernetes.io/kube-apiserver-client', '[]'));
  t.regex(noUsages.stderr, /spec.usages: Required value/);
  await kubectlOk(cluster, ['certificate', 'approve', 'not-a-node', 'serving']);
  for (const name of ['not-a-node', 'serving']) {
    let conditions = '';
    for (let i = 0; i < 50 && !conditions.includes('Failed'); i++) {
      conditions = await kubectlOk(cluster, ['get', 'csr', name, '-o', 'jsonpath={.status.conditions[*].type}']);
      if (!conditions.includes('Failed')) await new Promise((r) => setTimeout(r, 100));
    }
    t.is(conditions, 'Approved Failed', name);
    t.is(await kubectlOk(cluster, ['get', 'csr', name, '-o', 'jsonpath={.status.certificate}']), '', `${name} was not signed`);
  }
});
