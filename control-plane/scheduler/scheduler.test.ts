import test from 'ava';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { RestClient } from '../../client/rest-client.js';
import { emptyListers, nodeObject, podObject, type NodeShape } from '../../test/scheduler/fixtures.js';
import { SchedulerCache } from './cache/scheduler-cache.js';
import { FitError } from './framework/fit-error.js';
import { CycleState } from './framework/plugin.js';
import { PodInfo } from './framework/pod-info.js';
import { defaultProfile } from './plugins/default-profile.js';
import type { SchedulingQueue } from './queue/scheduling-queue.js';
import { NoNodesAvailableError, Scheduler } from './scheduler.js';

function schedulerWith(nodes: [string, NodeShape][]) {
  const cache = new SchedulerCache();
  for (const [name, shape] of nodes) cache.setNode(nodeObject(name, shape));
  const listers = emptyListers();
  const framework = defaultProfile({ client: {} as RestClient, snapshot: cache, listers });
  const scheduler = new Scheduler({ client: {} as RestClient, framework, cache, queue: {} as SchedulingQueue, pods: listers.pods, recorder: {} as EventRecorder });
  return { cache, scheduler };
}

const failure = (scheduler: Scheduler, pod: ReturnType<typeof podObject>): Error => {
  try {
    scheduler.schedulePod(new CycleState(), new PodInfo(pod));
  } catch (err) {
    return err as Error;
  }
  throw new Error('the pod was scheduled');
};

test('the FailedScheduling message: reasons per node from the first filter that rejected each, then preemption', (t) => {
  const controlPlane = { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] };
  const { scheduler } = schedulerWith([['worker', { cpu: '1' }], ['cp1', { cpu: '8', ...controlPlane }], ['cp2', { cpu: '8', ...controlPlane }]]);
  const err = failure(scheduler, podObject('big', { cpu: '2' }));
  t.true(err instanceof FitError);
  t.is(err.message, '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. '
    + 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  t.deepEqual([...(err as FitError).diagnosis.unschedulablePlugins].sort(), ['NodeResourcesFit', 'TaintToleration']);
});

test('with no nodes at all the error is kube\'s ErrNoNodesAvailable', (t) => {
  const { scheduler } = schedulerWith([]);
  const err = failure(scheduler, podObject('p'));
  t.true(err instanceof NoNodesAvailableError);
  t.is(err.message, 'no nodes available to schedule pods');
});

test('percentageOfNodesToScore adapts: everything under 100 nodes, then 50% less 1% per 125 nodes, at least 5% and 100 nodes', (t) => {
  const { scheduler } = schedulerWith([]);
  t.deepEqual([50, 100, 150, 1000, 5000, 10_000].map((n) => scheduler.numFeasibleNodesToFind(n)), [50, 100, 100, 420, 500, 500]);
});

test('nodes are searched zone by zone in turn, each search starting where the last one stopped', (t) => {
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const nodes: [string, NodeShape][] = Array.from({ length: 300 }, (_, i) => [`n${i}`, { zone: zones[Math.floor(i / 100)] }]);
  const { cache, scheduler } = schedulerWith(nodes);
  t.deepEqual(cache.list().slice(0, 4).map((n) => n.name), ['n0', 'n100', 'n200', 'n1']);
  // 300 nodes: 48% → 144 feasible nodes looked at per pod.
  t.is(scheduler.numFeasibleNodesToFind(300), 144);
  scheduler.schedulePod(new CycleState(), new PodInfo(podObject('first', { cpu: '100m' })));
  scheduler.schedulePod(new CycleState(), new PodInfo(podObject('second', { cpu: '100m' })));
  t.is((scheduler as unknown as { nextStartNodeIndex: number }).nextStartNodeIndex, 288);
});
