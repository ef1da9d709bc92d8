import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlreadyExists, isConflict, isExpired, isNotFound } from './api-error.js';
import type { ClientConfig } from './kubeconfig.js';
import type { ResourceRef } from './resource.js';
import { ApiError, RestClient, type RestClientOptions } from './rest-client.js';

const pods: ResourceRef = { group: '', version: 'v1', resource: 'pods', namespaced: true };
const deployments: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };
const nodes: ResourceRef = { group: '', version: 'v1', resource: 'nodes', namespaced: false };

interface Seen { method: string; url: URL; headers: http.IncomingHttpHeaders; body: string }
type Answer = { code?: number; body?: unknown; headers?: Record<string, string> } | undefined;

/** A server that records each request and answers from `reply` (by default, echoes the request). */
async function serve(t: ExecutionContext, reply: (seen: Seen) => Answer = () => undefined, options: RestClientOptions = { qps: 0 }) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method!, url: new URL(req.url!, 'http://fake'), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      const answer = reply(entry) ?? { body: { kind: 'Echo', metadata: { name: 'echo' }, method: entry.method } };
      res.writeHead(answer.code ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new RestClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'sekret' }, options);
  t.teardown(() => {
    client.close();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { client, seen, server };
}

const pod = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'web', ...extra } });

test('each verb goes to the right path with the right method, query and body', async (t) => {
  const { client, seen } = await serve(t);
  await client.get(pods, 'p1', { namespace: 'web', resourceVersion: '0' });
  await client.get(nodes, 'n1', { subresource: 'status' });
  await client.list(deployments, { namespace: 'web', labelSelector: 'app=x,tier!=db', fieldSelector: 'metadata.name=d', limit: 50, continue: 'tok', resourceVersion: '7', resourceVersionMatch: 'NotOlderThan' });
  await client.list(pods);
  await client.create(pods, pod('p2'), { dryRun: true, fieldManager: 'skiff', fieldValidation: 'Strict' });
  await client.create(pods, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p2', namespace: 'web' }, target: { kind: 'Node', name: 'n1' } }, { subresource: 'binding' });
  await client.update(pods, pod('p3', { resourceVersion: '9' }));
  await client.updateStatus(pods, pod('p3'));
  await client.delete(pods, 'p4', { namespace: 'web', propagationPolicy: 'Foreground', gracePeriodSeconds: 0, dryRun: true });
  await client.delete(pods, 'p5', { namespace: 'web', preconditions: { uid: 'u-1' } });
  await client.deleteCollection(pods, { namespace: 'web', labelSelector: 'app=x', propagationPolicy: 'Background' });

  const lines = seen.map((s) => `${s.method} ${s.url.pathname}${s.url.search}`);
  t.deepEqual(lines, [
    'GET /api/v1/namespaces/web/pods/p1?resourceVersion=0',
    'GET /api/v1/nodes/n1/status',
    'GET /apis/apps/v1/namespaces/web/deployments?labelSelector=app%3Dx%2Ctier%21%3Ddb&fieldSelector=metadata.name%3Dd&limit=50&continue=tok&resourceVersion=7&resourceVersionMatch=NotOlderThan',
    'GET /api/v1/pods',
    'POST /api/v1/namespaces/web/pods?dryRun=All&fieldManager=skiff&fieldValidation=Strict',
    'POST /api/v1/namespaces/web/pods/p2/binding',
    'PUT /api/v1/namespaces/web/pods/p3',
    'PUT /api/v1/namespaces/web/pods/p3/status',
    'DELETE /api/v1/namespaces/web/pods/p4?gracePeriodSeconds=0&propagationPolicy=Foreground&dryRun=All',
    'DELETE /api/v1/namespaces/web/pods/p5',
    'DELETE /api/v1/namespaces/web/pods?labelSelector=app%3Dx&propagationPolicy=Background',
  ]);
  t.is(JSON.parse(seen[4].body).metadata.name, 'p2');
  t.is(seen[4].headers['content-type'], 'application/json');
  t.is(JSON.parse(seen[6].body).metadata.resourceVersion, '9');
  t.deepEqual(JSON.parse(seen[9].body), { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'u-1' } });
  t.is(seen[8].body, '');
  t.true(seen.every((s) => s.headers.authorization === 'Bearer sekret' && s.headers.accept === 'application/json'));
  t.regex(seen[0].headers['user-agent'] ?? '', /^skiff\//);
});

test('patch types map to their content types', async (t) => {
  const { client, seen } = await serve(t);
  await client.patch(deployments, 'd', 'merge', { spec: { replicas: 3 } }, { namespace: 'web' });
  await client.patch(deployments, 'd', 'json', [{ op: 'replace', path: '/spec/replicas', value: 2 }], { namespace: 'web' });
  await client.patch(deployments, 'd', 'strategic', { spec: { template: {} } }, { namespace: 'web', subresource: 'scale' });
  await client.patch(deployments, 'd', 'apply', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }, { namespace: 'web', fieldManager: 'skiff', force: true });
  t.deepEqual(seen.map((s) => [s.method, s.url.pathname + s.url.search, s.headers['content-type']]), [
    ['PATCH', '/apis/apps/v1/namespaces/web/deployments/d', 'application/merge-patch+json'],
    ['PATCH', '/apis/apps/v1/namespaces/web/deployments/d', 'application/json-patch+json'],
    ['PATCH', '/apis/apps/v1/namespaces/web/deployments/d/scale', 'application/strategic-merge-patch+json'],
    ['PATCH', '/apis/apps/v1/namespaces/web/deployments/d?fieldManager=skiff&force=true', 'application/apply-patch+yaml'],
  ]);
  t.deepEqual(JSON.parse(seen[1].body), [{ op: 'replace', path: '/spec/replicas', value: 2 }]);
  await t.throwsAsync(client.patch(deployments, 'd', 'apply', {}, { namespace: 'web' }), { message: /fieldManager/ });
  await t.throwsAsync(client.patch(deployments, 'd', 'merge', {}, { namespace: 'web', force: true }), { message: /force/ });
});

