import test from 'ava';
import { nodeObject, podObject } from '../../../test/scheduler/fixtures.js';
import { PodInfo } from '../framework/pod-info.js';
import { SchedulerCache } from './scheduler-cache.js';

test('an assumed pod counts on its node at once; the informer\'s bound pod confirms it; forgetting a confirmed pod changes nothing', (t) => {
  const cache = new SchedulerCache();
  cache.setNode(nodeObject('n', { cpu: '4' }));
  const pod = podObject('p', { cpu: '1', memory: '1Gi' });
  cache.assume(new PodInfo(pod), 'n');
  const node = cache.get('n')!;
  t.is(node.requested.milliCPU, 1000);
  t.true(cache.hasPod(pod.metadata.uid!));
  t.throws(() => cache.assume(new PodInfo(pod), 'n'), { message: /already in the scheduler cache/ });
  cache.setPod({ ...pod, spec: { ...pod.spec, nodeName: 'n' } });
  cache.forget(pod.metadata.uid!);
  t.is(node.requested.milliCPU, 1000, 'confirmed by the informer: a late binding failure does not take it away');
  cache.removePod(pod.metadata.uid!);
  t.is(node.requested.milliCPU, 0);
  t.is(node.pods.length, 0);
});

test('a failed binding forgets the assumed pod and frees what it held', (t) => {
  const cache = new SchedulerCache();
  cache.setNode(nodeObject('n'));
  const info = new PodInfo(podObject('p', { cpu: '2' }));
  cache.assume(info, 'n');
  cache.forget(info.uid);
  t.is(cache.get('n')!.requested.milliCPU, 0);
  t.false(cache.hasPod(info.uid));
});

test('pods may arrive before their node and outlive it; only nodes that exist are listed', (t) => {
  const cache = new SchedulerCache();
  cache.setPod(podObject('early', { cpu: '1', nodeName: 'late' }));
  t.deepEqual(cache.list(), []);
  cache.setNode(nodeObject('late'));
  t.is(cache.get('late')!.requested.milliCPU, 1000);
  cache.removeNode('late');
  t.is(cache.get('late'), undefined);
  t.deepEqual(cache.list(), []);
});

test('nodes are listed zone by zone in turn, as kube\'s node tree lists them', (t) => {
  const cache = new SchedulerCache();
  for (const [name, zone] of [['a1', 'us-east-1a'], ['a2', 'us-east-1a'], ['a3', 'us-east-1a'], ['b1', 'us-east-1b'], ['c1', 'us-east-1c'], ['c2', 'us-east-1c']]) {
    cache.setNode(nodeObject(name, { zone }));
  }
  t.deepEqual(cache.list().map((n) => n.name), ['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
  cache.setNode(nodeObject('b1', { zone: 'us-east-1c' }));
  t.deepEqual(cache.list().map((n) => n.name), ['a1', 'c1', 'a2', 'c2', 'a3', 'b1']);
});
