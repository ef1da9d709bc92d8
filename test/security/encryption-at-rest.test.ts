import test from 'ava';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call, openWatch } from '../helpers/http.js';

const SECRET_TEXT = 'correct-horse-battery-staple';
const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');

function config(keys: Array<[string, string]>): string {
  return [
    'apiVersion: apiserver.config.k8s.io/v1', 'kind: EncryptionConfiguration', 'resources:', '  - resources: [secrets]', '    providers:',
    '      - aesgcm:', '          keys:', ...keys.flatMap(([name, secret]) => [`            - name: ${name}`, `              secret: ${secret}`]),
    '      - identity: {}', '',
  ].join('\n');
}

let cluster: TestCluster;
let etcd: Etcd3;
let configFile: string;

test.before(async () => {
  configFile = join(process.env.TMPDIR ?? '/tmp', `skiff-encryption-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(configFile, config([['key-a', keyA]]));
  cluster = await startCluster({ encryptionProviderConfig: configFile });
  etcd = new Etcd3({ hosts: cluster.etcd.url });
});

test.after.always(async () => {
  etcd?.close();
  await cluster?.stop();
});

const SECRETS = '/api/v1/namespaces/default/secrets';
const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { password: SECRET_TEXT } });
const raw = async (name: string) => (await etcd.get(`/registry/secrets/default/${name}`).buffer())!;

test.serial('secrets sit in etcd encrypted with AES-GCM; the API answers them in the clear', async (t) => {
  const watch = await openWatch(cluster, `${SECRETS}?watch=1`);
  t.is((await call(cluster, 'POST', SECRETS, secret('db'))).status, 201);
  const stored = await raw('db');
  t.true(stored.toString('latin1').startsWith('k8s:enc:aesgcm:v1:key-a:'));
  t.false(stored.includes(SECRET_TEXT));
  t.false(stored.includes(Buffer.from(SECRET_TEXT).toString('base64')));
  t.false(stored.includes('password'));

  const got = await call(cluster, 'GET', `${SECRETS}/db`);
  t.is(Buffer.from(got.body.data.password, 'base64').toString(), SECRET_TEXT);
  const listed = await call(cluster, 'GET', SECRETS);
  t.is(Buffer.from(listed.body.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'db').data.password, 'base64').toString(), SECRET_TEXT);
  const [added] = await watch.waitFor(1);
  watch.close();
  t.is(added.type, 'ADDED');
  t.is(Buffer.from(added.object.data.password, 'base64').toString(), SECRET_TEXT);
});

test.serial('other resources stay plain JSON', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'plain' }, data: { a: SECRET_TEXT } });
  const stored = await etcd.get('/registry/configmaps/default/plain').string();
  t.true(stored!.includes(SECRET_TEXT));
});

test.serial('a value moved to another key does not decrypt', async (t) => {
  await etcd.put('/registry/secrets/default/moved').value(await raw('db')).exec();
  const got = await call(cluster, 'GET', `${SECRETS}/moved`);
  t.is(got.status, 500);
  t.false(got.text.includes(SECRET_TEXT));
  await etcd.delete().key('/registry/secrets/default/moved').exec();
});

test.serial('a new first key encrypts new writes; the old key still reads, and an update re-encrypts', async (t) => {
  writeFileSync(configFile, config([['key-b', keyB], ['key-a', keyA]]));
  await cluster.restart();
  const old = await call(cluster, 'GET', `${SECRETS}/db`);
  t.is(old.status, 200);
  t.true((await raw('db')).toString('latin1').startsWith('k8s:enc:aesgcm:v1:key-a:'));
  // An update that changes nothing still rewrites a value under an old key.
  const replaced = await call(cluster, 'PUT', `${SECRETS}/db`, old.body);
  t.is(replaced.status, 200);
  t.true((await raw('db')).toString('latin1').startsWith('k8s:enc:aesgcm:v1:key-b:'));
  t.is((await call(cluster, 'POST', SECRETS, secret('fresh'))).status, 201);
  t.true((await raw('fresh')).toString('latin1').startsWith('k8s:enc:aesgcm:v1:key-b:'));
});

test.serial('a bad encryption configuration stops the server at start with a one-line error', async (t) => {
  const bad = join(cluster.dir, 'bad-encryption.yaml');
  writeFileSync(bad, config([['k', 'not-base64!']]));
  const { ApiServer } = await import('../../control-plane/apiserver/server.js');
  const server = new ApiServer({ ...cluster.server.options, encryptionProviderConfig: bad, securePort: 0 });
  const err = await t.throwsAsync(server.start());
  t.regex(err!.message, /bad-encryption\.yaml/);
  t.false(err!.message.includes('\n'));
  await server.stop().catch(() => undefined);
});
