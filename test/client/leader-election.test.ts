import test from 'ava';
import { microTime } from '../../api/time.js';
import { runLeaderElection, type LeaderElectionOptions } from '../../client/leader-election.js';
import { LEASES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';

let cluster: TestCluster;
let client: RestClient;

test.before(async () => {
  cluster = await startCluster();
  client = adminClient(cluster);
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };

/** A candidate that records whether it leads; `lead` runs until leadership ends. */
function candidate(name: string, identity: string, log: string[]) {
  const stop = new AbortController();
  const state = { leading: false };
  const opts: LeaderElectionOptions = {
    client, namespace: 'kube-system', name, identity, ...timing, signal: stop.signal,
    lead: async (signal) => {
      state.leading = true;
      log.push(`${identity} leads`);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      state.leading = false;
      log.push(`${identity} stops`);
    },
  };
  const outcome = runLeaderElection(opts);
  return { stop, state, outcome };
}

test.serial('one of two candidates leads; the other takes over at once when the leader releases the Lease', async (t) => {
  const log: string[] = [];
  const a = candidate('release-test', 'a', log);
  await eventually('a to lead', () => a.state.leading);
  const b = candidate('release-test', 'b', log);
  await new Promise((r) => setTimeout(r, 1500));
  t.false(b.state.leading, 'b waits while a renews');
  const lease = await client.get(LEASES, 'release-test', { namespace: 'kube-system' });
  t.is(lease.spec.holderIdentity, 'a');
  t.is(lease.spec.leaseDurationSeconds, 3);

  const releasedAt = Date.now();
  a.stop.abort();
  t.is(await a.outcome, 'released');
  await eventually('b to lead', () => b.state.leading, 5000);
  t.true(Date.now() - releasedAt < timing.leaseDurationMs, 'a released Lease is taken without waiting it out');
  t.deepEqual(log, ['a leads', 'a stops', 'b leads']);
  const after = await client.get(LEASES, 'release-test', { namespace: 'kube-system' });
  t.is(after.spec.holderIdentity, 'b');
  t.is(after.spec.leaseTransitions, 1);
  b.stop.abort();
  await b.outcome;
});

test.serial('a leader that stops renewing is replaced only after the Lease runs out', async (t) => {
  // A holder that vanished without releasing: its last renewal is all the Lease shows.
  const now = microTime();
  await client.create(LEASES, {
    metadata: { name: 'expiry-test', namespace: 'kube-system' },
    spec: { holderIdentity: 'dead', leaseDurationSeconds: 3, acquireTime: now, renewTime: now, leaseTransitions: 4 },
  });
  const log: string[] = [];
  const started = Date.now();
  const b = candidate('expiry-test', 'b', log);
  await eventually('b to lead', () => b.state.leading, 10_000);
  const waited = Date.now() - started;
  t.true(waited >= 2500, `b waited ${waited} ms for the Lease to run out`);
  const lease = await client.get(LEASES, 'expiry-test', { namespace: 'kube-system' });
  t.is(lease.spec.holderIdentity, 'b');
  t.is(lease.spec.leaseTransitions, 5);
  b.stop.abort();
  await b.outcome;
});

test.serial('a leader whose Lease is taken from it stops leading and answers lost', async (t) => {
  const log: string[] = [];
  const a = candidate('lost-test', 'a', log);
  await eventually('a to lead', () => a.state.leading);
  const lease = await client.get(LEASES, 'lost-test', { namespace: 'kube-system' });
  await client.update(LEASES, { ...lease, spec: { ...lease.spec, holderIdentity: 'usurper', renewTime: microTime() } });
  t.is(await a.outcome, 'lost');
  t.false(a.state.leading);
  t.deepEqual(log, ['a leads', 'a stops']);
});

test.serial('settings that could let two leaders overlap are refused', async (t) => {
  await t.throwsAsync(runLeaderElection({
    client, namespace: 'kube-system', name: 'bad', identity: 'x', leaseDurationMs: 1000, renewDeadlineMs: 2000, retryPeriodMs: 100,
    signal: new AbortController().signal, lead: async () => undefined,
  }), { message: /lease duration > renew deadline/ });
});

test.serial('a leader whose work ends on its own releases the Lease and answers failed', async (t) => {
  const outcome = await runLeaderElection({
    client, namespace: 'kube-system', name: 'failed-test', identity: 'a', ...timing, signal: new AbortController().signal,
    lead: async () => {
      throw new Error('the controllers could not start');
    },
  });
  t.is(outcome, 'failed');
  const lease = await client.get(LEASES, 'failed-test', { namespace: 'kube-system' });
  t.is(lease.spec.holderIdentity, '', 'a standby may take over at once');
});

test.serial('a renewal that hangs past the renew deadline ends leadership', async (t) => {
  // A client whose requests never answer stands for an API server that stopped responding.
  const { createServer } = await import('node:http');
  const silent = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const { RestClient } = await import('../../client/rest-client.js');
  let calls = 0;
  const real = client;
  const port = (silent.address() as { port: number }).port;
  const hanging = new RestClient({ server: `http://127.0.0.1:${port}` }, { qps: 0 });
  // Acquire through the real server, renew through the silent one.
  const proxy = new Proxy(real, {
    get(target, prop) {
      if ((prop === 'get' || prop === 'update') && ++calls > 2) return (hanging as any)[prop].bind(hanging);
      return (target as any)[prop].bind(target);
    },
  });
  const started = Date.now();
  let leading = false;
  const outcome = await runLeaderElection({
    client: proxy, namespace: 'kube-system', name: 'hang-test', identity: 'a', ...timing, signal: new AbortController().signal,
    lead: async (signal) => {
      leading = true;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      leading = false;
    },
  });
  const took = Date.now() - started;
  t.is(outcome, 'lost');
  t.false(leading);
  t.true(took < timing.leaseDurationMs + 1000, `leadership ended after ${took} ms, before a standby could take over`);
  hanging.close();
  silent.closeAllConnections();
  silent.close();
});
