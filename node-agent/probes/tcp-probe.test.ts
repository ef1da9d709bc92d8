import test from 'ava';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../test/helpers/free-port.js';
import { tcpProbe } from './tcp-probe.js';

test('an open port is success; the connection is closed at once', async (t) => {
  let closed!: () => void;
  const closedByProbe = new Promise<void>((resolve) => { closed = resolve; });
  const server = createServer((socket) => socket.once('close', closed).resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  t.deepEqual(await tcpProbe('127.0.0.1', (server.address() as AddressInfo).port, 1_000), { result: 'success', output: '' });
  await closedByProbe;
  t.pass();
});

test('a closed port fails with the dialer\'s words', async (t) => {
  const port = await freePort();
  t.deepEqual(await tcpProbe('127.0.0.1', port, 1_000), { result: 'failure', output: `dial tcp 127.0.0.1:${port}: connect: connection refused` });
});
