import test from 'ava';
import { pullCredentials, registryOf } from './pull-secrets.js';

const dockerconfig = (auths: Record<string, unknown>) => ({
  metadata: { name: 'json' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') },
});

test('the registry of an image is its first part when that is a host, docker.io otherwise', (t) => {
  t.is(registryOf('10.0.255.10:5000/busybox:1'), '10.0.255.10:5000');
  t.is(registryOf('registry.example.com/team/app@sha256:abc'), 'registry.example.com');
  t.is(registryOf('localhost/app'), 'localhost');
  t.is(registryOf('library/nginx'), 'docker.io');
  t.is(registryOf('nginx'), 'docker.io');
});

test('credentials match the image\'s registry and path, most specific first, from auth or username and password', (t) => {
  const secrets = [
    dockerconfig({
      'https://reg.example.com/v1/': { auth: Buffer.from('broad:one').toString('base64') },
      'reg.example.com/team': { username: 'team', password: 'two' },
      'other.example.com': { username: 'no', password: 'no' },
    }),
    { metadata: { name: 'cfg' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': Buffer.from(JSON.stringify({ 'reg.example.com:5000': { auth: Buffer.from('legacy:three').toString('base64') } })).toString('base64') } },
    { metadata: { name: 'opaque' }, type: 'Opaque', data: { '.dockerconfigjson': 'e30=' } },
  ];
  t.deepEqual(pullCredentials('reg.example.com/team/app:1', secrets), [
    { username: 'team', password: 'two' },
    { username: 'broad', password: 'one' },
  ]);
  t.deepEqual(pullCredentials('reg.example.com/other/app:1', secrets), [{ username: 'broad', password: 'one' }]);
  t.deepEqual(pullCredentials('reg.example.com:5000/app', secrets), [{ username: 'legacy', password: 'three' }]);
  t.deepEqual(pullCredentials('nowhere.example.com/app', secrets), []);
});
