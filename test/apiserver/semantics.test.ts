import test from 'ava';
import { adminClient, defaultServiceAccount, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call, openWatch } from '../helpers/http.js';

let cluster: TestCluster;
test.before(async () => { cluster = await startCluster(); });
test.after.always(async () => { await cluster?.stop(); });

const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const deployment = (name: string, replicas = 1) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';

test('generation counts spec changes only; the main endpoint ignores status and /status ignores spec', async (t) => {
  const created = (await call(cluster, 'POST', DEPLOYS, deployment('gen'))).body;
  t.is(created.metadata.generation, 1);
  t.deepEqual(created.status ?? {}, {});
  const labelled = (await call(cluster, 'PATCH', `${DEPLOYS}/gen`, { metadata: { labels: { a: 'b' } } }, MERGE)).body;
  t.is(labelled.metadata.generation, 1, 'metadata changes do not bump generation');
  const scaled = (await call(cluster, 'PATCH', `${DEPLOYS}/gen`, { spec: { replicas: 3 }, status: { replicas: 99 } }, MERGE)).body;
  t.is(scaled.metadata.generation, 2);
  t.is(scaled.status?.replicas, undefined, 'status written through the main endpoint is ignored');
  const status = (await call(cluster, 'PATCH', `${DEPLOYS}/gen/status`, { spec: { replicas: 7 }, status: { replicas: 3, observedGeneration: 2 } }, MERGE)).body;
  t.is(status.status.replicas, 3);
  t.is(status.spec.replicas, 3, 'spec written through /status is ignored');
  t.is(status.metadata.generation, 2);
  const scale = await call(cluster, 'GET', `${DEPLOYS}/gen/scale`);
  t.is(scale.body.kind, 'Scale');
  t.is(scale.body.spec.replicas, 3);
  t.is(scale.body.status.replicas, 3);
  t.is(scale.body.status.selector, 'app=gen');
  const rescaled = await call(cluster, 'PUT', `${DEPLOYS}/gen/scale`, { ...scale.body, spec: { replicas: 5 } });
  t.is(rescaled.status, 200, rescaled.text);
  t.is((await call(cluster, 'GET', `${DEPLOYS}/gen`)).body.spec.replicas, 5);
});

test('finalizers keep a deleted object until they are removed; watchers see MODIFIED then DELETED', async (t) => {
  const CMS = '/api/v1/namespaces/default/configmaps';
  const created = (await call(cluster, 'POST', CMS, { metadata: { name: 'held', finalizers: ['example.com/hold'] } })).body;
  const w = await openWatch(cluster, `${CMS}?watch=1&resourceVersion=${created.metadata.resourceVersion}&fieldSelector=metadata.name%3Dheld`);
  const deleted = await call(cluster, 'DELETE', `${CMS}/held`);
  t.is(deleted.status, 200, 'kube answers 200 to a delete that finalizers hold');
  t.truthy(deleted.body.metadata.deletionTimestamp);
  const still = (await call(cluster, 'GET', `${CMS}/held`)).body;
  t.truthy(still.metadata.deletionTimestamp);
  const adding = await call(cluster, 'PATCH', `${CMS}/held`, { metadata: { finalizers: ['example.com/hold', 'example.com/other'] } }, MERGE);
  t.is(adding.status, 422, 'no new finalizers once deleting');
  t.is((await call(cluster, 'PATCH', `${CMS}/held`, { metadata: { finalizers: null } }, MERGE)).status, 200);
  t.is((await call(cluster, 'GET', `${CMS}/held`)).status, 404);
  const events = await w.waitFor(2);
  w.close();
  t.deepEqual(events.map((e) => e.type), ['MODIFIED', 'DELETED']);
});

