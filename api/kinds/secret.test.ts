import test from 'ava';
import type { KObject } from '../kind.js';
import { base64Problem, foldStringData, secret } from './secret.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const make = (extra: KObject): KObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, ...extra });
function create(extra: KObject) {
  const s = make(extra);
  secret.defaults!(s);
  return { s, causes: secret.validate!(s) };
}
const cell = (o: KObject, name: string) => secret.columns.find((c) => c.name === name)!.cell(o);

test('type defaults to Opaque and stringData folds into data', (t) => {
  const { s, causes } = create({ data: { a: b64('old'), b: b64('keep') }, stringData: { a: 'new', c: 'plain' } });
  t.deepEqual(causes, []);
  t.is(s.type, 'Opaque');
  t.is(s.stringData, undefined);
  t.deepEqual(s.data, { a: b64('new'), b: b64('keep'), c: b64('plain') });
  const only = make({ stringData: { x: 'y' } });
  foldStringData(only);
  t.deepEqual(only, make({ data: { x: b64('y') } }));
});

test('data values must be base64', (t) => {
  t.is(base64Problem('aGVsbG8='), undefined);
  t.is(base64Problem('aGVs\nbG8='), undefined);
  t.is(base64Problem(''), undefined);
  t.is(base64Problem('abc'), 'illegal base64 data at input byte 0');
  t.is(base64Problem('ab!d'), 'illegal base64 data at input byte 2');
  t.is(base64Problem('aGVsbG8=x'), 'illegal base64 data at input byte 8');
  const { causes } = create({ data: { k: 'not base64!' } });
  t.deepEqual(causes.map((c) => c.message), ['data[k]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3']);
});

test('keys follow ConfigMap rules', (t) => {
  const { causes } = create({ data: { 'bad key': b64('x') } });
  t.is(causes.length, 1);
  t.is(causes[0].field, 'data[bad key]');
});

test('typed secrets need their keys', (t) => {
  const messages = (extra: KObject) => create(extra).causes.map((c) => c.message);
  t.deepEqual(messages({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }), ['data[tls.key]: Required value']);
  t.deepEqual(messages({ type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } }), []);
  t.deepEqual(messages({ type: 'kubernetes.io/dockerconfigjson' }), ['data[.dockerconfigjson]: Required value']);
  t.deepEqual(messages({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } }), []);
  t.deepEqual(messages({ type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '[]' } }),
    ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}']);
  t.deepEqual(messages({ type: 'kubernetes.io/basic-auth' }), ['data[username]: Required value', 'data[password]: Required value']);
  t.deepEqual(messages({ type: 'kubernetes.io/basic-auth', stringData: { password: '' } }), []);
  t.deepEqual(messages({ type: 'kubernetes.io/ssh-auth' }), ['data[ssh-privatekey]: Required value']);
  t.deepEqual(messages({ type: 'kubernetes.io/service-account-token' }), ['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
  t.deepEqual(messages({ type: 'example.com/custom' }), []);
});

test('type is immutable and immutable secrets keep their data', (t) => {
  const old = create({ data: { a: b64('1') }, immutable: true }).s;
  const next = structuredClone(old);
  next.type = 'kubernetes.io/tls';
  next.data = { a: b64('2'), 'tls.crt': '', 'tls.key': '' };
  next.immutable = false;
  secret.defaults!(next);
  t.deepEqual(secret.validate!(next, old).map((c) => c.message), [
    'type: Invalid value: "kubernetes.io/tls": field is immutable',
    'immutable: Forbidden: field is immutable when `immutable` is set',
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
  const same = structuredClone(old);
  same.metadata.labels = { a: 'b' };
  t.deepEqual(secret.validate!(same, old), []);
});

test('printer cells and field selector', (t) => {
  const { s } = create({ type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } });
  t.is(cell(s, 'Type'), 'kubernetes.io/tls');
  t.is(cell(s, 'Data'), 2);
  t.is(cell(make({}), 'Data'), 0);
  t.deepEqual(secret.columns.map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
  t.is(secret.fields!.type(s), 'kubernetes.io/tls');
});
