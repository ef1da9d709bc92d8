import test from 'ava';
import type { AnyObject } from '../../client/resource.js';
import { PodInfo } from '../../control-plane/scheduler/framework/pod-info.js';
import { podTopologySpread } from '../../control-plane/scheduler/plugins/pod-topology-spread.js';
import { emptyListers, podObject, snapshotOf } from './fixtures.js';

const ZONE = 'topology.kubernetes.io/zone';

/** A parked pod whose spreading constraints count how often they are read. */
function parkedPod(): { info: PodInfo; reads: () => number } {
  const pod = podObject('parked', { labels: { app: 'web' } });
  const constraints = [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }];
  let reads = 0;
  Object.defineProperty(pod.spec, 'topologySpreadConstraints', {
    enumerable: true,
    get: () => {
      reads++;
      return constraints;
    },
  });
  return { info: new PodInfo(pod), reads: () => reads };
}

test('the assigned-pod queueing hint parses a parked pod\'s constraints once per version of the pod, not once per event', (t) => {
  const plugin = podTopologySpread(snapshotOf([]), emptyListers());
  const hint = plugin.events!.find((e) => e.resource === 'AssignedPod')!.hint!;
  const { info, reads } = parkedPod();
  const before = reads();
  const assigned = (name: string, app: string): AnyObject => podObject(name, { nodeName: 'n', labels: { app } });
  t.true(hint(info, undefined, assigned('same-app', 'web')));
  t.false(hint(info, undefined, assigned('other-app', 'db')));
  for (let i = 0; i < 10; i++) hint(info, undefined, assigned(`web-${i}`, 'web'));
  t.is(reads() - before, 1);

  const { info: nextVersion, reads: nextReads } = parkedPod();
  const nextBefore = nextReads();
  t.true(hint(nextVersion, assigned('leaving', 'web'), undefined));
  t.is(nextReads() - nextBefore, 1, 'a new version of the pod is parsed afresh');
});
