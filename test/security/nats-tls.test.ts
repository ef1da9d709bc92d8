import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection, type NatsError } from 'nats';
import { connectAs, nextViolation, startNats, type NatsProcess } from '../helpers/nats.js';
import { connectNats } from '../../control-plane/nats/connect.js';
import { loadOrCreateCA } from '../../control-plane/pki/certificate-authority.js';

let nats: NatsProcess;
const open: NatsConnection[] = [];

test.before(async () => {
  nats = await startNats({
    users: [
      { user: 'control-plane', publish: ['skiff.node.>'], subscribe: ['skiff.heartbeat.>'] },
      { user: 'node-a', publish: ['skiff.heartbeat.node-a'], subscribe: ['skiff.node.node-a.>'], respond: true },
      { user: 'node-b', publish: ['skiff.heartbeat.node-b'], subscribe: ['skiff.node.node-b.>'], respond: true },
    ],
  });
});

test.after.always(async () => {
  await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
  await nats?.stop();
});

const as = (user: string): Promise<NatsConnection> => connectAs(nats, user, open);


const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

test('a TLS client with its credentials publishes, subscribes and answers requests within its permissions', async (t) => {
  const [cp, a] = [await as('control-plane'), await as('node-a')];
  t.true(cp.info?.tls_required, 'the server requires TLS');

  const heartbeat = cp.subscribe('skiff.heartbeat.*', { max: 1 });
  await cp.flush();
  a.publish('skiff.heartbeat.node-a', 'alive');
  for await (const m of heartbeat) {
    t.is(m.subject, 'skiff.heartbeat.node-a');
    t.is(m.string(), 'alive');
  }
  t.is(heartbeat.getProcessed(), 1);

  let replySubject = '';
  a.subscribe('skiff.node.node-a.logs', { callback: (_err, m) => { replySubject = m.reply ?? ''; m.respond(`logs for ${m.string()}`); } });
  await a.flush();
  const reply = await cp.request('skiff.node.node-a.logs', 'pod-1', { timeout: 5000 });
  t.is(reply.string(), 'logs for pod-1');
  t.regex(replySubject, /^_INBOX\.control-plane\./, 'replies come back under the requester\'s own inbox');
});

test('nats-server refuses a plaintext client: it never answers a CONNECT sent without TLS', async (t) => {
  const socket = tcpConnect(nats.port, '127.0.0.1');
  let received = '';
  socket.on('data', (d) => { received += d.toString('latin1'); });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  await withTimeout(new Promise<void>((resolve) => socket.once('data', () => resolve())), 5000, 'INFO');
  const info = JSON.parse(received.slice('INFO '.length, received.indexOf('\r\n')));
  t.true(info.tls_required);
  const before = received.length;
  const { password } = nats.users['control-plane'];
  socket.write(`CONNECT ${JSON.stringify({ verbose: true, pedantic: false, tls_required: false, user: 'control-plane', pass: password })}\r\nPING\r\n`);
  await withTimeout(closed, 10_000, 'the server closing the plaintext connection');
  const after = received.slice(before);
  t.false(after.includes('PONG'), 'no PONG');
  t.false(after.includes('+OK'), 'no +OK');
});

test('nats-server refuses a TLS client without credentials, with a wrong password, or with an unknown user', async (t) => {
  const refused = async (opts: { user?: string; pass?: string }) => {
    const err = await t.throwsAsync<NatsError>(connect({ servers: nats.url, tls: { caFile: nats.caFile }, reconnect: false, ...opts }));
    t.is(err?.code, 'AUTHORIZATION_VIOLATION');
  };
  await refused({});
  await refused({ user: 'control-plane', pass: `${nats.users['control-plane'].password.slice(1)}x` });
  await refused({ user: 'control-plane', pass: nats.users['node-a'].password });
  await refused({ user: 'intruder', pass: nats.users['node-a'].password });
  const err = await t.throwsAsync<NatsError>(connectNats({ servers: nats.url, caFile: nats.caFile, user: 'node-a', password: 'x'.repeat(43), name: 'wrong', reconnect: false }));
  t.is(err?.code, 'AUTHORIZATION_VIOLATION');
});

