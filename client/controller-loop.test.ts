import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { runControllerLoop } from './controller-loop.js';
import { ItemExponentialRateLimiter } from './rate-limiter.js';
import { WorkQueue } from './workqueue.js';

async function until(cond: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await delay(2);
  }
}

const quietQueue = () => new WorkQueue({ rateLimiter: new ItemExponentialRateLimiter(5, 100) });

test('every key is reconciled and a success forgets its failures', async (t) => {
  const queue = quietQueue();
  const seen: string[] = [];
  queue.addRateLimited('warm');
  const loop = runControllerLoop(queue, async (key) => {
    seen.push(key);
  }, { name: 'test' });
  queue.add('a');
  queue.add('b');
  await until(() => seen.length === 3);
  t.deepEqual(seen.sort(), ['a', 'b', 'warm']);
  t.is(queue.numRequeues('warm'), 0);
  queue.shutDown();
  await loop;
});

test('a failing reconcile is retried with backoff until it succeeds', async (t) => {
  const queue = quietQueue();
  const errors: unknown[] = [];
  const attempts: number[] = [];
  const loop = runControllerLoop(queue, async () => {
    attempts.push(performance.now());
    if (attempts.length < 4) throw new Error(`attempt ${attempts.length} fails`);
  }, { name: 'test', onError: (err, context) => errors.push({ message: (err as Error).message, ...context }) });
  queue.add('flaky');
  await until(() => attempts.length === 4);
  t.deepEqual(errors[0], { message: 'attempt 1 fails', controller: 'test', key: 'flaky', requeues: 0 });
  t.is(errors.length, 3);
  // Backoff 5, 10, 20ms between attempts.
  t.true(attempts[3] - attempts[2] >= 15, `third retry waited ${attempts[3] - attempts[2]}ms`);
  await until(() => queue.numRequeues('flaky') === 0);
  queue.shutDown();
  await loop;
  t.is(attempts.length, 4);
});

test('requeueAfter brings the key back after the delay', async (t) => {
  const queue = quietQueue();
  const times: number[] = [];
  const loop = runControllerLoop(queue, async () => {
    times.push(performance.now());
    return times.length === 1 ? { requeueAfter: 40 } : undefined;
  }, { name: 'test' });
  queue.add('periodic');
  await until(() => times.length === 2);
  t.true(times[1] - times[0] >= 35, `requeued after ${times[1] - times[0]}ms`);
  await delay(60);
  t.is(times.length, 2, 'no requeue without asking');
  queue.shutDown();
  await loop;
});

test('requeue brings the key back with the backoff growing, and nothing is reported as an error', async (t) => {
  const queue = quietQueue();
  const times: number[] = [];
  const errors: unknown[] = [];
  const loop = runControllerLoop(queue, async () => {
    times.push(performance.now());
    return times.length < 4 ? { requeue: true } : undefined;
  }, { name: 'test', onError: (err) => errors.push(err) });
  queue.add('pending');
  await until(() => times.length === 4);
  // Backoff 5, 10, 20ms: the count is kept until the reconcile is done with the key.
  t.true(times[3] - times[2] >= 15, `third requeue waited ${times[3] - times[2]}ms`);
  t.is(queue.numRequeues('pending'), 0, 'done at last: the backoff starts over');
  t.deepEqual(errors, []);
  queue.shutDown();
  await loop;
});

test('workers run different keys in parallel but never the same key twice at once', async (t) => {
  const queue = quietQueue();
  const running = new Map<string, number>();
  let parallel = 0;
  let maxParallel = 0;
  let maxSameKey = 0;
  const runs: string[] = [];
  const loop = runControllerLoop(queue, async (key) => {
    running.set(key, (running.get(key) ?? 0) + 1);
    maxSameKey = Math.max(maxSameKey, running.get(key)!);
    maxParallel = Math.max(maxParallel, ++parallel);
    runs.push(key);
    await delay(30);
    parallel--;
    running.set(key, running.get(key)! - 1);
  }, { name: 'test', workers: 3 });
  queue.add('a');
  queue.add('b');
  queue.add('c');
  await delay(5);
  queue.add('a');
  queue.add('a');
  await until(() => runs.length === 4);
  await until(() => parallel === 0);
  t.is(maxParallel, 3);
  t.is(maxSameKey, 1);
  t.deepEqual(runs.filter((k) => k === 'a').length, 2, 'a key added during its reconcile runs once more');
  queue.shutDown();
  await loop;
});

test('aborting stops the workers after their current key', async (t) => {
  const queue = quietQueue();
  const abort = new AbortController();
  const done: string[] = [];
  let release!: () => void;
  const loop = runControllerLoop(queue, async (key) => {
    if (key === 'slow') await new Promise<void>((resolve) => (release = resolve));
    done.push(key);
  }, { name: 'test', signal: abort.signal });
  queue.add('slow');
  await until(() => release !== undefined);
  queue.add('left-behind');
  abort.abort();
  release();
  await loop;
  t.deepEqual(done, ['slow']);
  t.true(queue.isShuttingDown);
});

test('a loop needs at least one worker', async (t) => {
  await t.throwsAsync(runControllerLoop(quietQueue(), async () => undefined, { name: 'test', workers: 0 }), { message: /at least one worker/ });
});
