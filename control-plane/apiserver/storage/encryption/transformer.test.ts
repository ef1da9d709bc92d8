import test from 'ava';
import { randomBytes } from 'node:crypto';
import { identityTransformer, providerTransformer, type Provider } from './transformer.js';

const KEY = '/registry/secrets/default/db';
const plain = Buffer.from(JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 'db' }, data: { password: 'aHVudGVyMg==' }, stringData: 'hunter2-plaintext' }));
const gcm = (...names: string[]): Provider => ({ type: 'aesgcm', keys: names.map((name) => ({ name, secret: secretFor(name) })) });
const cbc = (...names: string[]): Provider => ({ type: 'aescbc', keys: names.map((name) => ({ name, secret: secretFor(name) })) });
const identity: Provider = { type: 'identity' };

const secrets = new Map<string, Buffer>();
function secretFor(name: string): Buffer {
  if (!secrets.has(name)) secrets.set(name, randomBytes(32));
  return secrets.get(name)!;
}

test('aesgcm round-trips with 16, 24 and 32 byte keys', (t) => {
  for (const size of [16, 24, 32]) {
    const tr = providerTransformer([{ type: 'aesgcm', keys: [{ name: `k${size}`, secret: randomBytes(size) }] }]);
    t.deepEqual(tr.fromStorage(tr.toStorage(plain, KEY), KEY), plain);
  }
});

test('aesgcm values carry the prefix, a nonce and a tag, and none of the plaintext', (t) => {
  const tr = providerTransformer([gcm('key1')]);
  const stored = tr.toStorage(plain, KEY);
  const prefix = 'k8s:enc:aesgcm:v1:key1:';
  t.is(stored.subarray(0, prefix.length).toString(), prefix);
  t.is(stored.length, prefix.length + 12 + plain.length + 16);
  t.false(stored.includes('hunter2'));
  t.false(stored.includes('aHVudGVyMg=='));
  t.false(stored.includes('"kind"'));
  t.notDeepEqual(tr.toStorage(plain, KEY), stored, 'a fresh nonce each write');
});

test('key rotation: a key listed later still reads old values; writes use the first key', (t) => {
  const before = providerTransformer([gcm('old')]);
  const oldValue = before.toStorage(plain, KEY);
  const after = providerTransformer([gcm('new', 'old')]);
  t.deepEqual(after.fromStorage(oldValue, KEY), plain);
  const newValue = after.toStorage(plain, KEY);
  t.true(newValue.toString('latin1').startsWith('k8s:enc:aesgcm:v1:new:'));
  t.true(after.isStale(oldValue));
  t.false(after.isStale(newValue));
  const error = t.throws(() => before.fromStorage(newValue, KEY));
  t.regex(error!.message, /aesgcm key "new".*do not list/);
});

test('a key in a later provider of another type still decrypts', (t) => {
  const old = providerTransformer([cbc('legacy')]).toStorage(plain, KEY);
  const tr = providerTransformer([gcm('current'), cbc('legacy')]);
  t.deepEqual(tr.fromStorage(old, KEY), plain);
  t.true(tr.isStale(old));
});

test('identity fallback reads old plaintext only when identity is listed', (t) => {
  t.deepEqual(providerTransformer([gcm('k'), identity]).fromStorage(plain, KEY), plain);
  t.true(providerTransformer([gcm('k'), identity]).isStale(plain));
  const error = t.throws(() => providerTransformer([gcm('k')]).fromStorage(plain, KEY));
  t.regex(error!.message, /^cannot read \/registry\/secrets\/default\/db: the stored value is not encrypted and identity is not among/);
});

test('identity first writes plaintext and still reads values encrypted by a listed key', (t) => {
  const encrypted = providerTransformer([gcm('k')]).toStorage(plain, KEY);
  const tr = providerTransformer([identity, gcm('k')]);
  t.is(tr.toStorage(plain, KEY), plain);
  t.deepEqual(tr.fromStorage(encrypted, KEY), plain);
  t.true(tr.isStale(encrypted));
  t.false(tr.isStale(plain));
});

test('a wrong secret under the same key name fails to decrypt', (t) => {
  const stored = providerTransformer([gcm('k')]).toStorage(plain, KEY);
  const other = providerTransformer([{ type: 'aesgcm', keys: [{ name: 'k', secret: randomBytes(32) }] }]);
  t.throws(() => other.fromStorage(stored, KEY), { message: /cannot decrypt .* with aesgcm key "k": authentication failed/ });
});

test('a tampered or truncated aesgcm value fails to decrypt', (t) => {
  const tr = providerTransformer([gcm('k')]);
  const stored = tr.toStorage(plain, KEY);
  for (const at of [30, 40, stored.length - 20, stored.length - 1]) {
    const tampered = Buffer.from(stored);
    tampered[at] ^= 0x01;
    t.throws(() => tr.fromStorage(tampered, KEY), { message: /authentication failed/ }, `byte ${at}`);
  }
  t.throws(() => tr.fromStorage(stored.subarray(0, 40), KEY), { message: /too short/ });
});

test('an aesgcm value copied under another etcd key fails to decrypt', (t) => {
  const tr = providerTransformer([gcm('k')]);
  const stored = tr.toStorage(plain, KEY);
  t.throws(() => tr.fromStorage(stored, '/registry/secrets/other/db'), { message: /cannot decrypt \/registry\/secrets\/other\/db/ });
});

test('aescbc round-trips with its own prefix, and rejects a value that is not whole blocks', (t) => {
  const tr = providerTransformer([cbc('c1')]);
  const stored = tr.toStorage(plain, KEY);
  t.true(stored.toString('latin1').startsWith('k8s:enc:aescbc:v1:c1:'));
  t.false(stored.includes('hunter2'));
  t.deepEqual(tr.fromStorage(stored, KEY), plain);
  t.throws(() => tr.fromStorage(stored.subarray(0, stored.length - 3), KEY), { message: /not a whole number of blocks/ });
});

test('the identity transformer passes values through and refuses encrypted ones', (t) => {
  t.is(identityTransformer.toStorage(plain, KEY), plain);
  t.is(identityTransformer.fromStorage(plain, KEY), plain);
  t.false(identityTransformer.isStale(plain));
  const encrypted = providerTransformer([gcm('k')]).toStorage(plain, KEY);
  t.throws(() => identityTransformer.fromStorage(encrypted, KEY), { message: /written with aesgcm key "k"/ });
  t.true(identityTransformer.isStale(encrypted));
});
