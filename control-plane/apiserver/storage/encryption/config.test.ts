import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEncryptionConfig, parseEncryptionConfig, transformerFor } from './config.js';
import { identityTransformer } from './transformer.js';

const K16 = Buffer.alloc(16, 1).toString('base64');
const K32 = Buffer.alloc(32, 2).toString('base64');
const SOURCE = '/etc/skiff/encryption.yaml';
const KEY = '/registry/secrets/default/s';
const plain = Buffer.from('{"kind":"Secret"}');

const yaml = `
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [events]
    providers:
      - identity: {}
  - resources:
      - secrets
      - deployments.apps
    providers:
      - aesgcm:
          keys:
            - name: key1
              secret: ${K32}
            - name: key2
              secret: ${K16}
      - identity: {}
  - resources: ['*.apps']
    providers:
      - aescbc:
          keys: [{ name: apps, secret: ${K32} }]
  - resources: ['*.']
    providers:
      - aesgcm:
          keys: [{ name: core, secret: ${K16} }]
  - resources: ['*.*']
    providers:
      - aesgcm:
          keys: [{ name: all, secret: ${K32} }]
`;

const writtenWith = (group: string, plural: string) => {
  const stored = transformerFor(parseEncryptionConfig(yaml, SOURCE), group, plural).toStorage(plain, KEY);
  return /^k8s:enc:([a-z]+):v1:([^:]+):/.exec(stored.toString('latin1'))?.slice(1).join(' ') ?? stored.toString();
};

test('resources get the first rule that names or covers them', (t) => {
  t.is(writtenWith('', 'secrets'), 'aesgcm key1');
  t.is(writtenWith('apps', 'deployments'), 'aesgcm key1');
  t.is(writtenWith('apps', 'replicasets'), 'aescbc apps');
  t.is(writtenWith('', 'configmaps'), 'aesgcm core');
  t.is(writtenWith('storage.k8s.io', 'storageclasses'), 'aesgcm all');
  t.is(writtenWith('', 'events'), '{"kind":"Secret"}');
});

test('a resource no rule covers, or no configuration at all, gets identity', (t) => {
  const config = parseEncryptionConfig(`{"apiVersion":"apiserver.config.k8s.io/v1","kind":"EncryptionConfiguration","resources":[{"resources":["secrets"],"providers":[{"aesgcm":{"keys":[{"name":"k","secret":"${K32}"}]}}]}]}`, SOURCE);
  t.is(transformerFor(config, '', 'configmaps'), identityTransformer);
  t.is(transformerFor(config, 'apps', 'secrets'), identityTransformer, 'secrets.apps is not core secrets');
  t.is(transformerFor(undefined, '', 'secrets'), identityTransformer);
  const tr = transformerFor(config, '', 'secrets');
  t.deepEqual(tr.fromStorage(tr.toStorage(plain, KEY), KEY), plain);
});

test('loadEncryptionConfig reads the file, and names it when it cannot', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-enc-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(path, yaml);
  t.is(loadEncryptionConfig(path).rules.length, 5);
  const missing = join(dir, 'missing.yaml');
  t.throws(() => loadEncryptionConfig(missing), { message: new RegExp(`^${missing}: cannot read the encryption configuration: ENOENT`) });
});

const head = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n';
const withProviders = (providers: string, resources = '[secrets]') => `${head}resources:\n  - resources: ${resources}\n    providers:\n${providers}`;
const gcmKeys = (...keys: Array<[string, string]>) => `      - aesgcm:\n          keys:\n${keys.map(([n, s]) => `            - {name: ${n}, secret: "${s}"}\n`).join('')}`;

