import test from 'ava';
import { readFileSync } from 'node:fs';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';
import { bootstrapNodeCredential } from '../../node-agent/bootstrap/node-credential.js';
import { generateKeys, x509, ALG } from '../../control-plane/pki/pem.js';
import { subjectName } from '../../control-plane/pki/issue-certificate.js';

let cluster: TestCluster;
let node: { cert: string; key: string };
const TOKEN = 'j0in3r.0123456789abcdef';

test.before(async () => {
  cluster = await startCluster({ enableBootstrapTokenAuth: true }, { controllers: true });
  const created = await call(cluster, 'POST', '/api/v1/namespaces/kube-system/secrets', {
    metadata: { name: 'bootstrap-token-j0in3r' }, type: 'bootstrap.kubernetes.io/token',
    stringData: { 'token-id': 'j0in3r', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', expiration: new Date(Date.now() + 3600_000).toISOString() },
  });
  if (created.status !== 201) throw new Error(`bootstrap token: ${created.text}`);
  node = await bootstrapNodeCredential({ server: cluster.url, ca: readFileSync(cluster.caFile!, 'utf8'), bootstrapToken: TOKEN, nodeName: 'worker-1', timeoutMs: 20_000 });
});

test.after.always(async () => {
  await cluster?.stop();
});

const asNode = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(cluster, method, path, body, headers, { token: null, ...node });
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const nodeObject = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';

test.serial('a node joins with a bootstrap token and gets its own identity, system:node:<name> in system:nodes', async (t) => {
  const cert = new x509.X509Certificate(node.cert);
  t.is(cert.subjectName.getField('CN')[0], 'system:node:worker-1');
  t.deepEqual(cert.subjectName.getField('O'), ['system:nodes']);
  const csrs = await call(cluster, 'GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests');
  const csr = csrs.body.items[0];
  t.is(csr.spec.username, 'system:bootstrap:j0in3r', 'the server records who asked');
  t.true(csr.spec.groups.includes('system:bootstrappers'));
  t.is(csr.status.conditions[0].type, 'Approved');
  // The bootstrap token itself is good for joining only.
  t.is((await call(cluster, 'GET', '/api/v1/pods', undefined, {}, { token: TOKEN })).status, 403);
  t.is((await call(cluster, 'GET', '/api/v1/namespaces/kube-system/secrets', undefined, {}, { token: TOKEN })).status, 403);
});

test.serial('a node may register and update only its own Node and Lease', async (t) => {
  t.is((await asNode('POST', '/api/v1/nodes', nodeObject('worker-1'))).status, 201);
  const other = await asNode('POST', '/api/v1/nodes', nodeObject('worker-2'));
  t.is(other.status, 403);
  t.is(other.body.message, 'nodes "worker-2" is forbidden: node "worker-1" is not allowed to modify node "worker-2"');
  t.is((await call(cluster, 'POST', '/api/v1/nodes', nodeObject('worker-2'))).status, 201);
  t.is((await asNode('PATCH', '/api/v1/nodes/worker-1/status', { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, MERGE)).status, 200);
  t.is((await asNode('PATCH', '/api/v1/nodes/worker-2/status', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, MERGE)).status, 403);
  t.is((await asNode('PATCH', '/api/v1/nodes/worker-2', { metadata: { labels: { hijacked: 'yes' } } }, MERGE)).status, 403);
  t.is((await asNode('DELETE', '/api/v1/nodes/worker-2')).status, 403);
  t.is((await asNode('GET', '/api/v1/nodes/worker-2')).status, 200, 'reading other nodes is allowed');

  const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40 } });
  t.is((await asNode('POST', LEASES, lease('worker-1'))).status, 201);
  t.is((await asNode('POST', LEASES, lease('worker-2'))).status, 403);
  t.is((await asNode('POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', lease('worker-1'))).status, 403);
});

test.serial('a node may change the status of pods bound to it, and nothing else about pods', async (t) => {
  const pod = (name: string, nodeName: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } });
  t.is((await call(cluster, 'POST', '/api/v1/namespaces/default/pods', pod('mine', 'worker-1'))).status, 201);
  t.is((await call(cluster, 'POST', '/api/v1/namespaces/default/pods', pod('theirs', 'worker-2'))).status, 201);
  const PODS = '/api/v1/namespaces/default/pods';
  t.is((await asNode('GET', `${PODS}/mine`)).status, 200);
  t.is((await asNode('PATCH', `${PODS}/mine/status`, { status: { phase: 'Running' } }, MERGE)).status, 200);
  const theirs = await asNode('PATCH', `${PODS}/theirs/status`, { status: { phase: 'Failed' } }, MERGE);
  t.is(theirs.status, 403);
  t.regex(theirs.body.message, /node "worker-1" is not allowed to modify pod "default\/theirs", which is bound to node "worker-2"/);
  t.is((await asNode('PATCH', `${PODS}/mine`, { metadata: { labels: { a: 'b' } } }, MERGE)).status, 403);
  t.is((await asNode('POST', PODS, pod('sneaky', 'worker-1'))).status, 403);
  t.is((await asNode('DELETE', `${PODS}/theirs`)).status, 403);
  t.is((await asNode('DELETE', `${PODS}/mine?gracePeriodSeconds=0`)).status, 200);
  t.is((await call(cluster, 'GET', `${PODS}/theirs`)).body.status?.phase ?? 'Pending', 'Pending', 'nothing was written');
});

