import test from 'ava';
import { Backoff } from './backoff.js';

test('the first retry goes at once, then 10 s doubling to 5 min; ten quiet minutes start over', (t) => {
  const b = new Backoff();
  const t0 = 1_000_000;
  t.is(b.waitMs('c', t0, t0), 0, 'no failure yet: go');
  t.is(b.next('c', t0), 10_000);
  t.is(b.waitMs('c', t0 + 1_000, t0 + 2_000), 9_000, 'failed again a second later: wait out the 10 s from that failure');
  t.is(b.next('c', t0 + 11_000), 20_000);
  let now = t0 + 11_000;
  for (let i = 0; i < 6; i++) b.next('c', (now += 1_000));
  t.is(b.delayOf('c'), 300_000, 'capped at 5 min');
  t.is(b.waitMs('c', now + 700_000, now + 700_000), 0, 'a container that ran ten minutes restarts at once');
  t.is(b.next('c', now + 700_000), 10_000, 'and starts over');
});
