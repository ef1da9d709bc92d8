import type { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import type { SchedulerCache } from './cache/scheduler-cache.js';
import {
  ASSIGNED_POD_ADD, ASSIGNED_POD_DELETE, NODE_ADD, NODE_DELETE, PVC_ADD, PVC_UPDATE, PV_ADD, PV_UPDATE, STORAGE_CLASS_ADD, STORAGE_CLASS_UPDATE,
  assignedPodUpdateEvents, nodeUpdateEvents, type ClusterEvent,
} from './framework/cluster-event.js';
import { PodInfo } from './framework/pod-info.js';
import type { SchedulingQueue } from './queue/scheduling-queue.js';

export interface SchedulerInformers {
  nodes: Informer<AnyObject>;
  pods: Informer<AnyObject>;
  persistentVolumes: Informer<AnyObject>;
  persistentVolumeClaims: Informer<AnyObject>;
  storageClasses: Informer<AnyObject>;
}

const assigned = (pod: AnyObject): boolean => !!pod.spec?.nodeName;

/**
 * kube's eventhandlers.go: assigned pods and nodes feed the cache; pending
 * pods this scheduler is responsible for feed the queue; every change that
 * may make parked pods schedulable is offered to the queue as a cluster
 * event. Handlers only note changes; no API calls happen here.
 */
export function addEventHandlers(informers: SchedulerInformers, cache: SchedulerCache, queue: SchedulingQueue, schedulerName: string): void {
  const responsible = (pod: AnyObject): boolean => (pod.spec?.schedulerName || 'default-scheduler') === schedulerName;
  const move = (e: ClusterEvent, oldObj?: AnyObject, newObj?: AnyObject) => queue.moveAllToActiveOrBackoff(e, oldObj, newObj);

  informers.nodes.addEventHandler({
    onAdd(node) {
      cache.setNode(node);
      move(NODE_ADD, undefined, node);
    },
    onUpdate(oldNode, node) {
      cache.setNode(node);
      if (oldNode === node) return;
      for (const e of nodeUpdateEvents(oldNode, node)) move(e, oldNode, node);
    },
    onDelete(node) {
      cache.removeNode(node.metadata.name!);
      move(NODE_DELETE, node, undefined);
    },
  });

  informers.pods.addEventHandler({
    onAdd(pod) {
      if (assigned(pod)) {
        cache.setPod(pod);
        move(ASSIGNED_POD_ADD, undefined, pod);
      } else if (responsible(pod) && !pod.metadata.deletionTimestamp) {
        queue.add(new PodInfo(pod));
      }
    },
    onUpdate(oldPod, pod) {
      if (assigned(pod)) {
        cache.setPod(pod);
        if (!assigned(oldPod)) {
          queue.delete(pod.metadata.uid!);
          move(ASSIGNED_POD_ADD, undefined, pod);
        } else if (oldPod !== pod) {
          for (const e of assignedPodUpdateEvents(oldPod, pod)) move(e, oldPod, pod);
        }
      } else if (!responsible(pod) || pod.metadata.deletionTimestamp) {
        queue.delete(pod.metadata.uid!);
      } else {
        queue.update(oldPod, new PodInfo(pod));
      }
    },
    onDelete(pod) {
      if (assigned(pod)) {
        cache.removePod(pod.metadata.uid!);
        move(ASSIGNED_POD_DELETE, pod, undefined);
      } else {
        queue.delete(pod.metadata.uid!);
        // Deleted before the informer saw it bound: what this scheduler assumed for it is freed, which may help parked pods.
        if (cache.forget(pod.metadata.uid!)) move(ASSIGNED_POD_DELETE, pod, undefined);
      }
    },
  });

  const storage = (informer: Informer<AnyObject>, added: ClusterEvent, updated: ClusterEvent) => informer.addEventHandler({
    onAdd: (obj) => move(added, undefined, obj),
    onUpdate: (oldObj, obj) => {
      if (oldObj !== obj) move(updated, oldObj, obj);
    },
  });
  storage(informers.persistentVolumes, PV_ADD, PV_UPDATE);
  storage(informers.persistentVolumeClaims, PVC_ADD, PVC_UPDATE);
  storage(informers.storageClasses, STORAGE_CLASS_ADD, STORAGE_CLASS_UPDATE);
}
