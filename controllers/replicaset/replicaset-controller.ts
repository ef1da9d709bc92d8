import { deepEqual } from '../../api/deep-equal.js';
import { isPodActive } from '../../api/pod-status.js';
import { getControllerOf, newControllerRef, type OwnerReference } from '../../api/owner-references.js';
import { tryLabelSelectorFromObject } from '../../api/selectors/label-selector.js';
import { isNamespaceTerminating, isNotFound } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { Informer } from '../../client/informer.js';
import { log } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { PODS, REPLICA_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { namespaceIndex, objectKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { workersFor, type Controller, type ControllerContext, type ControllerDescriptor } from '../controller.js';
import { claimObjects } from '../controller-ref-manager.js';
import { SelectorCache } from '../selector-cache.js';
import { ControllerExpectations } from './controller-expectations.js';
import { PodControl } from './pod-control.js';
import { podsToDelete } from './pod-deletion-order.js';
import type { ReplicaOwnerKind } from './replica-owner.js';
import { calculateStatus, updateReplicaSetStatus } from './replicaset-status.js';
import { SLOW_START_INITIAL_BATCH, slowStartBatch } from './slow-start-batch.js';

/** At most this many pods are created or deleted in one sync (kube's BurstReplicas). */
export const BURST_REPLICAS = 500;

/** ReplicaSets indexed by the uid of their controller (a Deployment), to find an owner's other ReplicaSets. */
export const CONTROLLER_UID_INDEX = 'controllerUID';
export const byControllerUid = (obj: AnyObject): string[] => {
  const ref = getControllerOf(obj);
  return ref ? [ref.uid] : [];
};

interface ReplicaSetDeps {
  client: RestClient;
  owner: ReplicaOwnerKind;
  replicaSets: Informer;
  pods: Informer;
  expectations: ControllerExpectations;
  podControl: PodControl;
  /** The owners' parsed selectors. */
  selectors: SelectorCache<AnyObject>;
  /**
   * True once this controller is stopping (leadership lost): the rest of a
   * large scale-up is left to the next leader, which starts from its own
   * synced cache and would otherwise race the creates still under way here.
   */
  stopping(): boolean;
}

/**
 * The ReplicaSet controller (kube's syncReplicaSet): claims the active pods
 * its selector matches, creates or deletes pods to reach spec.replicas when
 * no earlier create or delete is still unobserved, and reports the counts
 * in status. Keys are "namespace/name" of ReplicaSets (or of the other
 * kind `owner` describes: ReplicationControllers).
 */
export function replicaSetReconciler({ client, owner, replicaSets, pods, expectations, podControl, selectors, stopping }: ReplicaSetDeps) {
  /** Pods of every ReplicaSet with the same controller: spreading a Deployment's pods over nodes counts them all. */
  const indirectlyRelatedPods = (rs: AnyObject): AnyObject[] => {
    const ref = getControllerOf(rs);
    if (!ref) return [];
    const seen = new Set<string>();
    const related: AnyObject[] = [];
    for (const sibling of replicaSets.store.byIndex(CONTROLLER_UID_INDEX, ref.uid)) {
      const selector = selectors.get(sibling);
      if (!selector) continue;
      for (const pod of pods.store.byIndex(namespaceIndex, sibling.metadata.namespace!)) {
        if (!selector.matches(pod.metadata.labels) || seen.has(pod.metadata.uid!)) continue;
        seen.add(pod.metadata.uid!);
        related.push(pod);
      }
    }
    return related;
  };

  const manageReplicas = async (key: string, rs: AnyObject, owned: AnyObject[]): Promise<void> => {
    const diff = owned.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      // Expected before the first create: the watch may report a new pod before its create call returns.
      expectations.expectCreations(key, count);
      const ref = newControllerRef(rs, owner.apiVersion, owner.kind);
      const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH, async () => {
        try {
          await podControl.createPod(rs, rs.spec.template, ref);
        } catch (err) {
          // Every create fails once the namespace is going away; there is nothing to retry.
          if (!isNamespaceTerminating(err)) throw err;
        }
      }, stopping);
      // Creates never attempted, or refused, will never be seen by the informer.
      for (let i = successes; i < count; i++) expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const victims = podsToDelete(owned, indirectlyRelatedPods(rs), Math.min(diff, BURST_REPLICAS));
      expectations.expectDeletions(key, victims.map(objectKey));
      const results = await Promise.allSettled(victims.map(async (pod) => {
        try {
          await podControl.deletePod(rs, pod);
        } catch (err) {
          expectations.deletionObserved(key, objectKey(pod));
          if (!isNotFound(err)) throw err;
        }
      }));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  };

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const rs = replicaSets.store.get(key);
    if (!rs) {
      expectations.forget(key);
      return;
    }
    const needsSync = expectations.satisfied(key);
    const selector = selectors.get(rs);
    if (!selector) {
      log.error(`${owner.kind} has an invalid selector`, { controller: owner.queueName, key });
      return;
    }
    const { namespace, name } = rs.metadata;
    const active = pods.store.byIndex(namespaceIndex, namespace!).filter(isPodActive);
    const owned = await claimObjects(active, {
      owner: rs, ownerApiVersion: owner.apiVersion, ownerKind: owner.kind, kind: 'Pod', selector,
      getFresh: () => client.get(owner.resource, name!, { namespace }),
      patch: (pod, body) => client.patch(PODS, pod.metadata.name!, 'strategic', body, { namespace }),
    });
    let manageError: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) manageError = await manageReplicas(key, rs, owned).then(() => undefined, (err) => err);
    const { status, nextAvailableInMs } = calculateStatus(rs, owned, manageError);
    await updateReplicaSetStatus(client, owner.resource, rs, status);
    if (manageError) throw manageError;
    // A ready pod becomes available once minReadySeconds have passed; nothing else would wake us then.
    if (nextAvailableInMs !== undefined) return { requeueAfter: nextAvailableInMs };
  };
}

