// Unit tests against a small in-process fake of the list and watch endpoints;
// the informer's behaviour against the real API server is tested under test/.
import test, { type ExecutionContext } from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiError } from './api-error.js';
import { Informer, type InformerOptions } from './informer.js';
import type { AnyObject, ResourceRef } from './resource.js';
import { RestClient } from './rest-client.js';

const configMaps: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true };

async function until(cond: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(2);
  }
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

/** Serves list (paged) and watch for configmaps in "default", with knobs for failures. */
class FakeApi {
  readonly objects = new Map<string, AnyObject>();
  rv = 100;
  readonly lists: URL[] = [];
  readonly watches: { url: URL; at: number }[] = [];
  readonly open = new Set<http.ServerResponse>();
  failLists: number[] = [];
  /** How the next watches are refused: an HTTP code, or 'event' for 200 then an ERROR event with 410. */
  refuseWatches: (number | 'event')[] = [];
  expireContinueTokens = false;
  closeWatchesAtOnce = false;
  client!: RestClient;

  static async start(t: ExecutionContext, names: string[] = []): Promise<FakeApi> {
    const api = new FakeApi();
    for (const name of names) api.put(name, { v: '1' }, false);
    const server = http.createServer((req, res) => api.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api.client = new RestClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, { qps: 0 });
    t.teardown(() => {
      api.client.close();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return api;
  }

  put(name: string, data: Record<string, string>, notify = true): AnyObject {
    const existed = this.objects.has(name);
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', resourceVersion: String(++this.rv) }, data };
    this.objects.set(name, obj);
    if (notify) this.emit(existed ? 'MODIFIED' : 'ADDED', obj);
    return obj;
  }

  remove(name: string, notify = true): void {
    const obj = this.objects.get(name)!;
    this.objects.delete(name);
    if (notify) this.emit('DELETED', { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } });
  }

  bookmark(): string {
    const rv = String(++this.rv);
    this.emit('BOOKMARK', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: rv } });
    return rv;
  }

  emit(type: string, object: unknown): void {
    for (const res of this.open) res.write(JSON.stringify({ type, object }) + '\n');
  }

  endWatches(): void {
    for (const res of this.open) res.end();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url!, 'http://fake');
    if (url.pathname !== '/api/v1/namespaces/default/configmaps') return this.answer(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    if (url.searchParams.get('watch') === 'true') {
      this.watches.push({ url, at: performance.now() });
      const refusal = this.refuseWatches.shift();
      if (refusal === 'event') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version') }) + '\n');
      }
      if (refusal) return this.answer(res, refusal, status(refusal, 'Expired', 'too old resource version'));
      res.writeHead(200, { 'content-type': 'application/json' });
      if (this.closeWatchesAtOnce) return void res.end();
      res.flushHeaders();
      this.open.add(res);
      res.on('close', () => this.open.delete(res));
      return;
    }
    this.lists.push(url);
    const failure = this.failLists.shift();
    if (failure) return this.answer(res, failure, status(failure, 'InternalError', 'etcd is having a bad day'));
    const cont = url.searchParams.get('continue');
    if (cont && this.expireContinueTokens) return this.answer(res, 410, status(410, 'Expired', 'the continue token is too old'));
    const all = [...this.objects.keys()].sort().map((k) => this.objects.get(k)!);
    const limit = Number(url.searchParams.get('limit') ?? all.length) || all.length;
    const offset = cont ? Number(cont) : 0;
    const page = all.slice(offset, offset + limit);
    const next = offset + limit < all.length ? String(offset + limit) : undefined;
    this.answer(res, 200, {
      kind: 'ConfigMapList',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(this.rv), continue: next },
      // Like the real server, list items carry neither kind nor apiVersion.
      items: page.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
    });
  }

  private answer(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

interface Recorded {
  adds: AnyObject[];
  updates: [AnyObject, AnyObject][];
  deletes: AnyObject[];
  errors: unknown[];
}

function informerFor(t: ExecutionContext, api: FakeApi, options: InformerOptions<AnyObject> = {}): { informer: Informer; seen: Recorded } {
  const seen: Recorded = { adds: [], updates: [], deletes: [], errors: [] };
  const informer = new Informer(api.client, configMaps, {
    namespace: 'default',
    watchTimeoutSeconds: 60,
    backoff: { initialMs: 10, maxMs: 100 },
    onError: (err) => seen.errors.push(err),
    ...options,
  });
  informer.addEventHandler({
    onAdd: (obj) => seen.adds.push(obj),
    onUpdate: (oldObj, newObj) => seen.updates.push([oldObj, newObj]),
    onDelete: (obj) => seen.deletes.push(obj),
  });
  t.teardown(() => informer.stop());
  return { informer, seen };
}

const names = (objs: AnyObject[]) => objs.map((o) => o.metadata.name).sort();

test('lists in pages, then watches from the list resourceVersion', async (t) => {
  const api = await FakeApi.start(t, ['a', 'b', 'c', 'd', 'e']);
  const { informer, seen } = informerFor(t, api, { pageSize: 2 });
  t.false(informer.hasSynced());
  informer.start();
  await informer.waitForSync();
  t.true(informer.hasSynced());
  t.deepEqual(names(seen.adds), ['a', 'b', 'c', 'd', 'e']);
  t.is(informer.store.size, 5);
  t.is(informer.store.get('default/c')?.kind, 'ConfigMap', 'list items get their kind back');
  t.is(informer.store.get('default/c')?.apiVersion, 'v1');
  t.is(informer.store.byIndex('namespace', 'default').length, 5);
  t.deepEqual(api.lists.map((u) => [u.searchParams.get('limit'), u.searchParams.get('continue')]), [['2', null], ['2', '2'], ['2', '4']]);
  t.is(informer.lastSyncResourceVersion, '105');
  await until(() => api.watches.length === 1, 'the watch');
  const query = api.watches[0].url.searchParams;
  t.is(query.get('resourceVersion'), '105');
  t.is(query.get('allowWatchBookmarks'), 'true');
  t.is(query.get('timeoutSeconds'), '60');
  t.deepEqual(seen.errors, []);
});

test('watch events update the cache, and a normal stream end resumes from the last bookmark', async (t) => {
  const api = await FakeApi.start(t, ['a']);
  const { informer, seen } = informerFor(t, api);
  informer.start();
  await informer.waitForSync();
  await until(() => api.open.size === 1, 'the watch');

  api.put('b', { v: '1' });
  await until(() => seen.adds.length === 2, 'the add of b');
  t.is(informer.store.get('default/b')?.data.v, '1');

  const before = informer.store.get('default/a')!;
  api.put('a', { v: '2' });
  await until(() => seen.updates.length === 1, 'the update of a');
  t.is(seen.updates[0][0], before);
  t.is(seen.updates[0][1].data.v, '2');
  t.is(informer.store.get('default/a')?.data.v, '2');

  api.remove('a');
  await until(() => seen.deletes.length === 1, 'the delete of a');
  t.is(seen.deletes[0].metadata.name, 'a');
  t.false(informer.store.has('default/a'));

  const bookmark = api.bookmark();
  await until(() => informer.lastSyncResourceVersion === bookmark, 'the bookmark');
  api.endWatches();
  await until(() => api.watches.length === 2, 'the second watch');
  t.is(api.watches[1].url.searchParams.get('resourceVersion'), bookmark);
  t.is(api.lists.length, 1, 'a normal end needs no relist');
  t.deepEqual(seen.errors, []);
});

test('an ERROR event with code 410 makes the informer relist and deliver the differences', async (t) => {
  const api = await FakeApi.start(t, ['a', 'b', 'c']);
  const { informer, seen } = informerFor(t, api);
  informer.start();
  await informer.waitForSync();
  await until(() => api.open.size === 1, 'the watch');
  const lastB = informer.store.get('default/b')!;

  // Changes whose events were compacted away before the informer saw them.
  api.remove('b', false);
  api.put('c', { v: '2' }, false);
  api.put('d', { v: '1' }, false);
  api.emit('ERROR', status(410, 'Expired', 'too old resource version: 103 (200)'));
  api.endWatches();

  await until(() => api.lists.length === 2 && api.watches.length === 2, 'the relist and the new watch');
  t.deepEqual(names(informer.store.list()), ['a', 'c', 'd']);
  t.deepEqual(names(seen.deletes), ['b']);
  t.is(seen.deletes[0], lastB, 'a delete found by relisting carries the last known state');
  t.deepEqual(names(seen.adds), ['a', 'b', 'c', 'd']);
  t.deepEqual(seen.updates.map(([o, n]) => [o.metadata.name, o.data.v, n.data.v]).sort(), [['a', '1', '1'], ['c', '1', '2']]);
  t.is(api.watches[1].url.searchParams.get('resourceVersion'), String(api.rv));
  t.deepEqual(seen.errors, [], 'a single expiry is routine, not an error');
});

test('a watch refused with HTTP 410 makes the informer relist', async (t) => {
  const api = await FakeApi.start(t, ['a']);
  api.refuseWatches = [410];
  const { informer, seen } = informerFor(t, api);
  informer.start();
  await until(() => api.open.size === 1, 'a watch that is accepted');
  t.is(api.lists.length, 2);
  t.is(api.watches.length, 2);
  t.is(seen.adds.length, 1);
  t.is(seen.updates.length, 1, 'the relist finds a again');
  t.deepEqual(seen.errors, []);
});

for (const how of [410, 'event'] as const) test(`expiring again right after a relist is reported and backed off (${how})`, async (t) => {
  const api = await FakeApi.start(t, ['a']);
  api.refuseWatches = [how, how];
  const { informer, seen } = informerFor(t, api, { backoff: { initialMs: 40, maxMs: 100 } });
  informer.start();
  await until(() => api.open.size === 1, 'a watch that is accepted');
  t.is(api.lists.length, 3);
  t.is(seen.errors.length, 1);
  t.true(seen.errors[0] instanceof ApiError && seen.errors[0].code === 410);
  const gap = api.watches[2].at - api.watches[1].at;
  t.true(gap >= 35, `waited ${gap}ms before listing again`);
});

test('resync re-delivers every cached object to onUpdate', async (t) => {
  const api = await FakeApi.start(t, ['a', 'b']);
  const { informer, seen } = informerFor(t, api, { resyncPeriodMs: 25 });
  informer.start();
  await informer.waitForSync();
  await until(() => seen.updates.length >= 4, 'two resyncs');
  t.true(seen.updates.every(([o, n]) => o === n));
  t.deepEqual(names(seen.updates.slice(0, 2).map(([, n]) => n)), ['a', 'b']);
  t.is(api.lists.length, 1, 'a resync replays the cache and does not list');
});

test('failed lists are reported and retried with backoff until the informer syncs', async (t) => {
  const api = await FakeApi.start(t, ['a']);
  api.failLists = [500, 500];
  const { informer, seen } = informerFor(t, api, { backoff: { initialMs: 20, maxMs: 100 } });
  const started = performance.now();
  informer.start();
  await informer.waitForSync();
  t.true(performance.now() - started >= 50, 'two backoffs of at least 20 and 40ms');
  t.is(api.lists.length, 3);
  t.is(seen.errors.length, 2);
  t.is((seen.errors[0] as ApiError).code, 500);
  t.is(seen.adds.length, 1);
});

test('an expired continue token restarts the list in one unpaged request', async (t) => {
  const api = await FakeApi.start(t, ['a', 'b', 'c']);
  api.expireContinueTokens = true;
  const { informer, seen } = informerFor(t, api, { pageSize: 2 });
  informer.start();
  await informer.waitForSync();
  t.deepEqual(api.lists.map((u) => [u.searchParams.get('limit'), u.searchParams.get('continue')]), [['2', null], ['2', '2'], [null, null]]);
  t.deepEqual(names(seen.adds), ['a', 'b', 'c']);
});

test('a watch that keeps closing at once without events is backed off', async (t) => {
  const api = await FakeApi.start(t, ['a']);
  api.closeWatchesAtOnce = true;
  const { informer, seen } = informerFor(t, api, { backoff: { initialMs: 30, maxMs: 30 } });
  informer.start();
  await until(() => api.watches.length === 3, 'three watch attempts');
  const gaps = [api.watches[1].at - api.watches[0].at, api.watches[2].at - api.watches[1].at];
  t.true(gaps.every((g) => g >= 25), `gaps ${gaps.join(', ')}ms`);
  t.regex((seen.errors[0] as Error).message, /closed at once/);
  t.is(api.lists.length, 1, 'an early close resumes the watch without relisting');
});

test('a handler added late gets the cached objects as adds, and a removed one nothing more', async (t) => {
  const api = await FakeApi.start(t, ['a', 'b']);
  const { informer } = informerFor(t, api);
  informer.start();
  await informer.waitForSync();
  await until(() => api.open.size === 1, 'the watch');
  const late: string[] = [];
  const remove = informer.addEventHandler({ onAdd: (obj) => late.push(obj.metadata.name!) });
  t.deepEqual(late.sort(), ['a', 'b']);
  remove();
  api.put('c', {});
  await until(() => informer.store.has('default/c'), 'c in the cache');
  t.deepEqual(late, ['a', 'b']);
});

test('a throwing handler is reported and does not stop the others', async (t) => {
  const api = await FakeApi.start(t, ['a']);
  const { informer, seen } = informerFor(t, api);
  informer.addEventHandler({ onAdd: () => { throw new Error('handler bug'); } });
  informer.addEventHandler({ onAdd: async () => { throw new Error('async handler bug'); } });
  informer.start();
  await informer.waitForSync();
  await until(() => seen.errors.length === 2, 'both handler errors');
  t.deepEqual((seen.errors as Error[]).map((e) => e.message).sort(), ['async handler bug', 'handler bug']);
  t.is(seen.adds.length, 1);
});

test('stop closes the watch, rejects waitForSync and resolves once idle', async (t) => {
  const api = await FakeApi.start(t, ['a']);
  const { informer } = informerFor(t, api);
  informer.start();
  await informer.waitForSync();
  await until(() => api.open.size === 1, 'the watch');
  await informer.stop();
  await until(() => api.open.size === 0, 'the server to see the watch close');
  t.throws(() => informer.start(), { message: /already stopped/ });

  const never = await FakeApi.start(t, ['a']);
  never.failLists = Array(1000).fill(500);
  const { informer: unsynced } = informerFor(t, never, { backoff: { initialMs: 5, maxMs: 5 } });
  unsynced.start();
  const waiting = unsynced.waitForSync();
  await until(() => never.lists.length >= 2, 'a few failed lists');
  await unsynced.stop();
  await t.throwsAsync(waiting, { message: /stopped before it synced/ });
  const lists = never.lists.length;
  await delay(30);
  t.is(never.lists.length, lists, 'nothing runs after stop');
});