test('addressing mistakes fail before any request', async (t) => {
  const { client, seen } = await serve(t);
  await t.throwsAsync(client.get(pods, 'p'), { message: /namespace is required/ });
  await t.throwsAsync(client.get(nodes, 'n', { namespace: 'web' }), { message: /cluster-scoped/ });
  await t.throwsAsync(client.create(pods, { metadata: { name: 'p' } }), { message: /needs a namespace/ });
  await t.throwsAsync(client.update(pods, { metadata: { namespace: 'web' } }), { message: /metadata.name/ });
  t.is(seen.length, 0);
});

test('failures throw ApiError with the server Status', async (t) => {
  const statuses: Record<string, { code: number; body: unknown }> = {
    missing: { code: 404, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: 'pods "missing" not found', details: { name: 'missing', kind: 'pods' } } },
    taken: { code: 409, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 409, reason: 'AlreadyExists', message: 'pods "taken" already exists' } },
    stale: { code: 409, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 409, reason: 'Conflict', message: 'the object has been modified' } },
    old: { code: 410, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version' } },
    proxy: { code: 502, body: '<html>Bad Gateway</html>' },
  };
  const { client } = await serve(t, (s) => statuses[s.url.pathname.split('/').pop()!]);
  const missing = await t.throwsAsync(client.get(pods, 'missing', { namespace: 'web' }), { instanceOf: ApiError });
  t.is(missing?.code, 404);
  t.is(missing?.reason, 'NotFound');
  t.is(missing?.message, 'pods "missing" not found');
  t.deepEqual(missing?.details, { name: 'missing', kind: 'pods' });
  t.true(isNotFound(missing));
  const taken = await t.throwsAsync(client.get(pods, 'taken', { namespace: 'web' }));
  t.true(isAlreadyExists(taken) && !isConflict(taken));
  const stale = await t.throwsAsync(client.get(pods, 'stale', { namespace: 'web' }));
  t.true(isConflict(stale) && !isAlreadyExists(stale));
  t.true(isExpired(await t.throwsAsync(client.get(pods, 'old', { namespace: 'web' }))));
  const proxy = await t.throwsAsync(client.get(pods, 'proxy', { namespace: 'web' }), { instanceOf: ApiError });
  t.is(proxy?.code, 502);
  t.is(proxy?.reason, 'Unknown');
  t.is(proxy?.message, '<html>Bad Gateway</html>');
  t.is(proxy?.status.kind, 'Status');
});