test.serial('a node may write events but not other objects', async (t) => {
  const event = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'worker-1.start' }, involvedObject: { kind: 'Node', name: 'worker-1' }, reason: 'Starting', message: 'started', type: 'Normal' };
  t.is((await asNode('POST', '/api/v1/namespaces/default/events', event)).status, 201);
  t.is((await asNode('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'x' } })).status, 403);
  t.is((await asNode('POST', '/api/v1/namespaces', { metadata: { name: 'x' } })).status, 403);
  t.is((await asNode('GET', '/api/v1/namespaces/kube-system/secrets')).status, 403);
});

test.serial('a bootstrap token cannot get a certificate for anything but a node', async (t) => {
  const keys = await generateKeys();
  const request = await x509.Pkcs10CertificateRequestGenerator.create({ name: subjectName('system:node:worker-9', ['system:masters']), keys, signingAlgorithm: ALG });
  const created = await call(cluster, 'POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', {
    metadata: { name: 'escalate' }, spec: { request: Buffer.from(request.toString('pem')).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], username: 'admin', groups: ['system:masters'] },
  }, {}, { token: TOKEN });
  t.is(created.status, 201);
  t.is(created.body.spec.username, 'system:bootstrap:j0in3r', 'the requester cannot claim to be someone else');
  await new Promise((r) => setTimeout(r, 1500));
  const after = await call(cluster, 'GET', '/apis/certificates.k8s.io/v1/certificatesigningrequests/escalate');
  t.falsy(after.body.status?.certificate);
  t.falsy((after.body.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Approved'));
  // Approving it by hand takes approval rights the bootstrap token lacks.
  const approve = await call(cluster, 'PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/escalate/approval', {
    ...after.body, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Self' }] },
  }, {}, { token: TOKEN });
  t.is(approve.status, 403);
  // Nor does /status carry approval, whoever writes it: only /approval does.
  const viaStatus = await call(cluster, 'PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/escalate/status', {
    ...after.body, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'ViaStatus' }] },
  });
  t.is(viaStatus.status, 200);
  t.falsy((viaStatus.body.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Approved'));
});

test.serial('a node reads only the secrets and config maps its own pods use, one by name', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 'used' }, stringData: { a: '1' } });
  await call(cluster, 'POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 'unused' }, stringData: { a: '1' } });
  await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'cfg' }, data: { a: '1' } });
  await call(cluster, 'POST', '/api/v1/namespaces/default/pods', {
    metadata: { name: 'user' },
    spec: { nodeName: 'worker-1', volumes: [{ name: 's', secret: { secretName: 'used' } }], containers: [{ name: 'c', image: 'busybox', envFrom: [{ configMapRef: { name: 'cfg' } }] }] },
  });
  t.is((await asNode('GET', '/api/v1/namespaces/default/secrets/used')).status, 200);
  t.is((await asNode('GET', '/api/v1/namespaces/default/configmaps/cfg')).status, 200);
  const unused = await asNode('GET', '/api/v1/namespaces/default/secrets/unused');
  t.is(unused.status, 403);
  t.regex(unused.body.message, /no relationship found between node 'worker-1' and this object/);
  t.is((await asNode('GET', '/api/v1/namespaces/default/secrets')).status, 403);
  t.is((await asNode('GET', '/api/v1/secrets')).status, 403);
  t.is((await asNode('GET', '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dused')).status, 200);
});

