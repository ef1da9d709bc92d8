import test from 'ava';
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';

let cluster: TestCluster;

test.before(async () => {
  cluster = await startCluster({}, { etcdTls: true });
});

test.after.always(async () => {
  await cluster?.stop();
});

test('the API server reaches an etcd that serves TLS and asks for client certificates', async (t) => {
  const created = await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'over-tls' }, data: { a: '1' } });
  t.is(created.status, 201);
  const tls = cluster.etcd.tls!;
  const etcd = new Etcd3({ hosts: cluster.etcd.url, credentials: { rootCertificate: readFileSync(tls.caFile), certChain: readFileSync(tls.certFile), privateKey: readFileSync(tls.keyFile) } });
  try {
    t.truthy(await etcd.get('/registry/configmaps/default/over-tls').string());
  } finally {
    etcd.close();
  }
});

test('etcd refuses a client without a certificate, and one that does not trust its CA', async (t) => {
  const tls = cluster.etcd.tls!;
  const noCert = new Etcd3({ hosts: cluster.etcd.url, credentials: { rootCertificate: readFileSync(tls.caFile) }, dialTimeout: 2000, faultHandling: { global: undefined as never } });
  const plain = new Etcd3({ hosts: cluster.etcd.url.replace('https:', 'http:'), dialTimeout: 2000 });
  try {
    await t.throwsAsync(noCert.get('/registry/configmaps/default/over-tls').string());
    await t.throwsAsync(plain.get('/registry/configmaps/default/over-tls').string());
  } finally {
    noCert.close();
    plain.close();
  }
});

test('the API server will not start against a TLS etcd without a client certificate', async (t) => {
  const tls = cluster.etcd.tls!;
  const { ApiServer } = await import('../../control-plane/apiserver/server.js');
  const server = new ApiServer({ ...cluster.server.options, etcdCertFile: undefined, etcdKeyFile: undefined, etcdCAFile: tls.caFile, securePort: 0 });
  await t.throwsAsync(Promise.race([server.start(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 15_000))]));
  await server.stop().catch(() => undefined);
});
