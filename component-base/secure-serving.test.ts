import test from 'ava';
import { request } from 'node:https';
import { Counter, Registry } from 'prom-client';
import { startSecureServing } from './secure-serving.js';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject).end();
  });
}

test('health and metrics over HTTPS with a self-signed certificate; failing checks are named', async (t) => {
  const registry = new Registry();
  new Counter({ name: 'test_things_total', help: 'things', registers: [registry] }).inc(3);
  let synced = false;
  const serving = (await startSecureServing({
    bindAddress: '127.0.0.1', securePort: 0, ephemeral: true, registry,
    readyz: [{ name: 'informer-sync', check: () => (synced ? undefined : 'not synced') }],
  }))!;
  try {
    t.deepEqual(await get(`${serving.url}/healthz`), { status: 200, body: 'ok' });
    t.deepEqual(await get(`${serving.url}/livez`), { status: 200, body: 'ok' });
    const notReady = await get(`${serving.url}/readyz`);
    t.is(notReady.status, 500);
    t.regex(notReady.body, /\[\+\]ping ok\n\[-\]informer-sync failed: not synced\nreadyz check failed/);
    synced = true;
    t.is((await get(`${serving.url}/readyz`)).status, 200);
    t.regex((await get(`${serving.url}/readyz?verbose`)).body, /\[\+\]informer-sync ok\nreadyz check passed/);
    t.is((await get(`${serving.url}/readyz/informer-sync`)).status, 200);
    t.regex((await get(`${serving.url}/metrics`)).body, /test_things_total 3/);
    t.is((await get(`${serving.url}/nope`)).status, 404);
  } finally {
    await serving.close();
  }
});

test('--secure-port=0 turns serving off', async (t) => {
  t.is(await startSecureServing({ bindAddress: '127.0.0.1', securePort: 0, registry: new Registry() }), undefined);
});
