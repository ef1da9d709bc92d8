import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { BucketRateLimiter, defaultControllerRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter } from './rate-limiter.js';
import { TokenBucket } from './token-bucket.js';
import { WorkQueue } from './workqueue.js';

/** Resolves to the value, or to 'pending' if the promise has not settled within ms. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([promise, delay(ms).then(() => 'pending' as const)]);
}

test('adding a key twice queues it once', async (t) => {
  const q = new WorkQueue();
  q.add('a');
  q.add('b');
  q.add('a');
  t.is(q.length, 2);
  t.is(await q.get(), 'a');
  t.is(await q.get(), 'b');
  t.is(q.length, 0);
});

test('a key being processed is not handed out again until done, then comes back once', async (t) => {
  const q = new WorkQueue();
  q.add('a');
  const key = await q.get();
  t.is(key, 'a');
  q.add('a');
  q.add('a');
  t.is(q.length, 0, 'the re-added key waits for done()');
  const second = q.get();
  t.is(await within(second, 20), 'pending');
  q.done('a');
  t.is(await second, 'a');
  q.done('a');
  t.is(q.length, 0);
  t.is(await within(q.get(), 20), 'pending');
  q.shutDown();
});

test('a key added and done without re-adding is gone', async (t) => {
  const q = new WorkQueue();
  q.add('a');
  q.done(await q.get() as string);
  t.is(q.length, 0);
  q.shutDown();
  t.is(await q.get(), undefined);
});

test('waiting workers each get a different key', async (t) => {
  const q = new WorkQueue();
  const first = q.get();
  const second = q.get();
  q.add('x');
  q.add('y');
  t.deepEqual([await first, await second], ['x', 'y']);
});

test('addAfter delivers after the delay, and a second addAfter keeps the earlier time', async (t) => {
  const q = new WorkQueue();
  const started = performance.now();
  q.addAfter('late', 60);
  q.addAfter('late', 5_000);
  q.addAfter('early', 5_000);
  q.addAfter('early', 20);
  t.is(q.length, 0);
  t.is(await q.get(), 'early');
  const early = performance.now() - started;
  t.true(early >= 15 && early < 1_000, `early after ${early}ms`);
  t.is(await q.get(), 'late');
  const late = performance.now() - started;
  t.true(late >= 55 && late < 1_000, `late after ${late}ms`);
  q.shutDown();
});

test('addAfter with no delay adds at once', async (t) => {
  const q = new WorkQueue();
  q.addAfter('now', 0);
  t.is(q.length, 1);
  t.is(await q.get(), 'now');
});

test('per-item exponential backoff doubles, caps, and resets on forget', (t) => {
  const limiter = new ItemExponentialRateLimiter<string>(5, 1_000_000);
  t.deepEqual([1, 2, 3, 4].map(() => limiter.when('a')), [5, 10, 20, 40]);
  t.is(limiter.when('b'), 5, 'items back off independently');
  t.is(limiter.numRequeues('a'), 4);
  limiter.forget('a');
  t.is(limiter.numRequeues('a'), 0);
  t.is(limiter.when('a'), 5);

  const capped = new ItemExponentialRateLimiter<string>(1_000, 3_000);
  t.deepEqual([1, 2, 3, 4].map(() => capped.when('k')), [1_000, 2_000, 3_000, 3_000]);
  for (let i = 0; i < 2_000; i++) capped.when('k');
  t.is(capped.when('k'), 3_000, 'a huge exponent still caps');
});

test('the bucket limiter lets a burst through, then spaces retries at the rate', (t) => {
  // At 1 qps the refill during the test itself stays far below the tolerance.
  const limiter = new BucketRateLimiter<string>(1, 2);
  const waits = [1, 2, 3, 4].map(() => limiter.when('any'));
  t.is(waits[0], 0);
  t.is(waits[1], 0);
  t.true(Math.abs(waits[2] - 1_000) < 100, `third wait ${waits[2]}`);
  t.true(Math.abs(waits[3] - 2_000) < 100, `fourth wait ${waits[3]}`);
  t.is(limiter.numRequeues('any'), 0);
});

test('max-of asks every limiter and answers the longest wait', (t) => {
  const limiter = new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter(5, 1_000), new BucketRateLimiter(1, 1));
  t.is(limiter.when('a'), 5);
  t.true(limiter.when('a') > 900, 'the bucket is empty after the first token');
  t.is(limiter.numRequeues('a'), 2);
  limiter.forget('a');
  t.is(limiter.numRequeues('a'), 0);
});

test('the default controller limiter starts at 5ms per item and falls back to the overall bucket', (t) => {
  const limiter = defaultControllerRateLimiter<string>({ qps: 1, burst: 3 });
  t.deepEqual([limiter.when('a'), limiter.when('b'), limiter.when('c')], [5, 5, 5]);
  t.true(limiter.when('d') >= 500, 'the fourth retry waits for the bucket');
  t.is(defaultControllerRateLimiter<string>({ qps: 0 }).when('x'), 5);
});

test('the token bucket refills over time and take() waits for a token', async (t) => {
  let now = 0;
  const bucket = new TokenBucket(10, 2, () => now);
  t.true(bucket.tryTake());
  t.true(bucket.tryTake());
  t.false(bucket.tryTake());
  now += 100;
  t.true(bucket.tryTake(), 'one token back after 100ms at 10 qps');
  t.false(bucket.tryTake());
  now += 10_000;
  t.true(bucket.tryTake());
  t.true(bucket.tryTake());
  t.false(bucket.tryTake(), 'refill stops at burst');

  const real = new TokenBucket(50, 1);
  const started = performance.now();
  await real.take();
  await real.take();
  await real.take();
  const elapsed = performance.now() - started;
  t.true(elapsed >= 35 && elapsed < 1_000, `two waits of 20ms took ${elapsed}ms`);
});

test('an aborted take gives its token back', async (t) => {
  let now = 0;
  const bucket = new TokenBucket(1, 1, () => now);
  t.true(bucket.tryTake());
  const abort = new AbortController();
  const waiting = bucket.take(abort.signal);
  abort.abort();
  await t.throwsAsync(waiting, { name: 'AbortError' });
  now += 1_000;
  t.true(bucket.tryTake(), 'the cancelled reservation no longer holds the refilled token');
});

test('addRateLimited backs off per key and forget resets it', async (t) => {
  const q = new WorkQueue({ rateLimiter: new ItemExponentialRateLimiter(20, 1_000) });
  const started = performance.now();
  q.addRateLimited('a');
  t.is(q.numRequeues('a'), 1);
  t.is(q.length, 0);
  t.is(await q.get(), 'a');
  const first = performance.now() - started;
  t.true(first >= 15, `first retry after ${first}ms`);
  q.done('a');
  q.addRateLimited('a');
  t.is(q.numRequeues('a'), 2);
  t.is(await within(q.get(), 25), 'pending', 'the second retry waits 40ms');
  q.forget('a');
  t.is(q.numRequeues('a'), 0);
  q.shutDown();
});

test('shutDown wakes waiting workers, still hands out queued keys, and drops delayed and new ones', async (t) => {
  const q = new WorkQueue();
  const waiting = q.get();
  q.shutDown();
  t.is(await waiting, undefined);

  const q2 = new WorkQueue();
  q2.add('queued');
  q2.addAfter('delayed', 10);
  q2.shutDown();
  q2.add('new');
  t.true(q2.isShuttingDown);
  t.is(await q2.get(), 'queued');
  t.is(await q2.get(), undefined);
  await delay(30);
  t.is(q2.length, 0, 'the delayed key never arrives');
});

test('shutDownWithDrain resolves only after every handed-out key is done', async (t) => {
  const q = new WorkQueue();
  q.add('a');
  q.add('b');
  const a = await q.get();
  const drained = q.shutDownWithDrain();
  t.is(await within(drained, 20), 'pending');
  q.done(a!);
  t.is(await within(drained, 20), 'pending', 'b is still queued');
  const b = await q.get();
  q.done(b!);
  t.is(await within(drained, 100), undefined);
});
