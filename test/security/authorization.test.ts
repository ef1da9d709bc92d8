import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientCertificate, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';
import { kubectl } from '../helpers/kubectl.js';

let cluster: TestCluster;
type Creds = { cert: string; key: string };
let alice: Creds;
let bob: Creds;

test.before(async () => {
  cluster = await startCluster();
  alice = await clientCertificate(cluster, 'alice', ['developers']);
  bob = await clientCertificate(cluster, 'bob', ['auditors']);
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'dev' } });
  await call(cluster, 'POST', '/api/v1/namespaces/dev/configmaps', { metadata: { name: 'settings' }, data: { a: '1' } });
  await call(cluster, 'POST', '/api/v1/namespaces/dev/configmaps', { metadata: { name: 'other' }, data: { a: '1' } });
});

test.after.always(async () => {
  await cluster?.stop();
});

const as = (who: Creds, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(cluster, method, path, body, headers, { token: null, ...who });
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const CMS = '/api/v1/namespaces/dev/configmaps';

/** A kubeconfig for kubectl as one of the certificate users. */
function kubeconfigFor(name: string, who: Creds): string {
  const dir = cluster.dir;
  writeFileSync(join(dir, `${name}.crt`), who.cert);
  writeFileSync(join(dir, `${name}.key`), who.key);
  const path = join(dir, `${name}.kubeconfig`);
  writeFileSync(path, [
    'apiVersion: v1', 'kind: Config', 'current-context: c',
    'clusters:', '- name: c', '  cluster:', `    server: ${cluster.url}`, `    certificate-authority: ${cluster.caFile}`,
    'users:', `- name: ${name}`, '  user:', `    client-certificate: ${join(dir, `${name}.crt`)}`, `    client-key: ${join(dir, `${name}.key`)}`,
    'contexts:', '- name: c', '  context:', '    cluster: c', `    user: ${name}`, '',
  ].join('\n'));
  return path;
}

test.serial('a user with no bindings is refused everything with kube\'s Forbidden Status', async (t) => {
  const r = await as(alice, 'GET', CMS);
  t.is(r.status, 403);
  t.like(r.body, { kind: 'Status', reason: 'Forbidden', code: 403, details: { kind: 'configmaps' } });
  t.is(r.body.message, 'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "dev"');
  const named = await as(alice, 'GET', `${CMS}/settings`);
  t.is(named.body.message, 'configmaps "settings" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "dev"');
  const nodes = await as(alice, 'GET', '/api/v1/nodes');
  t.is(nodes.body.message, 'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
  const metrics = await as(alice, 'GET', '/metrics');
  t.is(metrics.status, 403);
  t.is(metrics.body.message, 'forbidden: User "alice" cannot get path "/metrics"');
  t.is((await as(alice, 'GET', '/apis')).status, 200, 'discovery is open to every authenticated user');
  t.is((await as(alice, 'GET', '/version')).status, 200);
});

test.serial('a Role and RoleBinding grant exactly their verbs, resources and names, in their namespace only', async (t) => {
  t.is((await call(cluster, 'POST', `${RBAC}/namespaces/dev/roles`, {
    metadata: { name: 'settings-reader' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'update'], resourceNames: ['settings'] }, { apiGroups: [''], resources: ['configmaps'], verbs: ['list', 'watch'] }],
  })).status, 201);
  t.is((await call(cluster, 'POST', `${RBAC}/namespaces/dev/rolebindings`, {
    metadata: { name: 'alice-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'settings-reader' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
  })).status, 201);
  // The authorizer follows the watch cache: wait until the binding is seen.
  for (let i = 0; i < 50 && (await as(alice, 'GET', CMS)).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));

  t.is((await as(alice, 'GET', CMS)).status, 200);
  t.is((await as(alice, 'GET', `${CMS}?watch=1&timeoutSeconds=1`)).status, 200);
  t.is((await as(alice, 'GET', `${CMS}/settings`)).status, 200);
  const current = (await as(alice, 'GET', `${CMS}/settings`)).body;
  t.is((await as(alice, 'PUT', `${CMS}/settings`, { ...current, data: { a: '2' } })).status, 200);
  // Every other verb, the other name, and another namespace are refused.
  const refused: Array<[string, string, unknown?, Record<string, string>?]> = [
    ['GET', `${CMS}/other`], ['PUT', `${CMS}/other`, { metadata: { name: 'other' }, data: {} }],
    ['POST', CMS, { metadata: { name: 'new' } }],
    ['PATCH', `${CMS}/settings`, { data: { b: '1' } }, { 'Content-Type': 'application/merge-patch+json' }],
    ['DELETE', `${CMS}/settings`], ['DELETE', CMS],
    ['GET', '/api/v1/namespaces/default/configmaps'], ['GET', '/api/v1/configmaps'], ['GET', '/api/v1/namespaces/dev/secrets'],
  ];
  for (const [method, path, body, headers] of refused) {
    const r = await as(alice, method, path, body, headers);
    t.is(r.status, 403, `${method} ${path}`);
  }
  t.is((await as(alice, 'GET', `${CMS}/other`)).body.message, 'configmaps "other" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "dev"');
  t.is((await as(alice, 'GET', `${CMS}?fieldSelector=metadata.name%3Dsettings`)).status, 200);
  // A field selector narrows only lists and watches; it lends its name to no other verb.
  t.is((await as(alice, 'POST', `${CMS}?fieldSelector=metadata.name%3Dsettings`, { metadata: { name: 'sneaky' } })).status, 403);
  t.is((await as(alice, 'DELETE', `${CMS}?fieldSelector=metadata.name%3Dsettings`)).status, 403);
});

