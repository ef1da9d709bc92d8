import test from 'ava';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';

let cluster: TestCluster;
test.before(async () => { cluster = await startCluster(); });
test.after.always(async () => { await cluster?.stop(); });

const PATH = '/api/v1/namespaces/default/configmaps/counter';

/** One read-modify-write loop: read, increment, write with the read resourceVersion, retry on Conflict. */
async function increment(): Promise<number> {
  let conflicts = 0;
  for (;;) {
    const current = (await call(cluster, 'GET', PATH)).body;
    const next = { ...current, data: { n: String(Number(current.data.n) + 1) } };
    const res = await call(cluster, 'PUT', PATH, next);
    if (res.status === 200) return conflicts;
    if (res.status !== 409) throw new Error(`unexpected ${res.status}: ${res.text}`);
    conflicts++;
  }
}

test('50 concurrent read-modify-write updaters lose no increment', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'counter' }, data: { n: '0' } });
  const UPDATERS = 50;
  const EACH = 4;
  const conflicts = await Promise.all(Array.from({ length: UPDATERS }, async () => {
    let c = 0;
    for (let i = 0; i < EACH; i++) c += await increment();
    return c;
  }));
  const final = (await call(cluster, 'GET', PATH)).body;
  t.is(final.data.n, String(UPDATERS * EACH));
  t.true(conflicts.reduce((a, b) => a + b, 0) > 0, 'the updaters did race');
});

test('50 concurrent merge patches of distinct keys all land', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'patched' }, data: {} });
  const replies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    call(cluster, 'PATCH', '/api/v1/namespaces/default/configmaps/patched', { data: { [`k${i}`]: String(i) } }, { 'Content-Type': 'application/merge-patch+json' })));
  t.deepEqual(replies.map((r) => r.status), replies.map(() => 200), 'a patch without a resourceVersion is retried, never a Conflict');
  const final = (await call(cluster, 'GET', '/api/v1/namespaces/default/configmaps/patched')).body;
  t.is(Object.keys(final.data).length, 50);
});
