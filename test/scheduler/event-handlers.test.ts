import test from 'ava';
import type { EventHandlers, Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { SchedulerCache } from '../../control-plane/scheduler/cache/scheduler-cache.js';
import { addEventHandlers, type SchedulerInformers } from '../../control-plane/scheduler/event-handlers.js';
import { ASSIGNED_POD_DELETE, type ClusterEvent } from '../../control-plane/scheduler/framework/cluster-event.js';
import { PodInfo } from '../../control-plane/scheduler/framework/pod-info.js';
import type { SchedulingQueue } from '../../control-plane/scheduler/queue/scheduling-queue.js';
import { nodeObject, podObject } from './fixtures.js';

/** The scheduler's handlers on stand-in informers, so a test can deliver events itself. */
function wire() {
  const handlers: Partial<Record<keyof SchedulerInformers, EventHandlers<AnyObject>>> = {};
  const informer = (name: keyof SchedulerInformers) => ({
    addEventHandler(h: EventHandlers<AnyObject>) {
      handlers[name] = h;
      return () => undefined;
    },
  }) as unknown as Informer<AnyObject>;
  const informers: SchedulerInformers = {
    nodes: informer('nodes'), pods: informer('pods'), persistentVolumes: informer('persistentVolumes'),
    persistentVolumeClaims: informer('persistentVolumeClaims'), storageClasses: informer('storageClasses'),
  };
  const deleted: string[] = [];
  const moved: ClusterEvent[] = [];
  const queue = {
    add() {},
    update() {},
    delete: (uid: string) => deleted.push(uid),
    moveAllToActiveOrBackoff: (e: ClusterEvent) => moved.push(e),
  } as unknown as SchedulingQueue;
  const cache = new SchedulerCache();
  addEventHandlers(informers, cache, queue, 'default-scheduler');
  return { handlers, cache, deleted, moved };
}

test('a pod deleted before the informer saw it bound leaves the cache: its node gets back what it was assumed to use', (t) => {
  const { handlers, cache, deleted, moved } = wire();
  handlers.nodes!.onAdd!(nodeObject('n', { cpu: '4' }));
  const pod = podObject('p', { cpu: '3' });
  cache.assume(new PodInfo(pod), 'n');
  t.is(cache.get('n')!.requested.milliCPU, 3000);

  moved.length = 0;
  // The informer's last state of the pod is the pending one: the binding was never seen.
  handlers.pods!.onDelete!(pod);
  t.deepEqual(deleted, [pod.metadata.uid]);
  t.false(cache.hasPod(pod.metadata.uid!));
  t.is(cache.get('n')!.requested.milliCPU, 0);
  t.deepEqual(moved, [ASSIGNED_POD_DELETE], 'parked pods may fit in what it freed');
});

test('deleting a pending pod that was never assumed only takes it out of the queue', (t) => {
  const { handlers, cache, deleted, moved } = wire();
  handlers.nodes!.onAdd!(nodeObject('n'));
  moved.length = 0;
  const pod = podObject('p', { cpu: '1' });
  handlers.pods!.onDelete!(pod);
  t.deepEqual(deleted, [pod.metadata.uid]);
  t.deepEqual(moved, []);
  t.is(cache.get('n')!.requested.milliCPU, 0);
});
