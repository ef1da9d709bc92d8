import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { eventually } from '../../test/helpers/eventually.js';
import { ProbeResults } from './probe-results.js';
import { ProbeWorker, type ObservedContainer } from './probe-worker.js';
import type { ProbeKind } from './prober.js';

const PERIOD_S = 0.02;
const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { restartPolicy: 'Always' } };
const running = (id: string, startedAtMs = Date.now()): ObservedContainer => ({ id, running: true, exited: false, startedAtMs });

/**
 * A worker whose probes answer from `script` (the last answer repeats). Each probe notes the container it looked at
 * and the result it found standing, so what the worker concluded reads in order, whatever the timing.
 */
function worker(t: { teardown(fn: () => Promise<void>): void }, kind: ProbeKind, probe: Record<string, number>, script: ('Success' | 'Failure')[], started = () => true) {
  const changes: string[] = [];
  const probed: string[] = [];
  const standing: (string | undefined)[] = [];
  const results = new ProbeResults((key) => changes.push(key));
  const prober = {
    probe: async (_kind: ProbeKind, _pod: unknown, _c: unknown, id: string) => {
      probed.push(id);
      standing.push(results.get(kind, id));
      return script.length > 1 ? script.shift()! : script[0];
    },
  };
  const w = new ProbeWorker(kind, pod, { name: 'c', [`${kind}Probe`]: { periodSeconds: PERIOD_S, ...probe } }, { prober, results, started, agentStartedAt: 0 });
  t.teardown(() => w.stop());
  const probes = (n: number) => eventually(`${n} probes`, () => probed.length >= n, 5_000, 5);
  return { w, results, changes, probed, standing, probes };
}

const periods = (n: number) => delay(PERIOD_S * 1000 * n);

test('readiness: Failure until successThreshold successes in a row, then Failure again only after failureThreshold failures; changes name the pod', async (t) => {
  const S = 'Success';
  const F = 'Failure';
  const { w, standing, changes, probes } = worker(t, 'readiness', { successThreshold: 2, failureThreshold: 3 }, [S, F, S, S, F, F, S, F, F, F, S]);
  w.observe(pod, running('c1'), '10.0.0.1');
  await probes(11);
  t.deepEqual(standing.slice(0, 11), [F, F, F, F, S, S, S, S, S, S, F]);
  t.true(changes.length >= 3 && changes.every((k) => k === 'ns/p'));
});

test('liveness: alive until failureThreshold failures, then left alone until the container is replaced, which starts alive', async (t) => {
  const { w, results, probed, standing, probes } = worker(t, 'liveness', { failureThreshold: 2 }, ['Failure', 'Failure', 'Success']);
  w.observe(pod, running('c1'), '10.0.0.1');
  await probes(2);
  await eventually('Failure', () => results.get('liveness', 'c1') === 'Failure', 5_000, 5);
  await periods(5);
  t.deepEqual(probed, ['c1', 'c1'], 'not probed again after failing');
  w.observe(pod, running('c2'), '10.0.0.1');
  await probes(3);
  t.is(results.get('liveness', 'c1'), undefined, 'the old container\'s result is gone');
  t.deepEqual([probed[2], standing[2]], ['c2', 'Success']);
});

test('nothing before initialDelaySeconds; liveness waits for the startup probe; a container that stopped is not ready', async (t) => {
  const delayed = worker(t, 'readiness', { initialDelaySeconds: 1 }, ['Success']);
  delayed.w.observe(pod, running('c1'), '');
  await periods(5);
  t.deepEqual(delayed.probed, []);
  delayed.w.observe(pod, running('c1', Date.now() - 1_000), '');
  await eventually('ready', () => delayed.results.get('readiness', 'c1') === 'Success', 5_000, 5);
  delayed.w.observe(pod, { id: 'c1', running: false, exited: true, startedAtMs: 0 }, '');
  await eventually('not ready', () => delayed.results.get('readiness', 'c1') === 'Failure', 5_000, 5);
  let started = false;
  const gated = worker(t, 'liveness', {}, ['Success'], () => started);
  gated.w.observe(pod, running('c1'), '');
  await periods(5);
  t.deepEqual(gated.probed, []);
  started = true;
  await gated.probes(1);
  t.pass();
});

test('a trigger probes at once; a stopped worker removes its result and probes no more', async (t) => {
  const { w, results, probed, probes } = worker(t, 'readiness', { periodSeconds: 60 }, ['Success']);
  w.observe(pod, running('c1'), '');
  w.trigger();
  await probes(1);
  await eventually('ready', () => results.get('readiness', 'c1') === 'Success', 5_000, 5);
  t.true(w.probed('c1'));
  await w.stop();
  w.trigger();
  await periods(3);
  t.is(results.get('readiness', 'c1'), undefined);
  t.is(probed.length, 1);
});
