import test from 'ava';
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { Informer } from '../../client/informer.js';
import { RestClient } from '../../client/rest-client.js';
import type { AnyObject } from '../../client/resource.js';
import { WorkQueue } from '../../client/workqueue.js';
import { runControllerLoop } from '../../client/controller-loop.js';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';

let cluster: TestCluster;
let client: RestClient;
const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps', namespaced: true };

test.before(async () => {
  cluster = await startCluster();
  client = new RestClient({ server: cluster.url, ca: readFileSync(cluster.caFile!, 'utf8'), token: cluster.token }, { qps: 0 });
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const tick = () => (check() ? resolve() : Date.now() > deadline ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(tick, 20));
    tick();
  });
}

test.serial('the informer lists, watches, and relists after its resourceVersion is compacted away across a restart', async (t) => {
  await client.create({ group: '', version: 'v1', resource: 'namespaces', namespaced: false }, { metadata: { name: 'inf' } });
  await client.create(CONFIGMAPS, { metadata: { name: 'first', namespace: 'inf' }, data: { v: '1' } });
  const informer = new Informer<AnyObject>(client, CONFIGMAPS, { namespace: 'inf', backoff: { initialMs: 50, maxMs: 200 } });
  const seen: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => seen.push(`add ${o.metadata.name}`),
    onUpdate: (a, b) => { if (a.metadata.resourceVersion !== b.metadata.resourceVersion) seen.push(`update ${b.metadata.name}`); },
    onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  informer.start();
  await informer.waitForSync();
  t.deepEqual(seen, ['add first']);
  await client.create(CONFIGMAPS, { metadata: { name: 'second', namespace: 'inf' } });
  await client.patch(CONFIGMAPS, 'first', 'merge', { data: { v: '2' } }, { namespace: 'inf' });
  await client.delete(CONFIGMAPS, 'second', { namespace: 'inf' });
  await until(() => seen.length === 4, 'add, update, delete');
  t.deepEqual(seen, ['add first', 'add second', 'update first', 'delete second']);

  // Make the informer's resourceVersion unservable: many changes elsewhere, compaction, restart.
  for (let i = 0; i < 5; i++) await client.create(CONFIGMAPS, { metadata: { name: `elsewhere-${i}`, namespace: 'default' } });
  const etcd = new Etcd3({ hosts: cluster.etcd.url });
  const rev = Number((await client.list(CONFIGMAPS, { namespace: 'default' })).metadata.resourceVersion);
  await cluster.restart();
  await etcd.kv.compact({ revision: rev, physical: true });
  etcd.close();
  await cluster.restart();
  await client.create(CONFIGMAPS, { metadata: { name: 'third', namespace: 'inf' } });
  await until(() => informer.store.get('inf/third') !== undefined, 'the object created after the restart');
  t.deepEqual(informer.store.keys().sort(), ['inf/first', 'inf/third']);
  await informer.stop();
});

test.serial('a controller loop reconciles each key from an informer', async (t) => {
  const informer = new Informer<AnyObject>(client, CONFIGMAPS, { namespace: 'default' });
  const queue = new WorkQueue<string>();
  informer.addEventHandler({ onAdd: (o) => queue.add(`${o.metadata.namespace}/${o.metadata.name}`), onUpdate: (_a, o) => queue.add(`${o.metadata.namespace}/${o.metadata.name}`) });
  informer.start();
  await informer.waitForSync();
  const reconciled = new Set<string>();
  let failures = 0;
  const stop = new AbortController();
  const loop = runControllerLoop(queue, async (key) => {
    if (key === 'default/flaky' && failures++ < 2) throw new Error('transient');
    reconciled.add(key);
  }, { name: 'test', workers: 2, signal: stop.signal, onError: () => undefined });
  await client.create(CONFIGMAPS, { metadata: { name: 'flaky', namespace: 'default' } });
  await until(() => reconciled.has('default/flaky'), 'the flaky key');
  t.is(failures, 3, 'two failures retried with backoff, then success');
  stop.abort();
  await loop;
  await informer.stop();
});
