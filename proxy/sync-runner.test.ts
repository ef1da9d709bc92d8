import test from 'ava';
import { SyncRunner } from './sync-runner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('changes while a sync runs cost one more sync; two syncs run back to back, a third waits for the minimum interval', async (t) => {
  let syncs = 0;
  const runner = new SyncRunner(async () => {
    syncs++;
    await sleep(20);
  }, 600, 60_000);
  try {
    runner.request();
    await sleep(5);
    for (let i = 0; i < 4; i++) runner.request();
    await sleep(150);
    t.is(syncs, 2, 'the first request ran at once; the four during it, one more after it');
    runner.request();
    await sleep(150);
    t.is(syncs, 2, 'no credit left: the third waits');
    await sleep(900);
    t.is(syncs, 3);
  } finally {
    runner.stop();
  }
});

test('with no change, a sync still runs every maximum interval', async (t) => {
  let syncs = 0;
  const runner = new SyncRunner(async () => {
    syncs++;
  }, 0, 100);
  try {
    runner.start();
    await sleep(450);
    t.true(syncs >= 3, `${syncs} syncs`);
  } finally {
    runner.stop();
  }
});