/**
 * The controller-manager entry of a replica controller over the kind `owner`
 * describes: its informers, event handlers, expectations and queue.
 */
export function replicaOwnerController(owner: ReplicaOwnerKind, names: Pick<ControllerDescriptor, 'name' | 'aliases'>): ControllerDescriptor {
  return {
    ...names, enabledByDefault: true,
    create: (ctx) => startReplicaOwnerController(ctx, owner),
  };
}

export const replicaSetController = replicaOwnerController({
  resource: REPLICA_SETS, apiVersion: 'apps/v1', kind: 'ReplicaSet', component: 'replicaset-controller', queueName: 'replicaset',
  selector: (rs) => tryLabelSelectorFromObject(rs.spec?.selector),
}, { name: 'replicaset-controller', aliases: ['replicaset'] });

function startReplicaOwnerController(ctx: ControllerContext, owner: ReplicaOwnerKind): Controller<string>[] {
  const replicaSets = ctx.informers.for<AnyObject>(owner.resource);
  const pods = ctx.informers.for<AnyObject>(PODS);
  ctx.informers.index(replicaSets, CONTROLLER_UID_INDEX, byControllerUid);
  const queue = new WorkQueue<string>();
  const expectations = new ControllerExpectations();
  const selectors = new SelectorCache<AnyObject>(owner.selector);
  selectors.forgetDeleted(replicaSets);

  /** The ReplicaSet a controller reference names, if the cache has that very object. */
  const resolve = (namespace: string | undefined, ref: OwnerReference): AnyObject | undefined => {
    if (ref.kind !== owner.kind) return undefined;
    const rs = replicaSets.store.get(`${namespace}/${ref.name}`);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  };
  /** ReplicaSets whose selector takes an orphan pod: they may want to adopt it. */
  const selecting = (pod: AnyObject): AnyObject[] => replicaSets.store.byIndex(namespaceIndex, pod.metadata.namespace!).filter((rs) => {
    const selector = selectors.get(rs);
    return selector && !selector.empty() && selector.matches(pod.metadata.labels);
  });
  const enqueueAll = (list: AnyObject[]) => list.forEach((rs) => queue.add(objectKey(rs)));

  const podDeleted = (pod: AnyObject) => {
    const ref = getControllerOf(pod);
    const rs = ref && resolve(pod.metadata.namespace, ref);
    if (!rs) return;
    const key = objectKey(rs);
    expectations.deletionObserved(key, objectKey(pod));
    queue.add(key);
  };

  replicaSets.addEventHandler({
    onAdd: (rs) => queue.add(objectKey(rs)),
    onUpdate: (old, rs) => {
      // A ReplicaSet deleted and made again under the same name starts with clean expectations.
      if (old.metadata.uid !== rs.metadata.uid) expectations.forget(objectKey(old));
      queue.add(objectKey(rs));
    },
    onDelete: (rs) => {
      expectations.forget(objectKey(rs));
      queue.add(objectKey(rs));
    },
  });
  pods.addEventHandler({
    onAdd: (pod) => {
      // After a restart a pod may first show up already being deleted: that is no creation to count.
      if (pod.metadata.deletionTimestamp) return podDeleted(pod);
      const ref = getControllerOf(pod);
      if (ref) {
        const rs = resolve(pod.metadata.namespace, ref);
        if (!rs) return;
        expectations.creationObserved(objectKey(rs));
        queue.add(objectKey(rs));
        return;
      }
      enqueueAll(selecting(pod));
    },
    onUpdate: (old, pod) => {
      if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
      const labelsChanged = !deepEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {});
      if (pod.metadata.deletionTimestamp) {
        // Graceful deletion: the owner may replace the pod now rather than when it is finally gone.
        podDeleted(pod);
        if (labelsChanged) podDeleted(old);
        return;
      }
      const ref = getControllerOf(pod);
      const oldRef = getControllerOf(old);
      const refChanged = !deepEqual(ref, oldRef);
      if (refChanged && oldRef) {
        const previous = resolve(old.metadata.namespace, oldRef);
        if (previous) queue.add(objectKey(previous));
      }
      if (ref) {
        const rs = resolve(pod.metadata.namespace, ref);
        if (rs) queue.add(objectKey(rs));
        return;
      }
      if (labelsChanged || refChanged) enqueueAll(selecting(pod));
    },
    onDelete: podDeleted,
  });

  return [{
    name: owner.queueName, queue, workers: workersFor(ctx, owner.queueName, 5),
    reconcile: replicaSetReconciler({
      client: ctx.client, owner, replicaSets, pods, expectations, podControl: new PodControl(ctx.client, ctx.recorder(owner.component)),
      selectors, stopping: () => queue.isShuttingDown,
    }),
  }];
}