test('a 429 with Retry-After is retried; other failures are not', async (t) => {
  let calls = 0;
  const { client, seen } = await serve(t, (s) => {
    if (s.url.pathname.endsWith('/busy') && ++calls < 3) {
      return { code: 429, headers: { 'retry-after': '0' }, body: { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' } };
    }
    if (s.body.includes('"broken"')) return { code: 500, body: { kind: 'Status', code: 500, reason: 'InternalError', message: 'boom' } };
    return undefined;
  });
  const answer = await client.get(pods, 'busy', { namespace: 'web' });
  t.is(answer.kind, 'Echo');
  t.is(seen.length, 3);
  await t.throwsAsync(client.create(pods, pod('broken')), { message: 'boom' });
  t.is(seen.length, 4);
});

test('retries stop at maxRetries', async (t) => {
  const { client, seen } = await serve(t, () => ({ code: 429, headers: { 'retry-after': '0' }, body: { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' } }), { qps: 0, maxRetries: 2 });
  await t.throwsAsync(client.get(pods, 'p', { namespace: 'web' }), { message: 'slow down' });
  t.is(seen.length, 3);
});

test('the client token bucket spaces requests; qps 0 does not', async (t) => {
  const limited = await serve(t, undefined, { qps: 50, burst: 2 });
  let started = performance.now();
  for (let i = 0; i < 6; i++) await limited.client.list(pods);
  const elapsed = performance.now() - started;
  t.true(elapsed >= 70 && elapsed < 2_000, `4 requests beyond the burst at 50 qps took ${elapsed}ms`);

  const free = await serve(t, undefined, { qps: 0 });
  started = performance.now();
  await Promise.all(Array.from({ length: 20 }, () => free.client.list(pods)));
  t.is(free.seen.length, 20);
});

test('a request that gets no answer times out, and an abort cancels it', async (t) => {
  const hanging = http.createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const server = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  const client = new RestClient({ server }, { qps: 0, timeoutMs: 50 });
  t.teardown(() => {
    client.close();
    hanging.closeAllConnections();
    return new Promise<void>((resolve) => hanging.close(() => resolve()));
  });
  await t.throwsAsync(client.get(nodes, 'n'), { message: 'GET /api/v1/nodes/n timed out after 50ms' });
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 10);
  await t.throwsAsync(new RestClient({ server }, { qps: 0, timeoutMs: 0 }).get(nodes, 'n', { signal: abort.signal }), { name: 'AbortError' });
});

test('a server URL with a path prefix keeps the prefix', async (t) => {
  const { seen, server } = await serve(t);
  const client = new RestClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}/k8s/` }, { qps: 0 });
  t.teardown(() => client.close());
  await client.get(nodes, 'n');
  t.is(seen[0].url.pathname, '/k8s/api/v1/nodes/n');
});

test('a token file wins over an inline token', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-token-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'token'), 'from-file\n');
  const { seen, server } = await serve(t);
  const client = new RestClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'ignored', tokenFile: join(dir, 'token') }, { qps: 0 });
  t.teardown(() => client.close());
  await client.get(nodes, 'n');
  t.is(seen[0].headers.authorization, 'Bearer from-file');
});

/** A CA, a serving certificate for 127.0.0.1 and a client certificate, made with the openssl CLI. */
function tlsMaterial(t: ExecutionContext) {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...newKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test-ca', '-days', '1',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  const leaf = (name: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl('req', '-new', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'client' ? 'system:node:n1' : 'apiserver'}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(Date.now()), '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
    return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
  };
  return {
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    server: leaf('server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'),
    client: leaf('client', 'extendedKeyUsage=clientAuth\n'),
  };
}

test('HTTPS: the server is verified against the CA and the client certificate is presented', async (t) => {
  const tls = tlsMaterial(t);
  const peers: string[] = [];
  const server = https.createServer({ ...tls.server, ca: tls.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as import('node:tls').TLSSocket;
    peers.push(socket.authorized ? String(socket.getPeerCertificate().subject.CN) : 'anonymous');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Node', metadata: { name: 'n1' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const make = (config: Omit<ClientConfig, 'server'>) => {
    const client = new RestClient({ server: url, ...config }, { qps: 0 });
    t.teardown(() => client.close());
    return client;
  };

  t.is((await make({ ca: tls.ca, ...tls.client }).get(nodes, 'n1')).metadata.name, 'n1');
  t.is((await make({ ca: tls.ca }).get(nodes, 'n1')).metadata.name, 'n1');
  const untrusted = await t.throwsAsync(make({}).get(nodes, 'n1'));
  // Which of the two depends on whether the server sends its CA along.
  t.regex(String((untrusted as NodeJS.ErrnoException).code), /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
  t.is((await make({ insecure: true }).get(nodes, 'n1')).metadata.name, 'n1');
  t.deepEqual(peers, ['system:node:n1', 'anonymous', 'anonymous']);
});

test('a request reset on a reused keep-alive connection is sent once more on a fresh one', async (t) => {
  const perSocket = new WeakMap<object, number>();
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    // The second request on a connection meets the server closing it as idle.
    if (n === 2) return void req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Node', metadata: { name: `answer-${requests}` } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new RestClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, { qps: 0 });
  t.teardown(() => {
    client.close();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  t.is((await client.get(nodes, 'n')).metadata.name, 'answer-1');
  t.is((await client.create(nodes, { metadata: { name: 'n' } })).metadata.name, 'answer-3');
  t.is(requests, 3);
});