test.serial('a ClusterRoleBinding to a group grants cluster-wide; view cannot read secrets', async (t) => {
  t.is((await call(cluster, 'POST', `${RBAC}/clusterrolebindings`, {
    metadata: { name: 'auditors-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'auditors' }],
  })).status, 201);
  for (let i = 0; i < 50 && (await as(bob, 'GET', '/api/v1/pods')).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
  t.is((await as(bob, 'GET', '/api/v1/pods')).status, 200);
  t.is((await as(bob, 'GET', '/apis/apps/v1/namespaces/dev/deployments')).status, 200);
  t.is((await as(bob, 'GET', '/api/v1/namespaces/dev/secrets')).status, 403);
  t.is((await as(bob, 'POST', CMS, { metadata: { name: 'nope' } })).status, 403);
});

test.serial('kubectl auth can-i answers from the authorizer for the caller', async (t) => {
  const config = kubeconfigFor('alice', alice);
  const yes = await kubectl({ ...cluster, kubeconfig: config }, ['auth', 'can-i', 'get', 'configmaps/settings', '-n', 'dev']);
  t.is(yes.stdout.trim(), 'yes');
  const no = await kubectl({ ...cluster, kubeconfig: config }, ['auth', 'can-i', 'delete', 'configmaps', '-n', 'dev']);
  t.is(no.stdout.trim(), 'no');
  t.is(no.code, 1);
  const admin = await kubectl(cluster, ['auth', 'can-i', '*', '*', '--all-namespaces']);
  t.is(admin.stdout.trim(), 'yes');
  const list = await kubectl({ ...cluster, kubeconfig: config }, ['auth', 'can-i', '--list', '-n', 'dev']);
  t.is(list.code, 0, list.stderr);
  t.regex(list.stdout, /configmaps\s+\[\]\s+\[settings\]\s+\[get update\]/);
  t.regex(list.stdout, /configmaps\s+\[\]\s+\[\]\s+\[list watch\]/);
  t.regex(list.stdout, /\[\/api\/\*\]\s+\[\]\s+\[get\]/);
  const whoami = await kubectl({ ...cluster, kubeconfig: config }, ['auth', 'whoami', '-o', 'json']);
  t.is(whoami.code, 0, whoami.stderr);
  t.deepEqual(JSON.parse(whoami.stdout).status.userInfo, { username: 'alice', groups: ['developers', 'system:authenticated'] });
  // Impersonation: the admin may act as alice and gets exactly her answers; alice may not act as anyone.
  t.is((await kubectl(cluster, ['auth', 'can-i', 'list', 'configmaps', '-n', 'dev', '--as', 'alice'])).stdout.trim(), 'yes');
  t.is((await kubectl(cluster, ['auth', 'can-i', 'delete', 'nodes', '--as', 'alice'])).stdout.trim(), 'no');
  const asAlice = await kubectl(cluster, ['create', 'configmap', 'impersonated', '-n', 'dev', '--as', 'alice']);
  t.regex(asAlice.stderr, /User "alice" cannot create resource "configmaps"/);
  const escalate = await kubectl({ ...cluster, kubeconfig: config }, ['get', 'secrets', '-A', '--as', 'kubernetes-admin', '--as-group', 'system:masters']);
  t.regex(escalate.stderr, /User "alice" cannot impersonate resource "users" in API group "" at the cluster scope/);
});

test.serial('no one grants what they do not hold: escalation through roles and bindings is refused', async (t) => {
  t.is((await call(cluster, 'POST', `${RBAC}/namespaces/dev/roles`, {
    metadata: { name: 'rbac-manager' },
    rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'get', 'list'] }],
  })).status, 201);
  t.is((await call(cluster, 'POST', `${RBAC}/namespaces/dev/rolebindings`, {
    metadata: { name: 'alice-manages' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rbac-manager' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
  })).status, 201);
  for (let i = 0; i < 50 && (await as(alice, 'GET', `${RBAC}/namespaces/dev/roles`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));

  const grab = await as(alice, 'POST', `${RBAC}/namespaces/dev/roles`, { metadata: { name: 'secret-grab' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] });
  t.is(grab.status, 403);
  t.regex(grab.body.message, /attempting to grant RBAC permissions not currently held/);
  const admin = await as(alice, 'POST', `${RBAC}/namespaces/dev/rolebindings`, {
    metadata: { name: 'alice-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
  });
  t.is(admin.status, 403);
  // What she holds she may hand on.
  const ok = await as(alice, 'POST', `${RBAC}/namespaces/dev/roles`, { metadata: { name: 'subset' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] });
  t.is(ok.status, 201);
  t.is((await call(cluster, 'GET', `${RBAC}/namespaces/dev/roles/secret-grab`)).status, 404, 'nothing was written');
});
