import test from 'ava';
import { RateLimitedQueue, type TryOutcome } from './rate-limited-queue.js';

function queueAt(qps: number) {
  const clock = { now: 0 };
  return { clock, queue: new RateLimitedQueue(qps, () => clock.now) };
}

const handled = async (queue: RateLimitedQueue, outcome: TryOutcome = { done: true }) => {
  const names: string[] = [];
  await queue.try(async ({ name }) => {
    names.push(name);
    return outcome;
  });
  return names;
};

test('nodes go one at a time at the zone rate, in the order they came', async (t) => {
  const { clock, queue } = queueAt(0.5);
  queue.add('a');
  queue.add('b');
  t.deepEqual(await handled(queue), ['a'], 'a burst of one');
  clock.now += 1000;
  t.deepEqual(await handled(queue), [], 'half a token is not enough');
  clock.now += 1000;
  t.deepEqual(await handled(queue), ['b']);
  t.is(queue.length, 0);
});

test('a handled node stays a member until removed, so adding it again does nothing', async (t) => {
  const { clock, queue } = queueAt(10);
  queue.add('a');
  await handled(queue);
  t.false(queue.add('a'));
  t.true(queue.remove('a'));
  t.true(queue.add('a'));
  clock.now += 1000;
  t.deepEqual(await handled(queue), ['a']);
});

test('a node not done waits its retry time; a zero rate stops the queue', async (t) => {
  const { clock, queue } = queueAt(100);
  queue.add('a');
  t.deepEqual(await handled(queue, { done: false, retryAfterMs: 50 }), ['a']);
  clock.now += 20;
  t.deepEqual(await handled(queue), []);
  clock.now += 40;
  queue.swapLimiter(0);
  t.true(queue.stopped);
  t.deepEqual(await handled(queue), []);
  queue.swapLimiter(100);
  t.deepEqual(await handled(queue), ['a']);
});
