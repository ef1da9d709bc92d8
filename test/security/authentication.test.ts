import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { clientCertificate, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';
import { loadOrCreateCA } from '../../control-plane/pki/certificate-authority.js';
import { issueCertificate } from '../../control-plane/pki/issue-certificate.js';

let cluster: TestCluster;

test.before(async () => {
  cluster = await startCluster({ enableBootstrapTokenAuth: true });
});

test.after.always(async () => {
  await cluster?.stop();
});

const NAMESPACES = '/api/v1/namespaces';
const asUser = (opts: { token?: string | null; cert?: string; key?: string }) => call(cluster, 'GET', NAMESPACES, undefined, {}, { token: null, ...opts });
/** Who the server thinks the caller is, read from the 403 it gets for something nobody but admins may do. */
const whoIs = async (opts: { token?: string | null; cert?: string; key?: string }) => {
  const r = await call(cluster, 'GET', '/api/v1/namespaces/kube-system/secrets', undefined, {}, { token: null, ...opts });
  return r.status === 403 ? /User "([^"]+)"/.exec(r.body.message)?.[1] : `status ${r.status}`;
};

function expectUnauthorized(t: import('ava').ExecutionContext, r: { status: number; body: any }) {
  t.is(r.status, 401);
  t.like(r.body, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: 'Unauthorized' });
}

test('the serving certificate covers the kubernetes Service, by its cluster IP and its names, as in-cluster clients dial it', async (t) => {
  const url = new URL(cluster.url);
  const san = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().subjectaltname ?? '');
      socket.end();
    });
    socket.on('error', reject);
  });
  const service = await call(cluster, 'GET', '/api/v1/namespaces/default/services/kubernetes');
  t.is(service.status, 200);
  const names = san.split(', ');
  t.true(names.includes(`IP Address:${service.body.spec.clusterIP}`), san);
  for (const dns of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']) t.true(names.includes(`DNS:${dns}`), dns);
});

test('no credentials, a forged token and a malformed header are 401 Unauthorized', async (t) => {
  expectUnauthorized(t, await asUser({}));
  expectUnauthorized(t, await asUser({ token: 'not-a-real-token' }));
  expectUnauthorized(t, await call(cluster, 'GET', NAMESPACES, undefined, { Authorization: 'Bearer' }, { token: null }));
  expectUnauthorized(t, await call(cluster, 'GET', NAMESPACES, undefined, { Authorization: 'Basic YWRtaW46YWRtaW4=' }, { token: null }));
  t.is((await call(cluster, 'GET', '/healthz', undefined, {}, { token: null })).status, 200, 'health stays public');
  expectUnauthorized(t, await call(cluster, 'GET', '/healthz', undefined, {}, { token: 'not-a-real-token' }));
  t.is((await call(cluster, 'GET', '/version')).status, 200);
});

test('a client certificate from the cluster CA authenticates: CN is the user, O the groups', async (t) => {
  const admin = await clientCertificate(cluster, 'kubernetes-admin', ['system:masters']);
  t.is((await asUser(admin)).status, 200);
  const alice = await clientCertificate(cluster, 'alice', ['developers']);
  t.is(await whoIs(alice), 'alice');
});

test('a certificate from another CA, an expired one, or a serving-only one is 401', async (t) => {
  const otherCA = await loadOrCreateCA(join(cluster.dir, 'other-ca'));
  const foreign = await issueCertificate(otherCA, { commonName: 'mallory', organizations: ['system:masters'], usages: ['client'] });
  expectUnauthorized(t, await asUser({ cert: foreign.certPem, key: foreign.keyPem }));
  const expired = await clientCertificate(cluster, 'old-admin', ['system:masters'], { notBefore: new Date(Date.now() - 2 * 86400_000), notAfter: new Date(Date.now() - 86400_000) });
  expectUnauthorized(t, await asUser(expired));
  const ca = await loadOrCreateCA(join(cluster.dir, 'pki'));
  const serving = await issueCertificate(ca, { commonName: 'server-admin', organizations: ['system:masters'], usages: ['server'] });
  expectUnauthorized(t, await asUser({ cert: serving.certPem, key: serving.keyPem }));
});

test('service account tokens: issued by TokenRequest, refused once expired, forged, or their account is gone', async (t) => {
  t.is((await call(cluster, 'POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'robot' } })).status, 201);
  const issued = await call(cluster, 'POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } });
  t.is(issued.status, 201);
  t.is(issued.body.kind, 'TokenRequest');
  const token: string = issued.body.status.token;
  t.is(await whoIs({ token }), 'system:serviceaccount:default:robot');

  const tooShort = await call(cluster, 'POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', { spec: { expirationSeconds: 60 } });
  t.is(tooShort.status, 422);
  t.is((await call(cluster, 'POST', '/api/v1/namespaces/default/serviceaccounts/ghost/token', { spec: {} })).status, 404);

  // Signed by a key the server does not know.
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const [, payload] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
  expectUnauthorized(t, await asUser({ token: forged }));
  // The same claims with the signature of another token.
  const other = (await call(cluster, 'POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', { spec: { audiences: ['elsewhere'] } })).body.status.token as string;
  expectUnauthorized(t, await asUser({ token: other }), );
  expectUnauthorized(t, await asUser({ token: `${token.split('.').slice(0, 2).join('.')}.${other.split('.')[2]}` }));

  // Expired: issued by the server's own key, an hour in the past.
  const { ServiceAccountTokenIssuer } = await import('../../control-plane/apiserver/auth/service-account-token.js');
  const { ensureSigningKey } = await import('../../control-plane/apiserver/auth/service-account-token.js');
  const issuer = new ServiceAccountTokenIssuer(ensureSigningKey(join(cluster.dir, 'pki', 'sa.key')), cluster.server.options.serviceAccountIssuer);
  const sa = (await call(cluster, 'GET', '/api/v1/namespaces/default/serviceaccounts/robot')).body;
  const stale = await issuer.issue({ namespace: 'default', name: 'robot', uid: sa.metadata.uid, audiences: [cluster.server.options.serviceAccountIssuer], expirationSeconds: 600 }, new Date(Date.now() - 3600_000));
  expectUnauthorized(t, await asUser({ token: stale.token }));

  t.is((await call(cluster, 'DELETE', '/api/v1/namespaces/default/serviceaccounts/robot')).status, 200);
  expectUnauthorized(t, await asUser({ token }));
});

test('bootstrap tokens authenticate as system:bootstrap:<id> until they expire', async (t) => {
  const secret = (id: string, expiration: string) => ({
    apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    stringData: { 'token-id': id, 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', expiration },
  });
  t.is((await call(cluster, 'POST', '/api/v1/namespaces/kube-system/secrets', secret('abcdef', new Date(Date.now() + 3600_000).toISOString()))).status, 201);
  t.is((await call(cluster, 'POST', '/api/v1/namespaces/kube-system/secrets', secret('zyxwvu', new Date(Date.now() - 1000).toISOString()))).status, 201);
  t.is(await whoIs({ token: 'abcdef.0123456789abcdef' }), 'system:bootstrap:abcdef');
  expectUnauthorized(t, await asUser({ token: 'abcdef.0123456789abcdee' }));
  expectUnauthorized(t, await asUser({ token: 'zyxwvu.0123456789abcdef' }));
  expectUnauthorized(t, await asUser({ token: 'qqqqqq.0123456789abcdef' }));
});
