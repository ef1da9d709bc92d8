import test from 'ava';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../test/helpers/free-port.js';
import { httpGetRequest, httpProbe, PROBE_USER_AGENT } from './http-probe.js';

/** A server on 127.0.0.1 answering with `handler`; closed when the test ends. */
async function serve(t: { teardown(fn: () => void): void }, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

const container = (ports: object[] = []) => ({ name: 'main', ports });

test('2xx is success with the body; the request carries the kubelet\'s User-Agent and Accept, the probe\'s headers, path and Host', async (t) => {
  let seen: IncomingMessage | undefined;
  const port = await serve(t, (req, res) => {
    seen = req;
    res.writeHead(204).end();
  });
  const req = httpGetRequest({ port, path: '/healthz?deep=1', httpHeaders: [{ name: 'X-Probe', value: 'yes' }, { name: 'Host', value: 'app.example' }] }, container(), '127.0.0.1');
  t.is(req.url, `http://127.0.0.1:${port}/healthz?deep=1`);
  t.deepEqual(await httpProbe(req, 1_000), { result: 'success', output: '' });
  t.is(seen?.url, '/healthz?deep=1');
  t.is(seen?.headers['user-agent'], PROBE_USER_AGENT);
  t.is(PROBE_USER_AGENT, 'kube-probe/1.32');
  t.is(seen?.headers.accept, '*/*');
  t.is(seen?.headers['x-probe'], 'yes');
  t.is(seen?.headers.host, 'app.example');
});

test('a probe\'s own User-Agent replaces the kubelet\'s; an empty Accept sends none', async (t) => {
  let seen: IncomingMessage | undefined;
  const port = await serve(t, (req, res) => {
    seen = req;
    res.end('fine');
  });
  const req = httpGetRequest({ port, path: '/', host: '127.0.0.1', httpHeaders: [{ name: 'user-agent', value: 'mine' }, { name: 'Accept', value: '' }] }, container(), '10.9.9.9');
  t.deepEqual(await httpProbe(req, 1_000), { result: 'success', output: 'fine' });
  t.is(seen?.headers['user-agent'], 'mine');
  t.is(seen?.headers.accept, undefined);
});

test('a status of 400 or more fails with the kubelet\'s message', async (t) => {
  const port = await serve(t, (_req, res) => res.writeHead(500).end('boom'));
  t.deepEqual(await httpProbe(httpGetRequest({ port, path: '/' }, container(), '127.0.0.1'), 1_000), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
});

test('no answer within the timeout fails in time, saying so', async (t) => {
  const port = await serve(t, () => undefined);
  const started = Date.now();
  const outcome = await httpProbe(httpGetRequest({ port, path: '/slow' }, container(), '127.0.0.1'), 300);
  const took = Date.now() - started;
  t.deepEqual(outcome, { result: 'failure', output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  t.true(took >= 290 && took < 1_000, `${took} ms`);
});

test('a closed port fails with the dialer\'s words', async (t) => {
  const port = await freePort();
  t.deepEqual(await httpProbe(httpGetRequest({ port, path: '/' }, container(), '127.0.0.1'), 1_000), {
    result: 'failure', output: `Get "http://127.0.0.1:${port}/": dial tcp 127.0.0.1:${port}: connect: connection refused`,
  });
});

test('a port by name resolves through the container\'s ports; an unknown name is an error', async (t) => {
  const port = await serve(t, (_req, res) => res.end('named'));
  const req = httpGetRequest({ port: 'web', path: '/' }, container([{ name: 'metrics', containerPort: 1 }, { name: 'web', containerPort: port }]), '127.0.0.1');
  t.is(req.url, `http://127.0.0.1:${port}/`);
  t.deepEqual(await httpProbe(req, 1_000), { result: 'success', output: 'named' });
  t.throws(() => httpGetRequest({ port: 'admin', path: '/' }, container([{ name: 'web', containerPort: port }]), '127.0.0.1'), { message: 'port admin not found' });
  t.throws(() => httpGetRequest({ port: 70000, path: '/' }, container(), '127.0.0.1'), { message: 'invalid port number: 70000' });
});

test('a redirect on the same host is followed; one to another host is a warning, which counts as success', async (t) => {
  const port = await serve(t, (req, res) => {
    if (req.url === '/old') res.writeHead(302, { location: '/new' }).end();
    else if (req.url === '/away') res.writeHead(301, { location: 'http://elsewhere.invalid/' }).end('moved');
    else res.end(`at ${req.url}`);
  });
  t.deepEqual(await httpProbe(httpGetRequest({ port, path: '/old' }, container(), '127.0.0.1'), 1_000), { result: 'success', output: 'at /new' });
  t.deepEqual(await httpProbe(httpGetRequest({ port, path: '/away' }, container(), '127.0.0.1'), 1_000), { result: 'warning', output: 'Probe terminated redirects, Response body: moved' });
});
