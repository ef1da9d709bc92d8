import test from 'ava';
import { untilAborted } from './component.js';

test('a stop asked for while the component was still starting is not missed', async (t) => {
  const stop = new AbortController();
  stop.abort();
  await untilAborted(stop.signal);
  t.true(stop.signal.aborted);
});

test('a running component waits for its stop', async (t) => {
  const stop = new AbortController();
  let done = false;
  const waiting = untilAborted(stop.signal).then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  t.false(done);
  stop.abort();
  await waiting;
  t.true(done);
});
