import test, { type ExecutionContext } from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiError } from './api-error.js';
import type { AnyObject, ResourceRef } from './resource.js';
import { RestClient } from './rest-client.js';
import { JsonStreamDecoder, openWatch, watch, type WatchEvent } from './watch.js';

const configMaps: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespaced: true };

const cm = (name: string, rv: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', resourceVersion: rv },
  data,
});

// Strings full of the characters a naive splitter trips over.
const tricky = { braces: '}{ "quoted" \\ back\\slash ][', unicode: 'żółw 🐢 ünïcödé', newline: 'line\nbreak' };

const events: WatchEvent<AnyObject>[] = [
  { type: 'ADDED', object: cm('a', '10', tricky) },
  { type: 'MODIFIED', object: cm('a', '11', { k: 'v' }) },
  { type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '12' } } },
  { type: 'DELETED', object: cm('a', '13') },
  { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 1 (13)' } },
];
const wire = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''));

interface Served { url: string; requests: URL[]; client: RestClient }

async function serve(t: ExecutionContext, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Served> {
  const requests: URL[] = [];
  const server = http.createServer((req, res) => {
    requests.push(new URL(req.url!, 'http://fake'));
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const client = new RestClient({ server: url }, { qps: 0 });
  t.teardown(() => {
    client.close();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url, requests, client };
}

/** Writes the bytes in pieces of the given sizes, letting each piece reach the socket on its own. */
async function writeInPieces(res: http.ServerResponse, bytes: Buffer, sizes: number[]): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.flushHeaders();
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    res.write(bytes.subarray(at, at + size));
    at += size;
    await delay(1);
  }
}

test('the decoder finds every event whatever the chunk boundaries', (t) => {
  const text = wire.toString('utf8');
  for (let cut = 0; cut <= text.length; cut++) {
    const decoder = new JsonStreamDecoder();
    const values = [...decoder.write(text.slice(0, cut)), ...decoder.write(text.slice(cut))];
    decoder.end();
    if (JSON.stringify(values) !== JSON.stringify(events)) t.fail(`a split at ${cut} lost or garbled events`);
  }
  const oneByOne = new JsonStreamDecoder();
  t.deepEqual([...text].flatMap((c) => oneByOne.write(c)), events);
});

test('the decoder takes objects without newlines between them and rejects garbage', (t) => {
  const decoder = new JsonStreamDecoder();
  t.deepEqual(decoder.write('{"a":1}{"b":[1,{"c":2}]}  \r\n{"d"'), [{ a: 1 }, { b: [1, { c: 2 }] }]);
  t.throws(() => decoder.end(), { message: /middle of an event/ });
  t.deepEqual(decoder.write(':"}"}'), [{ d: '}' }]);
  t.throws(() => new JsonStreamDecoder().write('<html>'), { message: /expected an object/ });
  t.throws(() => new JsonStreamDecoder().write('{"a":tru}'), { message: /malformed watch stream/ });
});

test('a watch delivers events split at odd byte boundaries, multi-byte characters included', async (t) => {
  // Sizes 1, 7 and 13 cut through the 2-, 3- and 4-byte UTF-8 sequences in the tricky strings.
  const server = await serve(t, (_req, res) => void writeInPieces(res, wire, [7, 1, 13, 3]).then(() => res.end()));
  const { client } = server;
  const stream = await openWatch(client, configMaps, { namespace: 'default', resourceVersion: '9', timeoutSeconds: 30, labelSelector: 'app=x' });
  const received: WatchEvent<AnyObject>[] = [];
  for await (const event of stream) received.push(event);
  t.deepEqual(received, events);
  const query = server.requests[0];
  t.is(query.pathname, '/api/v1/namespaces/default/configmaps');
  t.is(query.searchParams.get('watch'), 'true');
  t.is(query.searchParams.get('resourceVersion'), '9');
  t.is(query.searchParams.get('allowWatchBookmarks'), 'true');
  t.is(query.searchParams.get('timeoutSeconds'), '30');
  t.is(query.searchParams.get('labelSelector'), 'app=x');
});

test('the callback form awaits each event and resolves when the server ends the stream', async (t) => {
  const server = await serve(t, (_req, res) => void writeInPieces(res, wire, [64]).then(() => res.end()));
  const { client } = server;
  const types: string[] = [];
  await watch(client, { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true }, {}, async (event) => {
    await delay(1);
    types.push(event.type);
  });
  t.deepEqual(types, ['ADDED', 'MODIFIED', 'BOOKMARK', 'DELETED', 'ERROR']);
  t.is(server.requests[0].pathname, '/apis/apps/v1/deployments');
});

test('a watch refused with 410 rejects with the server Status', async (t) => {
  const server = await serve(t, (_req, res) => {
    res.writeHead(410, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 5 (90)' }));
  });
  const { client } = server;
  const err = await t.throwsAsync(openWatch(client, configMaps, { resourceVersion: '5' }), { instanceOf: ApiError });
  t.is(err?.code, 410);
  t.is(err?.reason, 'Expired');
  t.is(err?.message, 'too old resource version: 5 (90)');
});

test('aborting ends the iteration cleanly and closes the connection', async (t) => {
  let serverSawClose!: Promise<void>;
  const server = await serve(t, (req, res) => {
    serverSawClose = new Promise((resolve) => res.on('close', () => resolve()));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(JSON.stringify(events[0]) + '\n');
  });
  const { client } = server;
  const abort = new AbortController();
  const stream = await openWatch(client, configMaps, { signal: abort.signal });
  const received: string[] = [];
  for await (const event of stream) {
    received.push(event.type);
    abort.abort();
  }
  t.deepEqual(received, ['ADDED']);
  await serverSawClose;
});

test('close() stops the iteration at once, even with events already buffered', async (t) => {
  const server = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(wire);
  });
  const stream = await openWatch(server.client, configMaps);
  const received: string[] = [];
  for await (const event of stream) {
    received.push(event.type);
    stream.close();
  }
  t.deepEqual(received, ['ADDED']);
});

test('the callback form resolves when aborted before or during the watch', async (t) => {
  const later = new AbortController();
  const server = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    setTimeout(() => later.abort(), 10);
  });
  const { client } = server;
  const early = new AbortController();
  early.abort();
  await watch(client, configMaps, { signal: early.signal }, () => t.fail('no event expected'));
  await watch(client, configMaps, { signal: later.signal }, () => t.fail('no event expected'));
  t.is(server.requests.length, 1, 'an aborted signal sends no request');
});

