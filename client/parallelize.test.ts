import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { parallelize } from './parallelize.js';

test('every item runs, at most `workers` at once; the first failure is rethrown once all are done', async (t) => {
  let running = 0;
  let most = 0;
  const done: number[] = [];
  const err = await t.throwsAsync(parallelize([1, 2, 3, 4, 5, 6], 2, async (n) => {
    running++;
    most = Math.max(most, running);
    await delay(5);
    running--;
    done.push(n);
    if (n === 2 || n === 4) throw new Error(`item ${n}`);
  }));
  t.is(err?.message, 'item 2');
  t.is(most, 2);
  t.deepEqual(done.sort(), [1, 2, 3, 4, 5, 6]);
  await t.notThrowsAsync(parallelize([], 4, async () => undefined));
});
