import test from 'ava';
import { Etcd3 } from 'etcd3';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call, type Reply } from '../helpers/http.js';

let cluster: TestCluster;
let etcd: Etcd3;
test.before(async () => {
  cluster = await startCluster();
  etcd = new Etcd3({ hosts: cluster.etcd.url });
});
test.after.always(async () => {
  etcd?.close();
  await cluster?.stop();
});

/** Every key and its mod_revision: a failed request must leave this unchanged. */
async function snapshot(): Promise<string> {
  const all = await etcd.getAll().prefix('/registry/').exec();
  return JSON.stringify(all.kvs.map((kv) => [kv.key.toString(), kv.mod_revision]));
}

interface Case {
  title: string;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  token?: string | null;
  code: number;
  reason?: string;
  check?: (r: Reply) => void;
}

const POD = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, ...extra,
});
const PODS = '/api/v1/namespaces/default/pods';
const YAML = { 'Content-Type': 'application/yaml' };

const cases: Case[] = [
  { title: 'malformed JSON', method: 'POST', path: PODS, body: '{"metadata": {"name": "x"', code: 400, reason: 'BadRequest' },
  { title: 'malformed YAML', method: 'POST', path: PODS, body: 'metadata:\n  name: [unclosed\n', headers: YAML, code: 400, reason: 'BadRequest' },
  { title: 'YAML with duplicate keys', method: 'POST', path: PODS, body: 'metadata:\n  name: a\n  name: b\n', headers: YAML, code: 400, reason: 'BadRequest' },
  { title: 'a JSON array instead of an object', method: 'POST', path: PODS, body: '[1,2]', code: 400, reason: 'BadRequest' },
  { title: 'a JSON string instead of an object', method: 'POST', path: PODS, body: '"pod"', code: 400, reason: 'BadRequest' },
  { title: 'empty body', method: 'POST', path: PODS, body: '', code: 400, reason: 'BadRequest' },
  { title: 'wrong type: containers as a string', method: 'POST', path: PODS, body: { ...POD('wt'), spec: { containers: 'busybox' } }, code: 400, reason: 'BadRequest' },
  { title: 'wrong type: port as a string', method: 'POST', path: PODS, body: { ...POD('wt2'), spec: { containers: [{ name: 'c', image: 'b', ports: [{ containerPort: 'eighty' }] }] } }, code: 400, reason: 'BadRequest' },
  { title: 'wrong type: labels as a list', method: 'POST', path: PODS, body: { ...POD('wt3'), metadata: { name: 'wt3', labels: ['a'] } }, code: 400, reason: 'BadRequest' },
  { title: 'oversized body', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(4 * 1024 * 1024) } }), code: 413, reason: 'RequestEntityTooLarge' },
  { title: 'unsupported media type', method: 'POST', path: PODS, body: 'name=x', headers: { 'Content-Type': 'text/plain' }, code: 415, reason: 'UnsupportedMediaType' },
  { title: 'upper-case name', method: 'POST', path: PODS, body: POD('NotValid'), code: 422, reason: 'Invalid' },
  { title: 'name with underscore', method: 'POST', path: PODS, body: POD('a_b'), code: 422, reason: 'Invalid' },
  { title: 'name too long', method: 'POST', path: PODS, body: POD('a'.repeat(254)), code: 422, reason: 'Invalid' },
  { title: 'traversal in the body name', method: 'POST', path: PODS, body: POD('../secrets'), code: 422, reason: 'Invalid' },
  { title: 'traversal in an encoded path name', method: 'GET', path: `${PODS}/..%2F..%2Fsecrets`, code: 400, reason: 'BadRequest' },
  { title: 'dot-dot as a path name', method: 'GET', path: `${PODS}/..`, code: 400, reason: 'BadRequest' },
  { title: 'traversal in the namespace', method: 'POST', path: '/api/v1/namespaces/..%2Fkube-system/pods', body: POD('t'), code: 400, reason: 'BadRequest' },
  { title: 'unknown resource', method: 'GET', path: '/api/v1/widgets', code: 404, reason: 'NotFound' },
  { title: 'unknown group', method: 'GET', path: '/apis/example.com/v1/things', code: 404, reason: 'NotFound' },
  { title: 'unknown version', method: 'GET', path: '/api/v2/pods', code: 404, reason: 'NotFound' },
  { title: 'missing object', method: 'GET', path: `${PODS}/nope`, code: 404, reason: 'NotFound' },
  { title: 'namespace that does not exist', method: 'POST', path: '/api/v1/namespaces/missing/pods', body: POD('x'), code: 404, reason: 'NotFound' },
  { title: 'POST to an object path', method: 'POST', path: `${PODS}/x`, body: POD('x'), code: 405, reason: 'MethodNotAllowed' },
  { title: 'no credentials', method: 'GET', path: PODS, token: null, code: 401, reason: 'Unauthorized' },
  { title: 'a forged token', method: 'GET', path: PODS, token: 'forged', code: 401, reason: 'Unauthorized' },
  { title: 'apiVersion that does not match the URL', method: 'POST', path: PODS, body: { ...POD('v'), apiVersion: 'apps/v1' }, code: 400, reason: 'BadRequest' },
  { title: 'namespace that does not match the URL', method: 'POST', path: PODS, body: { ...POD('n'), metadata: { name: 'n', namespace: 'kube-system' } }, code: 400, reason: 'BadRequest' },
  { title: 'resourceVersion on create', method: 'POST', path: PODS, body: { ...POD('r'), metadata: { name: 'r', resourceVersion: '5' } }, code: 400, reason: 'BadRequest' },
  { title: 'unknown field with strict validation', method: 'POST', path: `${PODS}?fieldValidation=Strict`, body: { ...POD('s'), spec: { containers: [{ name: 'c', image: 'b', imagen: 'typo' }] } }, code: 400, reason: 'BadRequest' },
  { title: 'invalid label selector', method: 'GET', path: `${PODS}?labelSelector=a%20in%20(`, code: 400, reason: 'BadRequest' },
  { title: 'unsupported field selector', method: 'GET', path: `${PODS}?fieldSelector=spec.unknown%3Dx`, code: 400, reason: 'BadRequest' },
  { title: 'invalid continue token', method: 'GET', path: `${PODS}?limit=1&continue=garbage`, code: 400, reason: 'BadRequest' },
  { title: 'invalid limit', method: 'GET', path: `${PODS}?limit=-3`, code: 400, reason: 'BadRequest' },
  { title: 'a service with an invalid port and type', method: 'POST', path: '/api/v1/namespaces/default/services', body: { metadata: { name: 'bad' }, spec: { type: 'Weird', ports: [{ port: 70000 }] } }, code: 422, reason: 'Invalid',
    check: (r) => { if (!(r.body.details.causes.length >= 2)) throw new Error(`want one cause per field, got ${JSON.stringify(r.body.details.causes)}`); } },
  { title: 'a pod without containers', method: 'POST', path: PODS, body: { metadata: { name: 'empty' }, spec: { containers: [] } }, code: 422, reason: 'Invalid' },
  { title: 'a pod with a bad restartPolicy', method: 'POST', path: PODS, body: { ...POD('rp'), spec: { restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'b' }] } }, code: 422, reason: 'Invalid' },
  { title: 'a malformed merge patch', method: 'PATCH', path: '/api/v1/namespaces/default', body: '{not json', headers: { 'Content-Type': 'application/merge-patch+json' }, code: 400, reason: 'BadRequest' },
  { title: 'a JSON patch whose test fails', method: 'PATCH', path: '/api/v1/namespaces/default', body: [{ op: 'test', path: '/metadata/name', value: 'other' }], headers: { 'Content-Type': 'application/json-patch+json' }, code: 422 },
  { title: 'a patch that would make the object invalid', method: 'PATCH', path: '/api/v1/namespaces/default', body: { metadata: { labels: { 'bad key!': 'x' } } }, headers: { 'Content-Type': 'application/merge-patch+json' }, code: 422, reason: 'Invalid' },
  { title: 'a patch with an unsupported patch type', method: 'PATCH', path: '/api/v1/namespaces/default', body: '{}', headers: { 'Content-Type': 'application/xml' }, code: 415, reason: 'UnsupportedMediaType' },
];

