import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { fixtureKinds } from './fixtures.js';
import { isOpenApiPath, serveOpenApi, V2_PROTOBUF } from './serve.js';
import { openApiV2Json, openApiV2Protobuf } from './v2.js';
import { openApiV3GroupVersionJson, SUBRESOURCE_KINDS } from './v3.js';

let server: Server;
let base = '';

test.before(async () => {
  server = createServer((req, res) => {
    if (!serveOpenApi(req, res, fixtureKinds)) {
      res.writeHead(418);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.after.always(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw GET, without fetch's transparent decompression and redirects. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('only the OpenAPI paths are answered', async (t) => {
  t.true(isOpenApiPath('/openapi/v2'));
  t.true(isOpenApiPath('/openapi/v3/'));
  t.true(isOpenApiPath('/openapi/v3/apis/apps/v1'));
  t.false(isOpenApiPath('/openapi'));
  t.false(isOpenApiPath('/api/v1'));
  t.is((await get('/api/v1')).status, 418);
});

test('v2 is JSON by default and gnostic protobuf when kubectl asks for it', async (t) => {
  const json = await get('/openapi/v2');
  t.is(json.status, 200);
  t.is(json.headers['content-type'], 'application/json');
  t.deepEqual(json.body, openApiV2Json(fixtureKinds, SUBRESOURCE_KINDS).body);
  t.is(json.headers.etag, `"${openApiV2Json(fixtureKinds, SUBRESOURCE_KINDS).etag}"`);

  // What client-go's discovery client sends.
  const pb = await get('/openapi/v2', { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
  t.is(pb.status, 200);
  t.is(pb.headers['content-type'], V2_PROTOBUF);
  t.deepEqual(pb.body, openApiV2Protobuf(fixtureKinds, SUBRESOURCE_KINDS).body);

  const preferJson = await get('/openapi/v2', { Accept: `${V2_PROTOBUF};q=0.5, application/json` });
  t.is(preferJson.headers['content-type'], 'application/json');
  t.is((await get('/openapi/v2', { Accept: 'text/html' })).status, 406);
});

test('ETags answer conditional requests with 304, and gzip is offered', async (t) => {
  const first = await get('/openapi/v2');
  const again = await get('/openapi/v2', { 'If-None-Match': String(first.headers.etag) });
  t.is(again.status, 304);
  t.is(again.body.length, 0);
  const zipped = await get('/openapi/v2', { 'Accept-Encoding': 'gzip' });
  t.is(zipped.headers['content-encoding'], 'gzip');
  t.deepEqual(gunzipSync(zipped.body), first.body);
  const head = await get('/openapi/v2', {}, 'HEAD');
  t.is(head.status, 200);
  t.is(head.body.length, 0);
  t.is((await get('/openapi/v2', {}, 'POST')).status, 405);
});

test('v3: the root, hashed documents cached for good, outdated hashes redirected', async (t) => {
  const root = await get('/openapi/v3');
  t.is(root.status, 200);
  t.is(root.headers['content-type'], 'application/json');
  const paths = JSON.parse(root.body.toString()).paths;
  const url: string = paths['apis/apps/v1'].serverRelativeURL;
  const doc = await get(url, { Accept: 'application/json' });
  t.is(doc.status, 200);
  t.is(doc.headers['cache-control'], 'public, immutable');
  t.truthy(doc.headers.expires);
  const served = openApiV3GroupVersionJson(fixtureKinds, SUBRESOURCE_KINDS, 'apis/apps/v1')!;
  t.deepEqual(doc.body, served.body);
  t.is(doc.headers.etag, `"${served.etag}"`);

  const unhashed = await get('/openapi/v3/apis/apps/v1');
  t.is(unhashed.status, 200);
  t.is(unhashed.headers['cache-control'], 'no-cache, private');

  const stale = await get('/openapi/v3/apis/apps/v1?hash=0123');
  t.is(stale.status, 301);
  t.is(stale.headers.location, url);

  t.is((await get('/openapi/v3/apis/batch/v1')).status, 404);
  t.is((await get(url, { Accept: 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf' })).status, 406);
  t.is((await get(url, { Accept: 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf, application/json' })).status, 200);
});
