import test from 'ava';
import { startCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';

test('the API server compacts old revisions periodically; reads at them answer 410', async (t) => {
  const cluster = await startCluster({ etcdCompactionIntervalMs: 300 });
  try {
    const first = (await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'old' } })).body.metadata.resourceVersion;
    await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'newer' } });
    const deadline = Date.now() + 10_000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await call(cluster, 'GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${first}&resourceVersionMatch=Exact`)).status;
    }
    t.is(status, 410);
  } finally {
    await cluster.stop();
  }
});