test('a client that does not trust the cluster CA fails TLS verification before sending credentials', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-other-ca-'));
  try {
    const other = await loadOrCreateCA(dir, 'other-ca', 'someone-else');
    const { password } = nats.users['control-plane'];
    const err = await t.throwsAsync<Error & { code?: string }>(connectNats({ servers: nats.url, caFile: other.certFile, user: 'control-plane', password, name: 'untrusting', reconnect: false }));
    t.regex(err?.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN/);
    const systemRoots = await t.throwsAsync<Error & { code?: string }>(connect({ servers: nats.url, tls: {}, user: 'control-plane', pass: password, reconnect: false }));
    t.regex(systemRoots?.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('publishing outside its permissions is a permissions violation and the message goes nowhere', async (t) => {
  const [cp, a, b] = [await as('control-plane'), await as('node-a'), await as('node-b')];
  // Tests in this file share the server and run concurrently, so each listens on subjects of its own.
  const toB = b.subscribe('skiff.node.node-b.logs', { max: 1 });
  await b.flush();

  const violation = nextViolation(a);
  a.publish('skiff.node.node-b.logs', 'forged');
  await a.flush();
  t.deepEqual(await withTimeout(violation, 5000, 'the violation'), { operation: 'publish', subject: 'skiff.node.node-b.logs', queue: undefined });

  // Sent after the forged message was refused: had the forged one been delivered, node-b would see it first.
  cp.publish('skiff.node.node-b.logs', 'genuine');
  for await (const m of toB) t.is(m.string(), 'genuine');

  const heartbeatAsOther = nextViolation(a);
  a.publish('skiff.heartbeat.node-b', 'impersonation');
  t.is((await withTimeout(heartbeatAsOther, 5000, 'the violation')).subject, 'skiff.heartbeat.node-b');
  t.false(a.isClosed(), 'a permissions violation does not close the connection');
});

test('subscribing outside its permissions, including to another user\'s inbox, is a permissions violation', async (t) => {
  const a = await as('node-a');
  for (const subject of ['skiff.node.node-b.>', '_INBOX.control-plane.>', 'skiff.heartbeat.>']) {
    const err = await withTimeout(new Promise<NatsError>((resolve) => {
      a.subscribe(subject, { callback: (e) => { if (e) resolve(e); } });
    }), 5000, `the violation for ${subject}`);
    t.is(err.code, 'PERMISSIONS_VIOLATION', subject);
    t.is(err.permissionContext?.operation, 'subscription');
  }
});

test('a responder answers only the requests it received: it cannot publish into inboxes on its own', async (t) => {
  const [cp, b] = [await as('control-plane'), await as('node-b')];
  const violation = nextViolation(b);
  b.publish('_INBOX.control-plane.forged', 'spoofed reply');
  t.is((await withTimeout(violation, 5000, 'the violation')).operation, 'publish');

  b.subscribe('skiff.node.node-b.exec', { callback: (_err, m) => m.respond('ran') });
  await b.flush();
  t.is((await cp.request('skiff.node.node-b.exec', 'true', { timeout: 5000 })).string(), 'ran');
});

test('connectNats will not talk to a server that does not offer TLS, and sends it nothing', async (t) => {
  let received = '';
  const fake = createServer((socket) => {
    socket.on('data', (d) => { received += d.toString(); });
    socket.on('error', () => undefined);
    const { port } = fake.address() as AddressInfo;
    socket.write(`INFO ${JSON.stringify({ server_id: 'plaintext', version: '2.9.10', proto: 1, host: '127.0.0.1', port, max_payload: 1048576, headers: true })}\r\n`);
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = fake.address() as AddressInfo;
    const { password } = nats.users['control-plane'];
    const err = await t.throwsAsync<NatsError>(connectNats({ servers: `tls://127.0.0.1:${port}`, caFile: nats.caFile, user: 'control-plane', password, name: 'plain', reconnect: false }));
    t.is(err?.code, 'SERVER_OPT_NA');
    t.is(received, '', 'no CONNECT, so no password, went over the plaintext socket');
  } finally {
    fake.close();
  }
});

test('connectNats refuses options that would skip TLS or its verification', async (t) => {
  const base = { servers: nats.url, caFile: nats.caFile, user: 'control-plane', password: nats.users['control-plane'].password, name: 'x' };
  await t.throwsAsync(connectNats({ ...base, caFile: '' }), { message: /caFile is required/ });
  await t.throwsAsync(connectNats({ ...base, caFile: '/nonexistent/ca.crt' }), { message: /cannot read caFile/ });
  await t.throwsAsync(connectNats({ ...base, servers: `ws://127.0.0.1:${nats.port}` }), { message: /must be tls:\/\/host:port/ });
  await t.throwsAsync(connectNats({ ...base, password: '' }), { message: /user and password are required/ });
  await t.throwsAsync(connectNats({ ...base, certFile: nats.caFile }), { message: /certFile and keyFile go together/ });
});

test('with verifyClients, nats-server also demands a client certificate from the cluster CA', async (t) => {
  const mtls = await startNats({ users: [{ user: 'node-a', publish: ['skiff.heartbeat.node-a'] }], verifyClients: true });
  try {
    const base = { servers: mtls.url, caFile: mtls.caFile, user: 'node-a', password: mtls.users['node-a'].password, name: 'mtls', reconnect: false };
    await t.throwsAsync(connectNats(base));
    const nc = await connectNats({ ...base, ...mtls.clientCert! });
    try {
      t.true(nc.info?.tls_verify);
      await nc.flush();
      t.false(nc.isClosed());
    } finally {
      await nc.close();
    }
  } finally {
    await mtls.stop();
  }
});

test('stop() ends the nats-server process', async (t) => {
  const short = await startNats({ users: [{ user: 'node-a' }] });
  await short.stop();
  t.throws(() => process.kill(short.pid, 0), { code: 'ESRCH' });
});
