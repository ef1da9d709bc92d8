import { clone, deepEqual } from '../../api/deep-equal.js';
import { getControllerOf, type OwnerReference } from '../../api/owner-references.js';
import { tryLabelSelectorFromObject } from '../../api/selectors/label-selector.js';
import { isNamespaceTerminating } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { DEPLOYMENTS, PODS, REPLICA_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { namespaceIndex, objectKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { workersFor, type ControllerDescriptor } from '../controller.js';
import { claimObjects } from '../controller-ref-manager.js';
import { SelectorCache } from '../selector-cache.js';
import { rolloutRecreate } from './recreate.js';
import { rollbackTo } from './annotations.js';
import { rollback } from './rollback.js';
import { rolloutRolling } from './rolling.js';
import { checkPausedConditions, isScalingEvent, sync, syncStatusOnly, type SyncContext } from './sync.js';

interface DeploymentDeps {
  client: RestClient;
  recorder: EventRecorder;
  deployments: Informer;
  replicaSets: Informer;
  pods: Informer;
  /** The Deployments' parsed selectors. */
  selectors: SelectorCache<AnyObject>;
}

/**
 * The Deployment controller (kube's syncDeployment): claims the
 * ReplicaSets its selector matches, then, by priority, keeps the status of
 * a Deployment being deleted, scales a paused one, performs a requested
 * rollback, spreads a change of spec.replicas proportionally, or takes the
 * next step of its strategy (RollingUpdate or Recreate). Keys are
 * "namespace/name" of Deployments.
 */
export function deploymentReconciler({ client, recorder, deployments, replicaSets, pods, selectors }: DeploymentDeps) {
  /** The Deployment's ReplicaSets, adopting and releasing by selector. */
  const replicaSetsFor = (d: AnyObject): Promise<AnyObject[]> => {
    const { namespace, name } = d.metadata;
    const selector = selectors.get(d);
    if (!selector) throw new Error(`deployment ${namespace}/${name} has invalid label selector`);
    return claimObjects(replicaSets.store.byIndex(namespaceIndex, namespace!), {
      owner: d, ownerApiVersion: 'apps/v1', ownerKind: 'Deployment', kind: 'ReplicaSet', selector,
      getFresh: () => client.get(DEPLOYMENTS, name!, { namespace }),
      patch: (rs, body) => client.patch(REPLICA_SETS, rs.metadata.name!, 'strategic', body, { namespace }),
    });
  };

  /** The Deployment's pods by the uid of the ReplicaSet controlling them, terminating and finished ones included. */
  const podsByReplicaSet = (d: AnyObject, rsList: AnyObject[]): Map<string, AnyObject[]> => {
    // Valid: replicaSetsFor checked it.
    const selector = selectors.get(d)!;
    const map = new Map<string, AnyObject[]>(rsList.map((rs) => [rs.metadata.uid!, []]));
    for (const pod of pods.store.byIndex(namespaceIndex, d.metadata.namespace!)) {
      if (!selector.matches(pod.metadata.labels)) continue;
      map.get(getControllerOf(pod)?.uid ?? '')?.push(pod);
    }
    return map;
  };

  const syncDeployment = async (ctx: SyncContext, d: AnyObject): Promise<void> => {
    const rsList = await replicaSetsFor(d);
    if (d.metadata.deletionTimestamp) return syncStatusOnly(ctx, d, rsList);
    await checkPausedConditions(ctx, d);
    if (d.spec.paused) return sync(ctx, d, rsList);
    // A rollback is settled before anything else moves, since it changes which ReplicaSet is new.
    if (rollbackTo(d) !== undefined) return rollback(ctx, d, rsList);
    if (await isScalingEvent(ctx, d, rsList)) return sync(ctx, d, rsList);
    switch (d.spec.strategy?.type) {
      case 'Recreate':
        return rolloutRecreate(ctx, d, rsList, podsByReplicaSet(d, rsList));
      case 'RollingUpdate':
        return rolloutRolling(ctx, d, rsList);
      default:
        throw new Error(`unexpected deployment strategy type: ${d.spec.strategy?.type}`);
    }
  };

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const cached = deployments.store.get(key);
    if (!cached) return;
    const ctx: SyncContext = { client, recorder, replicaSets: replicaSets.store };
    try {
      await syncDeployment(ctx, clone(cached));
    } catch (err) {
      // A namespace being deleted refuses every new object; retrying cannot help.
      if (isNamespaceTerminating(err)) return;
      throw err;
    }
    if (ctx.requeueAfter !== undefined) return { requeueAfter: ctx.requeueAfter };
  };
}

export const deploymentController: ControllerDescriptor = {
  name: 'deployment-controller', aliases: ['deployment'], enabledByDefault: true,
  create(ctx) {
    const deployments = ctx.informers.for<AnyObject>(DEPLOYMENTS);
    const replicaSets = ctx.informers.for<AnyObject>(REPLICA_SETS);
    const pods = ctx.informers.for<AnyObject>(PODS);
    const queue = new WorkQueue<string>();
    const selectors = new SelectorCache<AnyObject>((d) => tryLabelSelectorFromObject(d.spec?.selector));
    selectors.forgetDeleted(deployments);

    /** The Deployment a controller reference names, if the cache has that very object. */
    const resolve = (namespace: string | undefined, ref: OwnerReference): AnyObject | undefined => {
      if (ref.kind !== 'Deployment') return undefined;
      const d = deployments.store.get(`${namespace}/${ref.name}`);
      return d?.metadata.uid === ref.uid ? d : undefined;
    };
    /** Deployments that would adopt an orphan ReplicaSet. */
    const selecting = (rs: AnyObject): AnyObject[] => {
      if (!Object.keys(rs.metadata.labels ?? {}).length) return [];
      return deployments.store.byIndex(namespaceIndex, rs.metadata.namespace!).filter((d) => {
        const selector = selectors.get(d);
        return selector && !selector.empty() && selector.matches(rs.metadata.labels);
      });
    };
    const enqueue = (d: AnyObject | undefined) => {
      if (d) queue.add(objectKey(d));
    };
    const replicaSetDeleted = (rs: AnyObject) => {
      const ref = getControllerOf(rs);
      if (ref) enqueue(resolve(rs.metadata.namespace, ref));
    };

    deployments.addEventHandler({ onAdd: enqueue, onUpdate: (_old, d) => enqueue(d), onDelete: enqueue });
    replicaSets.addEventHandler({
      onAdd: (rs) => {
        if (rs.metadata.deletionTimestamp) return replicaSetDeleted(rs);
        const ref = getControllerOf(rs);
        if (ref) return enqueue(resolve(rs.metadata.namespace, ref));
        selecting(rs).forEach(enqueue);
      },
      onUpdate: (old, rs) => {
        if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
        const ref = getControllerOf(rs);
        const oldRef = getControllerOf(old);
        const refChanged = !deepEqual(ref, oldRef);
        if (refChanged && oldRef) enqueue(resolve(old.metadata.namespace, oldRef));
        if (ref) return enqueue(resolve(rs.metadata.namespace, ref));
        if (refChanged || !deepEqual(old.metadata.labels ?? {}, rs.metadata.labels ?? {})) selecting(rs).forEach(enqueue);
      },
      onDelete: replicaSetDeleted,
    });
    // A Recreate rollout waits for the last old pod to go; nothing else would wake it then.
    pods.addEventHandler({
      onDelete: (pod) => {
        const podRef = getControllerOf(pod);
        if (podRef?.kind !== 'ReplicaSet') return;
        const rs = replicaSets.store.get(`${pod.metadata.namespace}/${podRef.name}`);
        const ref = rs && rs.metadata.uid === podRef.uid ? getControllerOf(rs) : undefined;
        const d = ref && resolve(rs!.metadata.namespace, ref);
        if (d?.spec.strategy?.type === 'Recreate') enqueue(d);
      },
    });

    return [{
      name: 'deployment', queue, workers: workersFor(ctx, 'deployment', 5),
      reconcile: deploymentReconciler({ client: ctx.client, recorder: ctx.recorder('deployment-controller'), deployments, replicaSets, pods, selectors }),
    }];
  },
};
