import test from 'ava';
import { Etcd3 } from 'etcd3';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call, openWatch } from '../helpers/http.js';

let cluster: TestCluster;
let etcd: Etcd3;

test.before(async () => {
  cluster = await startCluster();
  etcd = new Etcd3({ hosts: cluster.etcd.url });
});

test.after.always(async () => {
  etcd?.close();
  await cluster?.stop();
});

const cm = (name: string, data: Record<string, string> = { a: '1' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const CMS = '/api/v1/namespaces/default/configmaps';

test('objects live under /registry and their resourceVersion is the etcd mod_revision', async (t) => {
  const created = await call(cluster, 'POST', CMS, cm('rv-check'));
  t.is(created.status, 201);
  const raw = await etcd.getAll().prefix('/registry/configmaps/default/rv-check').exec();
  t.is(raw.kvs.length, 1);
  t.is(raw.kvs[0].mod_revision, created.body.metadata.resourceVersion);
  const stored = JSON.parse(raw.kvs[0].value.toString());
  t.is(stored.metadata.resourceVersion, undefined, 'resourceVersion is never stored');
  t.is(stored.data.a, '1');
});

test('create is refused when the object exists, without a write', async (t) => {
  await call(cluster, 'POST', CMS, cm('dup'));
  const before = await etcd.get('/registry/configmaps/default/dup').exec();
  const again = await call(cluster, 'POST', CMS, cm('dup', { b: '2' }));
  t.is(again.status, 409);
  t.is(again.body.reason, 'AlreadyExists');
  const after = await etcd.get('/registry/configmaps/default/dup').exec();
  t.is(after.kvs[0].mod_revision, before.kvs[0].mod_revision);
});

test('update with a stale resourceVersion is a Conflict; without one it applies', async (t) => {
  const created = (await call(cluster, 'POST', CMS, cm('upd'))).body;
  const first = await call(cluster, 'PUT', `${CMS}/upd`, { ...created, data: { a: '2' } });
  t.is(first.status, 200);
  t.not(first.body.metadata.resourceVersion, created.metadata.resourceVersion);
  const stale = await call(cluster, 'PUT', `${CMS}/upd`, { ...created, data: { a: '3' } });
  t.is(stale.status, 409);
  t.is(stale.body.reason, 'Conflict');
  const { resourceVersion: _rv, ...meta } = created.metadata;
  const blind = await call(cluster, 'PUT', `${CMS}/upd`, { ...created, metadata: meta, data: { a: '4' } });
  t.is(blind.status, 200);
  t.is(blind.body.data.a, '4');
});

test('delete honours resourceVersion and uid preconditions', async (t) => {
  const created = (await call(cluster, 'POST', CMS, cm('del'))).body;
  const wrongRv = await call(cluster, 'DELETE', `${CMS}/del`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: '1' } });
  t.is(wrongRv.status, 409);
  const wrongUid = await call(cluster, 'DELETE', `${CMS}/del`, { preconditions: { uid: 'nope' } });
  t.is(wrongUid.status, 409);
  const ok = await call(cluster, 'DELETE', `${CMS}/del`, { preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion } });
  t.is(ok.status, 200);
  t.is((await call(cluster, 'GET', `${CMS}/del`)).status, 404);
});

test('lists page with limit and continue, all pages at one revision', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'paging' } });
  for (let i = 0; i < 5; i++) await call(cluster, 'POST', '/api/v1/namespaces/paging/configmaps', cm(`p${i}`));
  const page1 = await call(cluster, 'GET', '/api/v1/namespaces/paging/configmaps?limit=2');
  t.deepEqual(page1.body.items.map((i: any) => i.metadata.name), ['p0', 'p1']);
  t.truthy(page1.body.metadata.continue);
  await call(cluster, 'POST', '/api/v1/namespaces/paging/configmaps', cm('p2a'));
  await call(cluster, 'DELETE', '/api/v1/namespaces/paging/configmaps/p4');
  const page2 = await call(cluster, 'GET', `/api/v1/namespaces/paging/configmaps?limit=2&continue=${page1.body.metadata.continue}`);
  t.deepEqual(page2.body.items.map((i: any) => i.metadata.name), ['p2', 'p3']);
  t.is(page2.body.metadata.resourceVersion, page1.body.metadata.resourceVersion);
  const page3 = await call(cluster, 'GET', `/api/v1/namespaces/paging/configmaps?limit=2&continue=${page2.body.metadata.continue}`);
  t.deepEqual(page3.body.items.map((i: any) => i.metadata.name), ['p4'], 'the deleted object is still in the old snapshot');
  t.falsy(page3.body.metadata.continue);
});

test.serial('a list at an exact compacted revision, or a continue token past compaction, answers 410 Expired', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'compacted' } });
  for (let i = 0; i < 3; i++) await call(cluster, 'POST', '/api/v1/namespaces/compacted/configmaps', cm(`c${i}`));
  const page1 = await call(cluster, 'GET', '/api/v1/namespaces/compacted/configmaps?limit=1');
  const old = page1.body.metadata.resourceVersion;
  await call(cluster, 'POST', '/api/v1/namespaces/compacted/configmaps', cm('c9'));
  const latest = (await call(cluster, 'GET', '/api/v1/namespaces/compacted/configmaps')).body.metadata.resourceVersion;
  await etcd.kv.compact({ revision: Number(latest), physical: true });
  const exact = await call(cluster, 'GET', `/api/v1/namespaces/compacted/configmaps?resourceVersion=${old}&resourceVersionMatch=Exact`);
  t.is(exact.status, 410);
  t.is(exact.body.reason, 'Expired');
  const cont = await call(cluster, 'GET', `/api/v1/namespaces/compacted/configmaps?limit=1&continue=${page1.body.metadata.continue}`);
  t.is(cont.status, 410);
  t.is(cont.body.reason, 'Expired');
});

