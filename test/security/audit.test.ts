import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { clientCertificate, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';

let cluster: TestCluster;
let auditFile: string;

test.before(async () => {
  auditFile = join(mkdtempSync('/tmp/skiff-audit-'), 'audit.log');
  cluster = await startCluster({ auditLogPath: auditFile });
});

test.after.always(async () => {
  await cluster?.stop();
  if (auditFile) rmSync(dirname(auditFile), { recursive: true, force: true });
});

/** The audit lines written so far, once the server has flushed them. */
async function lines(): Promise<any[]> {
  await new Promise((r) => setTimeout(r, 100));
  return readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test.serial('mutating requests are audited with who, what and the outcome; reads are not', async (t) => {
  const SECRETS = '/api/v1/namespaces/default/secrets';
  t.is((await call(cluster, 'POST', SECRETS, { metadata: { name: 'audited' }, stringData: { password: 'hunter2-in-the-body' } })).status, 201);
  t.is((await call(cluster, 'GET', `${SECRETS}/audited`)).status, 200);
  t.is((await call(cluster, 'GET', SECRETS)).status, 200);
  t.is((await call(cluster, 'PATCH', `${SECRETS}/audited`, { metadata: { labels: { a: 'b' } } }, { 'Content-Type': 'application/merge-patch+json' })).status, 200);
  t.is((await call(cluster, 'DELETE', `${SECRETS}/audited`)).status, 200);
  t.is((await call(cluster, 'POST', SECRETS, { metadata: { name: 'Bad_Name' } })).status, 422);

  const events = await lines();
  const ours = events.filter((e) => e.objectRef?.resource === 'secrets');
  t.deepEqual(ours.map((e) => [e.verb, e.objectRef.name ?? '', e.responseStatus.code]), [
    ['create', '', 201], ['patch', 'audited', 200], ['delete', 'audited', 200], ['create', '', 422],
  ]);
  for (const e of ours) {
    t.is(e.kind, 'Event');
    t.is(e.apiVersion, 'audit.k8s.io/v1');
    t.is(e.user.username, 'admin');
    t.true(e.user.groups.includes('system:masters'));
    t.is(e.objectRef.namespace, 'default');
    t.regex(e.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  }
  t.is(ours[3].responseStatus.reason, 'Invalid');
  const text = readFileSync(auditFile, 'utf8');
  t.false(text.includes('hunter2'), 'secret data never reaches the audit log');
  t.false(text.includes(cluster.token), 'credentials never reach the audit log');
});

test.serial('requests without good credentials are audited as 401', async (t) => {
  t.is((await call(cluster, 'GET', '/api/v1/namespaces', undefined, {}, { token: 'forged-token' })).status, 401);
  const denied = (await lines()).filter((e) => e.responseStatus.code === 401);
  t.is(denied.length, 1);
  t.deepEqual(denied[0].user, {});
  t.is(denied[0].requestURI, '/api/v1/namespaces');
  t.deepEqual([denied[0].verb, denied[0].objectRef.resource], ['list', 'namespaces']);
  t.false(readFileSync(auditFile, 'utf8').includes('forged-token'));
});

test.serial('refused requests are audited as 403 with the authorization decision; allowed reads are not', async (t) => {
  const eve = await clientCertificate(cluster, 'eve', ['interns']);
  t.is((await call(cluster, 'GET', '/api/v1/namespaces/kube-system/secrets/anything', undefined, {}, { token: null, ...eve })).status, 403);
  t.is((await call(cluster, 'GET', '/apis', undefined, {}, { token: null, ...eve })).status, 200);
  const forbidden = (await lines()).filter((e) => e.responseStatus.code === 403);
  t.is(forbidden.length, 1);
  t.like(forbidden[0], {
    verb: 'get', user: { username: 'eve', groups: ['interns', 'system:authenticated'] },
    objectRef: { resource: 'secrets', namespace: 'kube-system', name: 'anything', apiVersion: 'v1' },
    annotations: { 'authorization.k8s.io/decision': 'forbid' },
  });
  t.false((await lines()).some((e) => e.requestURI === '/apis'));
});

test.serial('a malformed secret body is refused without its content reaching the answer or the audit log', async (t) => {
  const r = await call(cluster, 'POST', '/api/v1/namespaces/default/secrets', '{"metadata":{"name":"leaky"},"stringData":{"password":sw0rdfish-in-a-broken-body}}');
  t.is(r.status, 400);
  t.false(r.text.includes('sw0rdfish'));
  await lines();
  t.false(readFileSync(auditFile, 'utf8').includes('sw0rdfish'));
});

test.serial('an impersonated request is audited with both who asked and who it ran as', async (t) => {
  const r = await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'as-someone' } }, { 'Impersonate-User': 'someone', 'Impersonate-Group': 'team-a' });
  t.is(r.status, 403);
  const event = (await lines()).find((e) => e.requestURI === '/api/v1/namespaces/default/configmaps' && e.responseStatus.code === 403);
  t.is(event?.user.username, 'admin');
  t.deepEqual(event?.impersonatedUser, { username: 'someone', groups: ['team-a', 'system:authenticated'] });
  const badExtra = await call(cluster, 'GET', '/api/v1/namespaces', undefined, { 'Impersonate-User': 'someone', 'Impersonate-Extra-%zz': 'x' });
  t.is(badExtra.status, 400);
});