test('a connection that breaks mid-event fails the iteration after the complete events', async (t) => {
  const server = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(JSON.stringify(events[0]) + '\n' + JSON.stringify(events[1]).slice(0, 20));
    setTimeout(() => res.socket?.destroy(), 10);
  });
  const { client } = server;
  const stream = await openWatch(client, configMaps);
  const received: string[] = [];
  await t.throwsAsync(async () => {
    for await (const event of stream) received.push(event.type);
  });
  t.deepEqual(received, ['ADDED']);
});

test('a malformed event fails the iteration', async (t) => {
  const server = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"type":"SOMETHING","object":{}}\n');
  });
  const { client } = server;
  const stream = await openWatch(client, configMaps);
  await t.throwsAsync(async () => {
    for await (const _event of stream) t.fail('no event expected');
  }, { message: /malformed watch event/ });
});

test('a consumer slower than the server still gets every event in order', async (t) => {
  const count = 3_000;
  const server = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    for (let i = 0; i < count; i++) res.write(JSON.stringify({ type: 'ADDED', object: cm(`cm-${i}`, String(i)) }) + '\n');
    res.end();
  });
  const { client } = server;
  const stream = await openWatch(client, configMaps);
  let next = 0;
  for await (const event of stream) {
    if (event.object.metadata?.resourceVersion !== String(next)) t.fail(`event ${next} out of order`);
    next++;
    if (next % 500 === 0) await delay(5);
  }
  t.is(next, count);
});
