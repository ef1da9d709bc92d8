import test from 'ava';
import { Etcd3 } from 'etcd3';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call, openWatch } from '../helpers/http.js';

let cluster: TestCluster;
test.before(async () => { cluster = await startCluster(); });
test.after.always(async () => { await cluster?.stop(); });

const CMS = '/api/v1/namespaces/default/configmaps';

test.serial('a watch resumes across an API server restart without missing or repeating an event', async (t) => {
  const start = (await call(cluster, 'GET', CMS)).body.metadata.resourceVersion;
  const first = await openWatch(cluster, `${CMS}?watch=1&resourceVersion=${start}`);
  for (let i = 0; i < 3; i++) await call(cluster, 'POST', CMS, { metadata: { name: `before-${i}` } });
  const seen = await first.waitFor(3);
  const last = seen[seen.length - 1].object.metadata.resourceVersion;
  first.close();

  await cluster.restart();
  // Changes while no client watches: the resumed watch must still deliver them.
  for (let i = 0; i < 3; i++) await call(cluster, 'POST', CMS, { metadata: { name: `after-${i}` } });

  const resumed = await openWatch(cluster, `${CMS}?watch=1&resourceVersion=${last}`);
  await call(cluster, 'DELETE', `${CMS}/before-0`);
  const events = await resumed.waitFor(4);
  await new Promise((r) => setTimeout(r, 200));
  resumed.close();
  t.deepEqual(resumed.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED after-0', 'ADDED after-1', 'ADDED after-2', 'DELETED before-0']);
  const all = [...seen, ...events].map((e) => Number(e.object.metadata.resourceVersion));
  t.is(new Set(all).size, all.length, 'no event repeats');
});

test.serial('after compaction and a restart, a watch from a revision no longer held ends with an ERROR 410 event', async (t) => {
  const before = (await call(cluster, 'POST', CMS, { metadata: { name: 'compacted-away' } })).body.metadata.resourceVersion;
  await call(cluster, 'POST', CMS, { metadata: { name: 'between' } });
  await call(cluster, 'POST', CMS, { metadata: { name: 'latest' } });
  const current = (await call(cluster, 'GET', CMS)).body.metadata.resourceVersion;
  const etcd = new Etcd3({ hosts: cluster.etcd.url });
  await etcd.kv.compact({ revision: Number(current), physical: true });
  etcd.close();
  await cluster.restart();
  const w = await openWatch(cluster, `${CMS}?watch=1&resourceVersion=${before}`);
  const [event] = await w.waitFor(1);
  w.close();
  t.is(event.type, 'ERROR');
  t.is(event.object.code, 410);
  t.is(event.object.reason, 'Expired');
  const fresh = await openWatch(cluster, `${CMS}?watch=1&resourceVersion=${current}`);
  await call(cluster, 'POST', CMS, { metadata: { name: 'after-compaction' } });
  const [added] = await fresh.waitFor(1);
  fresh.close();
  t.is(added.type, 'ADDED');
});

test.serial('an etcd restart loses no acknowledged write; the API server and its watches recover', async (t) => {
  const before = (await call(cluster, 'POST', CMS, { metadata: { name: 'before-etcd-restart' } })).body.metadata.resourceVersion;
  const w = await openWatch(cluster, `${CMS}?watch=1&resourceVersion=${before}`);
  await cluster.etcd.restart();
  let created: Awaited<ReturnType<typeof call>> | undefined;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    created = await call(cluster, 'POST', CMS, { metadata: { name: 'after-etcd-restart' } });
    if (created.status === 201) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.is(created?.status, 201);
  t.is((await call(cluster, 'GET', `${CMS}/before-etcd-restart`)).status, 200);
  const [event] = await w.waitFor(1, 20_000);
  w.close();
  t.is(event.type, 'ADDED');
  t.is(event.object.metadata.name, 'after-etcd-restart');
});
