import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';
import { kubectlOk } from '../helpers/kubectl.js';

let cluster: TestCluster;
test.before(async () => {
  cluster = await startCluster();
  await call(cluster, 'POST', CMS, { metadata: { name: 'watched' } });
});
test.after.always(async () => {
  await cluster?.stop();
});

const CMS = '/api/v1/namespaces/default/configmaps';

/** Whether the answer is a watch stream (events, one per line) rather than a list. */
const isWatchStream = (text: string) => text.split('\n').filter(Boolean).every((line) => /^\{"type":"(ADDED|BOOKMARK)"/.test(line));

for (const value of ['True', 'TRUE', 'yes', '']) {
  test(`watch=${value} is a watch, as kube-apiserver reads booleans`, async (t) => {
    const r = await call(cluster, 'GET', `${CMS}?watch=${value}&timeoutSeconds=1`);
    t.is(r.status, 200);
    t.true(isWatchStream(r.text), r.text.slice(0, 200));
    t.regex(r.text, /"name":"watched"/);
  });
}

for (const value of ['0', 'false', 'False', 'FALSE']) {
  test(`watch=${value} is a list`, async (t) => {
    const r = await call(cluster, 'GET', `${CMS}?watch=${value}`);
    t.is(r.status, 200);
    t.is(r.body.kind, 'ConfigMapList');
  });
}

test('allowWatchBookmarks=True with sendInitialEvents=True ends the initial events with a bookmark', async (t) => {
  const r = await call(cluster, 'GET', `${CMS}?watch=1&allowWatchBookmarks=True&sendInitialEvents=True&resourceVersionMatch=NotOlderThan&timeoutSeconds=1`);
  t.is(r.status, 200, r.text.slice(0, 300));
  t.regex(r.text, /"type":"BOOKMARK"/);
});

test('/version/ answers as /version', async (t) => {
  const plain = await call(cluster, 'GET', '/version');
  const slash = await call(cluster, 'GET', '/version/');
  t.is(slash.status, 200, slash.text.slice(0, 200));
  t.deepEqual(slash.body, plain.body);
});

for (const grace of ['9223372036854775808', '1e3', 'soon', '-9223372036854775809']) {
  test(`gracePeriodSeconds=${grace} on DELETE is 400 and deletes nothing`, async (t) => {
    const name = `grace-${grace.length}-${grace.replace(/\W/g, '')}`.toLowerCase();
    t.is((await call(cluster, 'POST', CMS, { metadata: { name } })).status, 201);
    const r = await call(cluster, 'DELETE', `${CMS}/${name}?gracePeriodSeconds=${grace}`);
    t.is(r.status, 400, r.text.slice(0, 300));
    t.is(r.body.reason, 'BadRequest');
    t.is((await call(cluster, 'GET', `${CMS}/${name}`)).status, 200);
  });
}

test('a gracePeriodSeconds in the body past int64 is 400', async (t) => {
  t.is((await call(cluster, 'POST', CMS, { metadata: { name: 'grace-body' } })).status, 201);
  const r = await call(cluster, 'DELETE', `${CMS}/grace-body`, '{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":1e20}');
  t.is(r.status, 400, r.text.slice(0, 300));
  t.is((await call(cluster, 'GET', `${CMS}/grace-body`)).status, 200);
});

test('a large gracePeriodSeconds within int64 deletes the object without a server error', async (t) => {
  t.is((await call(cluster, 'POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'long-grace' }, spec: { containers: [{ name: 'c', image: 'i' }] } })).status, 201);
  const r = await call(cluster, 'DELETE', '/api/v1/namespaces/default/pods/long-grace?gracePeriodSeconds=9223372036854775807');
  t.true(r.status < 500, r.text.slice(0, 300));
});

test('approving a CSR through /approval stamps its condition with lastUpdateTime and lastTransitionTime', async (t) => {
  const dir = cluster.dir;
  execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'c.key'), '-subj', '/CN=carol', '-out', join(dir, 'c.csr')], { stdio: 'ignore' });
  const csr = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'carol' },
    spec: { request: readFileSync(join(dir, 'c.csr')).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] } };
  t.is((await call(cluster, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', csr)).status, 201);
  await kubectlOk(cluster, ['certificate', 'approve', 'carol']);
  const got = (await call(cluster, 'GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/carol')).body;
  const approved = got.status.conditions.find((c: any) => c.type === 'Approved');
  t.truthy(approved);
  t.regex(approved.lastUpdateTime ?? '', /^\d{4}-\d\d-\d\dT/);
  t.regex(approved.lastTransitionTime ?? '', /^\d{4}-\d\d-\d\dT/);
});