for (const c of cases) {
  test(`bad input: ${c.title} → ${c.code}`, async (t) => {
    const before = await snapshot();
    const headers = c.headers ?? {};
    const body = c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    const r = await call(cluster, c.method, c.path, body, { ...(body !== undefined && !headers['Content-Type'] ? { 'Content-Type': 'application/json' } : {}), ...headers }, { token: c.token });
    t.is(r.status, c.code, r.text.slice(0, 300));
    t.is(r.body?.kind, 'Status', 'the answer is a Status');
    t.is(r.body?.code, c.code);
    t.is(r.body?.status, 'Failure');
    if (c.reason) t.is(r.body?.reason, c.reason);
    t.truthy(r.body?.message);
    c.check?.(r);
    t.is(await snapshot(), before, 'etcd is unchanged');
  });
}

test('an invalid object gets one cause per field', async (t) => {
  const r = await call(cluster, 'POST', PODS, { metadata: { name: 'causes' }, spec: { containers: [{ name: 'Bad_Name', image: '' }, { name: 'ok', image: 'b', ports: [{ containerPort: 0 }] }] } });
  t.is(r.status, 422);
  const fields = r.body.details.causes.map((c: any) => c.field).sort();
  t.true(fields.includes('spec.containers[0].name'), JSON.stringify(fields));
  t.true(fields.includes('spec.containers[0].image'), JSON.stringify(fields));
  t.true(fields.includes('spec.containers[1].ports[0].containerPort'), JSON.stringify(fields));
});
