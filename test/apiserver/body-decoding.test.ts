import test from 'ava';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';

let cluster: TestCluster;
test.before(async () => {
  cluster = await startCluster();
  await call(cluster, 'POST', CMS, { metadata: { name: 'target' }, data: { a: 'b' } });
  await call(cluster, 'POST', DEPLOYS, deployment('2147483647').replace('"numbers"', '"numbers-max"'));
});
test.after.always(async () => {
  await cluster?.stop();
});

const CMS = '/api/v1/namespaces/default/configmaps';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';

/** A JSON value of exactly `n` nested objects. */
const nested = (n: number): string => '{"x":'.repeat(n - 1) + '{}' + '}'.repeat(n - 1);

/** Each way a body reaches the server, with how many levels it wraps around the nested value. */
const shapes: Array<{ title: string; method: string; path: string; type: string; wrap: (inner: string) => string; around: number }> = [
  { title: 'POST JSON', method: 'POST', path: CMS, type: 'application/json', wrap: (v) => `{"metadata":{"name":"deep"},"x":${v}}`, around: 1 },
  { title: 'PUT JSON', method: 'PUT', path: `${CMS}/target`, type: 'application/json', wrap: (v) => `{"metadata":{"name":"target"},"x":${v}}`, around: 1 },
  { title: 'POST YAML', method: 'POST', path: CMS, type: 'application/yaml', wrap: (v) => `{"metadata":{"name":"deep"},"x":${v}}`, around: 1 },
  { title: 'merge patch', method: 'PATCH', path: `${CMS}/target`, type: 'application/merge-patch+json', wrap: (v) => `{"x":${v}}`, around: 1 },
  { title: 'strategic merge patch', method: 'PATCH', path: `${CMS}/target`, type: 'application/strategic-merge-patch+json', wrap: (v) => `{"x":${v}}`, around: 1 },
  { title: 'JSON patch', method: 'PATCH', path: `${CMS}/target`, type: 'application/json-patch+json', wrap: (v) => `[{"op":"add","path":"/x","value":${v}}]`, around: 2 },
  { title: 'apply patch', method: 'PATCH', path: `${CMS}/target?fieldManager=t`, type: 'application/apply-patch+yaml', wrap: (v) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"target"},"x":${v}}`, around: 1 },
];

for (const s of shapes) {
  test(`a ${s.title} body nested deeper than 10000 levels is 400`, async (t) => {
    const r = await call(cluster, s.method, s.path, s.wrap(nested(10001 - s.around)), { 'Content-Type': s.type });
    t.is(r.status, 400, r.text.slice(0, 300));
    t.is(r.body.reason, 'BadRequest');
    t.regex(r.body.message, /exceeded max depth/);
  });
  for (const depth of [5000, 10000]) {
    test(`a ${s.title} body nested ${depth} levels deep is not a server error`, async (t) => {
      const r = await call(cluster, s.method, s.path, s.wrap(nested(depth - s.around)), { 'Content-Type': s.type });
      t.true(r.status < 500, `${r.status} ${r.text.slice(0, 300)}`);
      t.is(r.body?.kind === 'Status' ? /exceeded max depth/.test(r.body.message) : false, false);
    });
  }
}

const deployment = (replicas: string) =>
  `{"metadata":{"name":"numbers"},"spec":{"replicas":${replicas},"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}`;

for (const replicas of ['2147483648', '-2147483649', '1e23', '1.5']) {
  test(`an int32 of ${replicas} is 400 and nothing is stored`, async (t) => {
    const r = await call(cluster, 'POST', DEPLOYS, deployment(replicas));
    t.is(r.status, 400, r.text.slice(0, 300));
    t.regex(r.body.message, /cannot unmarshal number .* into Go struct field .*spec\.replicas of type int32/);
    t.is((await call(cluster, 'GET', `${DEPLOYS}/numbers`)).status, 404);
  });
}

test('an int32 at its bounds is accepted', async (t) => {
  const r = await call(cluster, 'POST', DEPLOYS, deployment('2147483647').replace('"numbers"', '"numbers-bound"'));
  t.is(r.status, 201, r.text.slice(0, 300));
  t.is(r.body.spec.replicas, 2147483647);
});

test('an int64 past its range and a fraction in an int64 are 400', async (t) => {
  for (const v of ['9223372036854775808', '1e19', '2.5']) {
    const r = await call(cluster, 'POST', '/api/v1/namespaces/default/pods',
      `{"metadata":{"name":"int64"},"spec":{"activeDeadlineSeconds":${v},"containers":[{"name":"c","image":"i"}]}}`);
    t.is(r.status, 400, `${v}: ${r.text.slice(0, 300)}`);
    t.regex(r.body.message, /of type int64/);
  }
});

test('a patch cannot smuggle an out-of-range integer in', async (t) => {
  const r = await call(cluster, 'PATCH', `${DEPLOYS}/numbers-max`, '{"spec":{"replicas":4294967296}}', { 'Content-Type': 'application/merge-patch+json' });
  t.is(r.status, 400, r.text.slice(0, 300));
  t.is((await call(cluster, 'GET', `${DEPLOYS}/numbers-max`)).body.spec.replicas, 2147483647);
});

test('the scale subresource holds replicas to int32 too', async (t) => {
  const r = await call(cluster, 'PATCH', `${DEPLOYS}/numbers-max/scale`, '{"spec":{"replicas":2147483648}}', { 'Content-Type': 'application/merge-patch+json' });
  t.is(r.status, 400, r.text.slice(0, 300));
  t.regex(r.body.message, /of type int32/);
});

test('duplicate fields are warned about by default', async (t) => {
  const r = await call(cluster, 'POST', CMS, '{"metadata":{"name":"dup","name":"dup"},"data":{"a":"1","a":"2"}}');
  t.is(r.status, 201, r.text.slice(0, 300));
  const warning = String(r.headers.warning);
  t.true(warning.includes('299 - "duplicate field \\"metadata.name\\""'), warning);
  t.true(warning.includes('duplicate field \\"data.a\\"'), warning);
});

test('duplicate fields are 400 with fieldValidation=Strict, each one named', async (t) => {
  const r = await call(cluster, 'POST', `${CMS}?fieldValidation=Strict`, '{"metadata":{"name":"dup2","name":"dup2"},"data":{"a":"1","a":"2"},"bogus":1}');
  t.is(r.status, 400, r.text.slice(0, 300));
  t.regex(r.body.message, /^strict decoding error: /);
  t.true(r.body.message.includes('duplicate field "metadata.name"'), r.body.message);
  t.true(r.body.message.includes('duplicate field "data.a"'), r.body.message);
  t.true(r.body.message.includes('unknown field "bogus"'), r.body.message);
  t.is((await call(cluster, 'GET', `${CMS}/dup2`)).status, 404);
});

test('duplicate fields in a merge patch are 400 with fieldValidation=Strict', async (t) => {
  const r = await call(cluster, 'PATCH', `${CMS}/target?fieldValidation=Strict`, '{"data":{"a":"1","a":"2"}}', { 'Content-Type': 'application/merge-patch+json' });
  t.is(r.status, 400, r.text.slice(0, 300));
  t.true(r.body.message.includes('duplicate field "data.a"'), r.body.message);
});

for (const op of [{ op: 'test', path: '/data/a', value: 'other' }, { op: 'remove', path: '/data/missing' }]) {
  test(`a JSON patch whose ${op.op} fails is 422 Invalid as kube-apiserver answers it`, async (t) => {
    const r = await call(cluster, 'PATCH', `${CMS}/target`, [op], { 'Content-Type': 'application/json-patch+json' });
    t.is(r.status, 422, r.text.slice(0, 300));
    t.is(r.body.reason, 'Invalid');
    t.is(r.body.message, 'the server rejected our request due to an error in our request');
    t.deepEqual(r.body.details ?? {}, {});
  });
}

test('a free-form field nested 9,000 levels deep is not a server error', async (t) => {
  const body = `{"metadata":{"name":"deep-managed","managedFields":[{"manager":"m","operation":"Update","fieldsType":"FieldsV1","fieldsV1":${nested(9000)}}]}}`;
  const r = await call(cluster, 'POST', CMS, body);
  t.true(r.status < 500, `${r.status} ${r.text.slice(0, 300)}`);
  for (const path of [`${CMS}/deep-managed`, CMS]) {
    const read = await call(cluster, 'GET', path);
    t.true(read.status < 500, `${path}: ${read.status} ${read.text.slice(0, 300)}`);
  }
});