const bad: Array<[string, string, RegExp]> = [
  ['bad base64', withProviders(gcmKeys(['k', 'not*base64!'])), /resources\[0\]\.providers\[0\]\.aesgcm\.keys\[0\] \("k"\): secret is not valid base64$/],
  ['wrong key length', withProviders(gcmKeys(['k', Buffer.alloc(20).toString('base64')])), /keys\[0\] \("k"\): secret must decode to 16, 24 or 32 bytes for aesgcm, got 20$/],
  ['unknown kind', 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfig\nresources: []\n', /kind: expected EncryptionConfiguration, got "EncryptionConfig"$/],
  ['unknown apiVersion', 'apiVersion: v1\nkind: EncryptionConfiguration\nresources: []\n', /apiVersion: expected apiserver\.config\.k8s\.io\/v1, got "v1"$/],
  ['no resources', `${head}resources: []\n`, /resources: must list at least one entry$/],
  ['empty providers', `${head}resources:\n  - resources: [secrets]\n    providers: []\n`, /resources\[0\]\.providers: must list at least one provider$/],
  ['empty resource list', `${head}resources:\n  - resources: []\n    providers: [{identity: {}}]\n`, /resources\[0\]\.resources: must list at least one resource$/],
  ['duplicate key names', withProviders(gcmKeys(['k', K16], ['k', K32])), /keys\[1\] \("k"\): duplicate key name "k" for aesgcm$/],
  ['no keys', withProviders('      - aesgcm: {keys: []}\n'), /providers\[0\]\.aesgcm\.keys: must list at least one key$/],
  ['missing secret', withProviders('      - aesgcm: {keys: [{name: k}]}\n'), /keys\[0\] \("k"\): secret is required$/],
  ['missing name', withProviders(`      - aesgcm: {keys: [{secret: "${K16}"}]}\n`), /keys\[0\]: name is required$/],
  ['kms', withProviders('      - kms: {name: x, endpoint: unix:///tmp/kms.sock}\n'), /providers\[0\]: provider kms is not supported/],
  ['secretbox', withProviders(`      - secretbox: {keys: [{name: k, secret: "${K32}"}]}\n`), /providers\[0\]: provider secretbox is not supported/],
  ['unknown provider', withProviders('      - rot13: {}\n'), /providers\[0\]: unknown provider "rot13"$/],
  ['two providers in one entry', withProviders(`      - identity: {}\n        aesgcm: {keys: [{name: k, secret: "${K16}"}]}\n`), /providers\[0\]: names 2 providers \(identity, aesgcm\); give each its own entry$/],
  ['unknown field', `${head}resources: [{resources: [secrets], providers: [{identity: {}}], extra: 1}]\n`, /resources\[0\]: unknown field "extra"$/],
  ['bad resource name', withProviders('      - identity: {}\n', '[Secrets]'), /resources\[0\]\.resources\[0\]: "Secrets" is not a lowercase resource name/],
  ['bare star', withProviders('      - identity: {}\n', "['*']"), /"\*" is not a lowercase resource name/],
  ['masked by an earlier wildcard', `${head}resources:\n  - {resources: ['*.*'], providers: [{identity: {}}]}\n  - {resources: [secrets], providers: [{identity: {}}]}\n`, /resources\[1\]\.resources\[0\]: "secrets" is masked by "\*\.\*" in resources\[0\], which comes first$/],
  ['overlap in one list', withProviders('      - identity: {}\n', "[secrets, '*.']"), /resources\[0\]\.resources\[1\]: "\*\." overlaps "secrets" in the same list$/],
  ['listed twice', withProviders('      - identity: {}\n', '[secrets, secrets]'), /"secrets" is listed twice$/],
  ['broken YAML', `${head}resources: [\n  - : :\n`, /: not valid YAML or JSON: /],
  ['broken JSON', '{"kind": "EncryptionConfiguration", "resources": [}', /: not valid YAML or JSON: /],
  ['empty file', '', /: expected an EncryptionConfiguration object$/],
];

for (const [what, text, expected] of bad) {
  test(`rejects ${what} with one line naming the file and the problem`, (t) => {
    const error = t.throws(() => parseEncryptionConfig(text, SOURCE));
    t.false(error!.message.includes('\n'), error!.message);
    t.true(error!.message.startsWith(`${SOURCE}: `), error!.message);
    t.regex(error!.message, expected);
  });
}

test('errors never quote a secret, even from a YAML syntax error on its line', (t) => {
  const secret = Buffer.alloc(32, 7).toString('base64');
  const texts = [
    withProviders(gcmKeys(['k', `${secret}`]).replace('{name: k', '{name: k: oops')),
    withProviders(gcmKeys(['k', `${secret.slice(0, 20)}`])),
  ];
  for (const text of texts) {
    const error = t.throws(() => parseEncryptionConfig(text, SOURCE));
    t.false(error!.message.includes(secret.slice(0, 12)), error!.message);
  }
});