test('propagation policies add the orphan and foregroundDeletion finalizers', async (t) => {
  await call(cluster, 'POST', DEPLOYS, deployment('orphaned'));
  const orphan = await call(cluster, 'DELETE', `${DEPLOYS}/orphaned`, { propagationPolicy: 'Orphan' });
  t.deepEqual(orphan.body.metadata.finalizers, ['orphan']);
  await call(cluster, 'POST', DEPLOYS, deployment('fore'));
  const fore = await call(cluster, 'DELETE', `${DEPLOYS}/fore?propagationPolicy=Foreground`);
  t.deepEqual(fore.body.metadata.finalizers, ['foregroundDeletion']);
  await call(cluster, 'POST', DEPLOYS, deployment('back'));
  t.is((await call(cluster, 'DELETE', `${DEPLOYS}/back`, { propagationPolicy: 'Background' })).status, 200);
  t.is((await call(cluster, 'GET', `${DEPLOYS}/back`)).status, 404);
});

test('a pod bound to a node terminates gracefully; grace period 0 deletes at once', async (t) => {
  const PODS = '/api/v1/namespaces/default/pods';
  const pod = (name: string) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await call(cluster, 'POST', PODS, pod('bound'));
  const bind = await call(cluster, 'POST', `${PODS}/bound/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { kind: 'Node', name: 'n1' } });
  t.is(bind.status, 201, bind.text);
  const again = await call(cluster, 'POST', `${PODS}/bound/binding`, { metadata: { name: 'bound' }, target: { kind: 'Node', name: 'n2' } });
  t.is(again.status, 409);
  const graceful = await call(cluster, 'DELETE', `${PODS}/bound`);
  t.is(graceful.status, 200, 'kube answers 200 to a graceful delete');
  t.is(graceful.body.metadata.deletionGracePeriodSeconds, 30);
  t.is((await call(cluster, 'GET', `${PODS}/bound`)).status, 200);
  t.is((await call(cluster, 'DELETE', `${PODS}/bound`, { gracePeriodSeconds: 0 })).status, 200);
  t.is((await call(cluster, 'GET', `${PODS}/bound`)).status, 404);
  await call(cluster, 'POST', PODS, pod('unbound'));
  t.is((await call(cluster, 'DELETE', `${PODS}/unbound`)).status, 200, 'an unscheduled pod goes at once');
});

test('deletecollection deletes what the selectors pick', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'bulk' } });
  for (const [name, tier] of [['a', 'web'], ['b', 'web'], ['c', 'db']]) {
    await call(cluster, 'POST', '/api/v1/namespaces/bulk/configmaps', { metadata: { name, labels: { tier } } });
  }
  const r = await call(cluster, 'DELETE', '/api/v1/namespaces/bulk/configmaps?labelSelector=tier%3Dweb');
  t.is(r.status, 200);
  t.is(r.body.items.length, 2);
  const left = (await call(cluster, 'GET', '/api/v1/namespaces/bulk/configmaps')).body.items.map((i: any) => i.metadata.name);
  t.deepEqual(left, ['c']);
});

test('label and field selectors on lists', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'sel' } });
  const admin = adminClient(cluster);
  await defaultServiceAccount(admin, 'sel').finally(() => admin.close());
  const P = '/api/v1/namespaces/sel/pods';
  const pod = (name: string, labels: Record<string, string>, nodeName?: string) => ({ metadata: { name, labels }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } });
  await call(cluster, 'POST', P, pod('p1', { env: 'prod', tier: 'web' }, 'n1'));
  await call(cluster, 'POST', P, pod('p2', { env: 'dev', tier: 'web' }));
  await call(cluster, 'POST', P, pod('p3', { env: 'prod' }, 'n2'));
  const names = async (q: string) => (await call(cluster, 'GET', `${P}?${q}`)).body.items.map((i: any) => i.metadata.name);
  t.deepEqual(await names('labelSelector=env%3Dprod'), ['p1', 'p3']);
  t.deepEqual(await names('labelSelector=env%3D%3Dprod,tier'), ['p1']);
  t.deepEqual(await names('labelSelector=env!%3Dprod'), ['p2']);
  t.deepEqual(await names('labelSelector=env%20in%20(dev,test)'), ['p2']);
  t.deepEqual(await names('labelSelector=env%20notin%20(dev)'), ['p1', 'p3']);
  t.deepEqual(await names('labelSelector=!tier'), ['p3']);
  t.deepEqual(await names('fieldSelector=spec.nodeName%3Dn1'), ['p1']);
  t.deepEqual(await names('fieldSelector=spec.nodeName%3D'), ['p2']);
  t.deepEqual(await names('fieldSelector=metadata.name!%3Dp1,status.phase%3DPending'), ['p2', 'p3']);
  t.deepEqual(await names('fieldSelector=metadata.namespace%3Dsel&labelSelector=tier%3Dweb'), ['p1', 'p2']);
});

test('watches send BOOKMARK events when allowed', async (t) => {
  const rv = (await call(cluster, 'GET', '/api/v1/namespaces/default/secrets')).body.metadata.resourceVersion;
  const w = await openWatch(cluster, `/api/v1/namespaces/default/secrets?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`);
  const [event] = await w.waitFor(1, 15_000);
  w.close();
  t.is(event.type, 'BOOKMARK');
  t.true(Number(event.object.metadata.resourceVersion) >= Number(rv));
});

test('sendInitialEvents ends the initial state with an annotated bookmark', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'initial-events' } });
  await call(cluster, 'POST', '/api/v1/namespaces/initial-events/configmaps', { metadata: { name: 'one' } });
  const w = await openWatch(cluster, '/api/v1/namespaces/initial-events/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true');
  const events = await w.waitFor(2);
  w.close();
  t.is(events[0].type, 'ADDED');
  t.is(events[1].type, 'BOOKMARK');
  t.is(events[1].object.metadata.annotations['k8s.io/initial-events-end'], 'true');
});

test('a thousand watchers cost etcd one watch per resource', async (t) => {
  const watchers = async () => {
    const res = await fetch(`${cluster.etcd.url}/metrics`);
    const m = /^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(await res.text());
    return Number(m?.[1]);
  };
  const before = await watchers();
  const streams = await Promise.all(Array.from({ length: 1000 }, () => openWatch(cluster, '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0')));
  const during = await watchers();
  streams.forEach((s) => s.close());
  t.true(before > 0);
  t.is(during, before);
});

test('the system namespaces cannot be deleted, nor all namespaces at once', async (t) => {
  for (const ns of ['default', 'kube-system', 'kube-public']) {
    const r = await call(cluster, 'DELETE', `/api/v1/namespaces/${ns}`);
    t.is(r.status, 403);
    t.is(r.body.message, `namespaces "${ns}" is forbidden: this namespace may not be deleted`);
  }
  t.is((await call(cluster, 'DELETE', '/api/v1/namespaces')).status, 405);
});

test('DELETE answers a Success Status, or the object for kinds that return it', async (t) => {
  const CMS = '/api/v1/namespaces/default/configmaps';
  const cm = (await call(cluster, 'POST', CMS, { metadata: { name: 'status-on-delete' } })).body;
  const r = await call(cluster, 'DELETE', `${CMS}/status-on-delete`);
  t.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'status-on-delete', kind: 'configmaps', uid: cm.metadata.uid } });
  await call(cluster, 'POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'object-on-delete' }, spec: { containers: [{ name: 'c', image: 'b' }] } });
  t.is((await call(cluster, 'DELETE', '/api/v1/namespaces/default/pods/object-on-delete')).body.kind, 'Pod');
});

test('PUT creates leases, endpoints and events that do not exist yet, but not configmaps', async (t) => {
  const lease = await call(cluster, 'PUT', '/apis/coordination.k8s.io/v1/namespaces/default/leases/put-lease', { metadata: { name: 'put-lease' }, spec: { holderIdentity: 'me' } });
  t.is(lease.status, 201, lease.text);
  t.is(lease.body.spec.holderIdentity, 'me');
  t.is((await call(cluster, 'PUT', '/api/v1/namespaces/default/configmaps/put-cm', { metadata: { name: 'put-cm' } })).status, 404);
});

test('metadata.uid is immutable', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'uid-fixed' } });
  const r = await call(cluster, 'PATCH', '/api/v1/namespaces/default/configmaps/uid-fixed', { metadata: { uid: 'other' } }, MERGE);
  t.is(r.status, 422);
  t.is(r.body.details.causes[0].field, 'metadata.uid');
});

test('invalid causes carry the field once, the message keeps it', async (t) => {
  const r = await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'Bad_' } });
  t.is(r.status, 422);
  t.is(r.body.details.causes[0].field, 'metadata.name');
  t.regex(r.body.details.causes[0].message, /^Invalid value: "Bad_"/);
  t.regex(r.body.message, /^ConfigMap "Bad_" is invalid: metadata\.name: Invalid value: "Bad_"/);
});

test('empty lists and maps are left out of stored objects', async (t) => {
  const created = (await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'empties', labels: {}, finalizers: [] }, data: {} })).body;
  t.is(created.metadata.labels, undefined);
  t.is(created.metadata.finalizers, undefined);
  t.is(created.data, undefined);
  await call(cluster, 'PATCH', '/api/v1/namespaces/default/configmaps/empties', { metadata: { labels: { a: 'b' } } }, MERGE);
  const unlabelled = (await call(cluster, 'PATCH', '/api/v1/namespaces/default/configmaps/empties', { metadata: { labels: { a: null } } }, MERGE)).body;
  t.is(unlabelled.metadata.labels, undefined);
});

test('creating in a terminating namespace is Forbidden for that object', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'ending' } });
  await call(cluster, 'DELETE', '/api/v1/namespaces/ending');
  const r = await call(cluster, 'POST', '/api/v1/namespaces/ending/configmaps', { metadata: { name: 'late' } });
  t.is(r.status, 403);
  t.is(r.body.message, 'configmaps "late" is forbidden: unable to create new content in namespace ending because it is being terminated');
  t.is(r.body.details.name, 'late');
  t.is(r.body.details.kind, 'configmaps');
});

test('a claim without a class gets the default StorageClass', async (t) => {
  await call(cluster, 'POST', '/apis/storage.k8s.io/v1/storageclasses', { metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'ebs.csi.aws.com' });
  await call(cluster, 'POST', '/apis/storage.k8s.io/v1/storageclasses', { metadata: { name: 'slow' }, provisioner: 'ebs.csi.aws.com' });
  const claim = (name: string, spec: Record<string, unknown> = {}) => ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } });
  const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';
  t.is((await call(cluster, 'POST', PVCS, claim('defaulted'))).body.spec.storageClassName, 'gp3');
  t.is((await call(cluster, 'POST', PVCS, claim('chosen', { storageClassName: 'slow' }))).body.spec.storageClassName, 'slow');
  t.is((await call(cluster, 'POST', PVCS, claim('none', { storageClassName: '' }))).body.spec.storageClassName ?? '', '', 'an explicit empty class stays empty');
});

test('paged lists report how many items remain; the legacy watch path is served', async (t) => {
  await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name: 'remaining' } });
  for (let i = 0; i < 4; i++) await call(cluster, 'POST', '/api/v1/namespaces/remaining/configmaps', { metadata: { name: `r${i}` } });
  const page = (await call(cluster, 'GET', '/api/v1/namespaces/remaining/configmaps?limit=1')).body;
  t.is(page.metadata.remainingItemCount, 3);
  const rv = page.metadata.resourceVersion;
  const w = await openWatch(cluster, `/api/v1/watch/namespaces/remaining/configmaps?resourceVersion=${rv}`);
  await call(cluster, 'POST', '/api/v1/namespaces/remaining/configmaps', { metadata: { name: 'watched' } });
  const [event] = await w.waitFor(1);
  w.close();
  t.is(event.object.metadata.name, 'watched');
});

test('finalizer names must be qualified names', async (t) => {
  const r = await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'badfin', finalizers: ['bad finalizer'] } });
  t.is(r.status, 422);
  t.is(r.body.details.causes[0].field, 'metadata.finalizers[0]');
});
