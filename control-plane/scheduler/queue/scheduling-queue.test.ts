import test from 'ava';
import { podObject } from '../../../test/scheduler/fixtures.js';
import { ASSIGNED_POD_DELETE, Action, event } from '../framework/cluster-event.js';
import { PodInfo } from '../framework/pod-info.js';
import { schedulingGates } from '../plugins/scheduling-gates.js';
import { SchedulingQueue } from './scheduling-queue.js';

function queueAt(clock: { now: number }) {
  const incoming: string[] = [];
  const queue = new SchedulingQueue({
    pluginEvents: new Map([
      ['NodeResourcesFit', [{ resource: 'AssignedPod', actions: Action.Delete }, { resource: 'Node', actions: Action.Add | Action.UpdateNodeAllocatable }]],
      ['TaintToleration', [{ resource: 'Node', actions: Action.Add | Action.UpdateNodeTaint }]],
    ]),
    preEnqueue: schedulingGates().preEnqueue!,
    onIncoming: (q, e) => incoming.push(`${q}:${e}`),
    now: () => clock.now,
  });
  return { queue, incoming };
}

const pod = (name: string, priority = 0, spec: Record<string, unknown> = {}) => new PodInfo(podObject(name, { spec: { priority, ...spec } }));

test('activeQ pops the highest priority first, then the earliest queued', async (t) => {
  const clock = { now: 1000 };
  const { queue } = queueAt(clock);
  queue.add(pod('low-early', 0));
  clock.now++;
  queue.add(pod('high', 10));
  clock.now++;
  queue.add(pod('low-late', 0));
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await queue.pop())!.podInfo.name);
  t.deepEqual(order, ['high', 'low-early', 'low-late']);
});

test('backoff doubles per attempt from 1 s up to 10 s', (t) => {
  const { queue } = queueAt({ now: 0 });
  t.deepEqual([1, 2, 3, 4, 5, 6].map((n) => queue.backoffDuration(n)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
});

test('a parked pod moves only on events its rejecting plugins registered for, to backoffQ while its backoff lasts', async (t) => {
  const clock = { now: 0 };
  const { queue, incoming } = queueAt(clock);
  queue.add(pod('p'));
  const q = (await queue.pop())!;
  queue.addUnschedulable(q, new Set(['TaintToleration']));
  t.is(queue.where(q.podInfo.uid), 'unschedulable');
  queue.moveAllToActiveOrBackoff(ASSIGNED_POD_DELETE);
  t.is(queue.where(q.podInfo.uid), 'unschedulable', 'a deleted pod frees resources, which TaintToleration does not care about');
  queue.moveAllToActiveOrBackoff(event('Node', Action.UpdateNodeTaint, 'NodeTaintChange'));
  t.is(queue.where(q.podInfo.uid), 'backoff', 'one attempt means a 1 s backoff');
  clock.now = 999;
  queue.flushBackoffCompleted();
  t.is(queue.where(q.podInfo.uid), 'backoff');
  clock.now = 1000;
  queue.flushBackoffCompleted();
  t.is(queue.where(q.podInfo.uid), 'active');
  t.deepEqual(incoming, ['active:PodAdd', 'unschedulable:ScheduleAttemptFailure', 'backoff:NodeTaintChange', 'active:BackoffComplete']);
});

test('a failure no plugin explains (an error) goes straight to backoff; a pod parked 5 minutes is retried anyway', async (t) => {
  const clock = { now: 0 };
  const { queue } = queueAt(clock);
  queue.add(pod('err'));
  queue.add(pod('parked'));
  const first = (await queue.pop())!;
  const second = (await queue.pop())!;
  queue.addUnschedulable(first, new Set());
  queue.addUnschedulable(second, new Set(['NodeResourcesFit']));
  t.is(queue.where(first.podInfo.uid), 'backoff');
  clock.now = 300_001;
  queue.flushUnschedulableLeftover();
  t.is(queue.where(second.podInfo.uid), 'active');
  t.deepEqual(queue.counts(), { active: 1, backoff: 1, unschedulable: 0, gated: 0 });
});

test('a gated pod waits apart until its last gate is removed; a parked pod whose spec changes is retried', async (t) => {
  const clock = { now: 0 };
  const { queue } = queueAt(clock);
  const gated = pod('gated', 0, { schedulingGates: [{ name: 'example.com/a' }, { name: 'example.com/b' }] });
  t.is(schedulingGates().preEnqueue!(gated), 'waiting for scheduling gates: [example.com/a example.com/b]');
  queue.add(gated);
  t.is(queue.where(gated.uid), 'gated');
  const oneGate = structuredClone(gated.pod);
  oneGate.spec.schedulingGates = [{ name: 'example.com/b' }];
  queue.update(gated.pod, new PodInfo(oneGate));
  t.is(queue.where(gated.uid), 'gated');
  const none = structuredClone(oneGate);
  delete none.spec.schedulingGates;
  queue.update(oneGate, new PodInfo(none));
  t.is(queue.where(gated.uid), 'active');

  const q = (await queue.pop())!;
  queue.addUnschedulable(q, new Set(['NodeResourcesFit']));
  queue.update(none, new PodInfo(none));
  t.is(queue.where(q.podInfo.uid), 'unschedulable', 'a resync changes nothing');
  const relabelled = structuredClone(none);
  relabelled.metadata.labels = { app: 'x' };
  clock.now = 5000;
  queue.update(none, new PodInfo(relabelled));
  t.is(queue.where(q.podInfo.uid), 'active');
  queue.delete(q.podInfo.uid);
  t.is(queue.where(q.podInfo.uid), undefined);
});

test('pop waits for a pod and ends with undefined when the queue closes', async (t) => {
  const { queue } = queueAt({ now: 0 });
  const waiting = queue.pop();
  queue.add(pod('late'));
  t.is((await waiting)!.podInfo.name, 'late');
  const last = queue.pop();
  queue.close();
  t.is(await last, undefined);
});