test.serial('a node may finish the expansion of claims its pods use, and change nothing else of claims', async (t) => {
  const CLAIMS = '/api/v1/namespaces/default/persistentvolumeclaims';
  const claim = (name: string) => ({ metadata: { name }, spec: { storageClassName: '', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  for (const name of ['grown', 'elsewhere']) t.is((await call(cluster, 'POST', CLAIMS, claim(name))).status, 201);
  await call(cluster, 'POST', '/api/v1/namespaces/default/pods', {
    metadata: { name: 'claimant' }, spec: { nodeName: 'worker-1', volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'grown' } }], containers: [{ name: 'c', image: 'busybox' }] },
  });
  const finished = { status: { capacity: { storage: '2Gi' }, conditions: [], allocatedResourceStatuses: null } };
  const done = await asNode('PATCH', `${CLAIMS}/grown/status`, finished, MERGE);
  t.is(done.status, 200, done.text);
  t.is(done.body.status.capacity.storage, '2Gi');
  const other = await asNode('PATCH', `${CLAIMS}/elsewhere/status`, finished, MERGE);
  t.is(other.status, 403);
  t.regex(other.body.message, /no relationship found between node 'worker-1' and this object/);
  const phase = await asNode('PATCH', `${CLAIMS}/grown/status`, { status: { phase: 'Lost' } }, MERGE);
  t.is(phase.status, 403);
  t.regex(phase.body.message, /not allowed to update fields other than status.capacity, status.conditions/);
  t.is((await asNode('PATCH', `${CLAIMS}/grown`, { spec: { resources: { requests: { storage: '5Gi' } } } }, MERGE)).status, 403);
});

test.serial('a node gets service account tokens only for pods bound to it, and only for their own account', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'app' } });
  const pod = (name: string, nodeName: string) => ({ metadata: { name }, spec: { nodeName, serviceAccountName: 'app', containers: [{ name: 'c', image: 'busybox' }] } });
  await call(cluster, 'POST', '/api/v1/namespaces/default/pods', pod('app-here', 'worker-1'));
  await call(cluster, 'POST', '/api/v1/namespaces/default/pods', pod('app-there', 'worker-2'));
  const TOKEN_PATH = '/api/v1/namespaces/default/serviceaccounts/app/token';
  const unbound = await asNode('POST', TOKEN_PATH, { spec: {} });
  t.is(unbound.status, 403);
  t.regex(unbound.body.message, /can only get a token bound to a pod/);
  t.is((await asNode('POST', TOKEN_PATH, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'app-there' } } })).status, 403);
  const mine = await asNode('POST', TOKEN_PATH, { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'app-here' } } });
  t.is(mine.status, 201, mine.text);
  const otherAccount = await call(cluster, 'POST', '/api/v1/namespaces/default/serviceaccounts/default/token', { spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'app-here' } } });
  t.is(otherAccount.status, 400);
  t.regex(otherAccount.body.message, /cannot bind token for serviceaccount "default" to pod running with different serviceaccount name/);
});

test.serial('a node may not give itself roles or restricted labels, nor change its taints', async (t) => {
  const label = (key: string) => asNode('PATCH', '/api/v1/nodes/worker-1', { metadata: { labels: { [key]: 'x' } } }, MERGE);
  for (const key of ['node-restriction.kubernetes.io/pool', 'node-role.kubernetes.io/control-plane', 'foo.k8s.io/x']) {
    const r = await label(key);
    t.is(r.status, 403, key);
    t.is(r.body.message, `nodes "worker-1" is forbidden: node "worker-1" is not allowed to modify labels: ${key}`);
  }
  for (const key of ['kubernetes.io/arch', 'topology.kubernetes.io/zone', 'node.kubernetes.io/instance-type', 'example.com/anything', 'plain']) {
    t.is((await label(key)).status, 200, key);
  }
  const taint = await asNode('PATCH', '/api/v1/nodes/worker-1', { spec: { taints: [{ key: 'gone', effect: 'NoSchedule' }] } }, MERGE);
  t.is(taint.status, 403);
  t.regex(taint.body.message, /not allowed to modify taints/);
  // A status write made from a copy read before someone else tainted the node is a conflict to retry, not a refusal.
  const stale = (await asNode('GET', '/api/v1/nodes/worker-1')).body;
  t.is((await call(cluster, 'PATCH', '/api/v1/nodes/worker-1', { spec: { taints: [{ key: 'later', effect: 'NoSchedule' }] } }, MERGE)).status, 200);
  t.is((await asNode('PUT', '/api/v1/nodes/worker-1/status', stale)).status, 409);
});

test.serial('every namespace gets a default service account, and pods run as it unless they name another', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'fresh' } });
  let sa;
  for (let i = 0; i < 50 && sa?.status !== 200; i++) {
    sa = await call(cluster, 'GET', '/api/v1/namespaces/fresh/serviceaccounts/default');
    if (sa.status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  t.is(sa!.status, 200);
  const pod = await call(cluster, 'POST', '/api/v1/namespaces/fresh/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  t.is(pod.body.spec.serviceAccountName, 'default');
  t.is((await call(cluster, 'DELETE', '/api/v1/namespaces/fresh/serviceaccounts/default')).status, 200);
  let again;
  for (let i = 0; i < 50 && again?.status !== 200; i++) {
    again = await call(cluster, 'GET', '/api/v1/namespaces/fresh/serviceaccounts/default');
    if (again.status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  t.is(again!.status, 200, 'the controller makes it again');
});