test('a watch starts after the given resourceVersion and sees every later change in order', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'watching' } });
  const a = (await call(cluster, 'POST', '/api/v1/namespaces/watching/configmaps', cm('a'))).body;
  const w = await openWatch(cluster, `/api/v1/namespaces/watching/configmaps?watch=1&resourceVersion=${a.metadata.resourceVersion}`);
  await call(cluster, 'POST', '/api/v1/namespaces/watching/configmaps', cm('b'));
  await call(cluster, 'PUT', '/api/v1/namespaces/watching/configmaps/a', { ...a, data: { a: 'changed' } });
  await call(cluster, 'DELETE', '/api/v1/namespaces/watching/configmaps/b');
  const events = await w.waitFor(3);
  w.close();
  t.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED b', 'MODIFIED a', 'DELETED b']);
  const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
  t.deepEqual(rvs, [...rvs].sort((x, y) => x - y));
});

test('a watch without resourceVersion first lists the current state as ADDED events', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'initial' } });
  await call(cluster, 'POST', '/api/v1/namespaces/initial/configmaps', cm('x'));
  await call(cluster, 'POST', '/api/v1/namespaces/initial/configmaps', cm('y'));
  const w = await openWatch(cluster, '/api/v1/namespaces/initial/configmaps?watch=true');
  const initial = await w.waitFor(2);
  t.deepEqual(initial.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED x', 'ADDED y']);
  await call(cluster, 'POST', '/api/v1/namespaces/initial/configmaps', cm('z'));
  const all = await w.waitFor(3);
  w.close();
  t.is(all[2].type, 'ADDED');
  t.is(all[2].object.metadata.name, 'z');
});

test('watch bookmarks and label selector transitions', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'selecting' } });
  const base = (await call(cluster, 'GET', '/api/v1/namespaces/selecting/configmaps')).body.metadata.resourceVersion;
  const w = await openWatch(cluster, `/api/v1/namespaces/selecting/configmaps?watch=1&resourceVersion=${base}&labelSelector=tier%3Dweb`);
  const created = (await call(cluster, 'POST', '/api/v1/namespaces/selecting/configmaps', { ...cm('s'), metadata: { name: 's', labels: { tier: 'db' } } })).body;
  const moved = (await call(cluster, 'PUT', '/api/v1/namespaces/selecting/configmaps/s', { ...created, metadata: { ...created.metadata, labels: { tier: 'web' } } })).body;
  await call(cluster, 'PUT', '/api/v1/namespaces/selecting/configmaps/s', { ...moved, metadata: { ...moved.metadata, labels: { tier: 'cache' } } });
  const events = await w.waitFor(2);
  w.close();
  t.deepEqual(events.map((e) => e.type), ['ADDED', 'DELETED'], 'entering the selection is ADDED, leaving it is DELETED');
});

test('a list answers each stored object with kind, apiVersion and its resourceVersion, whatever layout it was stored in', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'layouts' } });
  const LAYOUTS = '/api/v1/namespaces/layouts/configmaps';
  await call(cluster, 'POST', LAYOUTS, cm('written-by-api', { a: 'é ü' }));
  // Values stored by hand: metadata first without kind, and keys in any order.
  await etcd.put('/registry/configmaps/layouts/metadata-first').value(JSON.stringify({ metadata: { name: 'metadata-first', namespace: 'layouts', uid: 'u1' }, data: { a: '1' } })).exec();
  await etcd.put('/registry/configmaps/layouts/data-first').value(JSON.stringify({ data: { a: '2' }, metadata: { name: 'data-first', namespace: 'layouts', uid: 'u2' }, kind: 'ConfigMap', apiVersion: 'v1' })).exec();
  await etcd.put('/registry/configmaps/layouts/empty-metadata').value('{"kind":"ConfigMap","apiVersion":"v1","metadata":{},"data":{"a":"3"}}').exec();
  const raw = await etcd.getAll().prefix('/registry/configmaps/layouts/').exec();
  const revisions = new Map(raw.kvs.map((kv) => [kv.key.toString().split('/').pop(), kv.mod_revision]));

  const list = await call(cluster, 'GET', LAYOUTS);
  t.is(list.status, 200);
  t.is(list.body.kind, 'ConfigMapList');
  t.truthy(list.body.metadata.resourceVersion);
  t.deepEqual(list.body.items.map((i: { metadata: { name?: string } }) => i.metadata.name).sort(), ['data-first', 'metadata-first', undefined, 'written-by-api'].sort());
  for (const item of list.body.items) {
    t.is(item.kind, 'ConfigMap');
    t.is(item.apiVersion, 'v1');
    t.is(item.metadata.resourceVersion, revisions.get(item.metadata.name ?? 'empty-metadata'));
  }
  t.deepEqual(list.body.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'written-by-api').data, { a: 'é ü' });

  // Paged, the pieces add up to the same list.
  const first = await call(cluster, 'GET', `${LAYOUTS}?limit=3`);
  t.is(first.body.items.length, 3);
  t.is(first.body.metadata.remainingItemCount, 1);
  const rest = await call(cluster, 'GET', `${LAYOUTS}?limit=3&continue=${encodeURIComponent(first.body.metadata.continue)}`);
  t.is(rest.body.items.length, 1);
  t.is(rest.body.metadata.continue, undefined);
  t.deepEqual([...first.body.items, ...rest.body.items], list.body.items);
});
