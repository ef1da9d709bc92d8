import { deepEqual } from '../../api/deep-equal.js';
import { getControllerOf, type OwnerReference } from '../../api/owner-references.js';
import { isPodReady } from '../../api/pod-status.js';
import { tryLabelSelectorFromObject } from '../../api/selectors/label-selector.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import { log } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { CONTROLLER_REVISIONS, PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { namespaceIndex, objectKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { workersFor, type ControllerDescriptor } from '../controller.js';
import { claimObjects } from '../controller-ref-manager.js';
import { RevisionHistory } from '../history/revision-history.js';
import { cleanupHistory, constructHistory, revisionTemplate } from '../history/template-history.js';
import { SelectorCache } from '../selector-cache.js';
import { ClaimTerminatingError, StatefulPodControl } from './stateful-pod-control.js';
import { isMemberOf, newStatefulSetPod, podRevision } from './stateful-pod.js';
import { computeStatus, updateStatefulSetStatus } from './statefulset-status.js';
import { updateReplicas } from './update-replicas.js';

const STATEFUL_SET_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet', resource: STATEFUL_SETS };

// While a claim a pod needs is still being deleted, look again after this long.
const CLAIM_TERMINATING_RETRY_MS = 1000;

interface StatefulSetDeps {
  client: RestClient;
  statefulSets: Informer;
  pods: Informer;
  history: RevisionHistory;
  podControl: StatefulPodControl;
  recorder: EventRecorder;
  selectors: SelectorCache<AnyObject>;
}

/**
 * The StatefulSet controller (kube's syncStatefulSet): records the template
 * as a ControllerRevision, keeps one pod per ordinal with its own claims,
 * created and removed in order unless the policy is Parallel, replaces old
 * pods by the update strategy, trims history and reports the counts. Keys
 * are "namespace/name" of StatefulSets.
 */
export function statefulSetReconciler(deps: StatefulSetDeps) {
  const { client, statefulSets, pods, history, podControl, recorder, selectors } = deps;

  /** getPodsForStatefulSet: pods the selector matches and whose names are the set's, adopted or released as needed. */
  const podsFor = (set: AnyObject): Promise<AnyObject[]> => {
    const { namespace, name } = set.metadata;
    return claimObjects(pods.store.byIndex(namespaceIndex, namespace!).filter((p) => isMemberOf(set, p)), {
      owner: set, ownerApiVersion: 'apps/v1', ownerKind: 'StatefulSet', kind: 'Pod', selector: selectors.get(set)!,
      getFresh: () => client.get(STATEFUL_SETS, name!, { namespace }),
      patch: (pod, body) => client.patch(PODS, pod.metadata.name!, 'strategic', body, { namespace }),
    });
  };

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const set = statefulSets.store.get(key);
    if (!set) return;
    const selector = selectors.get(set);
    if (!selector) {
      log.error('StatefulSet has an invalid selector', { controller: 'statefulset', key });
      return;
    }
    if (selector.empty()) {
      recorder.event(set, 'Warning', 'SelectingAll', 'This statefulset is selecting all pods. A non-empty selector is required.');
      return;
    }
    const { current: update, old, collisionCount } = await constructHistory(history, set, selector);
    // The pods below a partition, and those a rollout has not reached, stay at the revision the status names.
    const current = old.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    const setPods = await podsFor(set);
    const nowMs = Date.now();
    const before = computeStatus(set, setPods, current.metadata.name!, update.metadata.name!, collisionCount, nowMs);
    // A set being deleted is left to the garbage collector; only its status is kept true.
    let requeueAfter: number | undefined;
    if (!set.metadata.deletionTimestamp) {
      try {
        await updateReplicas(set, setPods, {
          podControl, nowMs,
          newPod: (ordinal, useCurrent) => (useCurrent
            ? newStatefulSetPod(set, revisionTemplate(current) as AnyObject, current.metadata.name!, ordinal)
            : newStatefulSetPod(set, set.spec.template, update.metadata.name!, ordinal)),
          updateRevision: update.metadata.name!,
        });
      } catch (err) {
        if (!(err instanceof ClaimTerminatingError)) throw err;
        requeueAfter = CLAIM_TERMINATING_RETRY_MS;
      }
      const inUse = new Set([current.metadata.name, update.metadata.name, ...setPods.map(podRevision)]);
      await cleanupHistory(history, set, old, (r) => inUse.has(r.metadata.name));
    }
    await updateStatefulSetStatus(client, set, before.status);
    // A ready pod becomes available once minReadySeconds have passed; nothing else would wake us then.
    const next = [requeueAfter, before.nextAvailableInMs].filter((n): n is number => n !== undefined);
    if (next.length) return { requeueAfter: Math.min(...next) };
  };
}

export const statefulSetController: ControllerDescriptor = {
  name: 'statefulset-controller', aliases: ['statefulset'], enabledByDefault: true,
  create(ctx) {
    const statefulSets = ctx.informers.for<AnyObject>(STATEFUL_SETS);
    const pods = ctx.informers.for<AnyObject>(PODS);
    const claims = ctx.informers.for<AnyObject>(PERSISTENT_VOLUME_CLAIMS);
    const revisions = ctx.informers.for<AnyObject>(CONTROLLER_REVISIONS);
    const queue = new WorkQueue<string>();
    const selectors = new SelectorCache<AnyObject>((set) => tryLabelSelectorFromObject(set.spec?.selector));
    selectors.forgetDeleted(statefulSets);
    const recorder = ctx.recorder('statefulset-controller');

    /** The StatefulSet a controller reference names, if the cache has that very object. */
    const resolve = (namespace: string | undefined, ref: OwnerReference | undefined): AnyObject | undefined => {
      if (ref?.kind !== 'StatefulSet') return undefined;
      const set = statefulSets.store.get(`${namespace}/${ref.name}`);
      return set?.metadata.uid === ref.uid ? set : undefined;
    };
    /** StatefulSets that could adopt an orphan: their selector takes it (and, for a pod, its name is theirs). */
    const selecting = (obj: AnyObject, kind: 'Pod' | 'ControllerRevision'): AnyObject[] => statefulSets.store.byIndex(namespaceIndex, obj.metadata.namespace!).filter((set) => {
      const selector = selectors.get(set);
      return selector && !selector.empty() && selector.matches(obj.metadata.labels) && (kind !== 'Pod' || isMemberOf(set, obj));
    });
    const enqueue = (set: AnyObject | undefined) => set && queue.add(objectKey(set));
    const enqueueOwners = (kind: 'Pod' | 'ControllerRevision') => (obj: AnyObject) => {
      const ref = getControllerOf(obj);
      if (ref) enqueue(resolve(obj.metadata.namespace, ref));
      else selecting(obj, kind).forEach(enqueue);
    };

    statefulSets.addEventHandler({ onAdd: enqueue, onUpdate: (_old, set) => enqueue(set), onDelete: enqueue });
    const podOwners = enqueueOwners('Pod');
    pods.addEventHandler({
      onAdd: podOwners,
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        const oldRef = getControllerOf(old);
        if (oldRef && !deepEqual(oldRef, getControllerOf(pod))) enqueue(resolve(old.metadata.namespace, oldRef));
        podOwners(pod);
        // A pod just Ready becomes available minReadySeconds later, which no event announces.
        const set = resolve(pod.metadata.namespace, getControllerOf(pod));
        const minReady = set?.spec.minReadySeconds ?? 0;
        if (set && minReady > 0 && !isPodReady(old) && isPodReady(pod)) queue.addAfter(objectKey(set), minReady * 1000 + 1);
      },
      onDelete: podOwners,
    });
    // A claim gone at last lets the pod that waited for it be made.
    claims.addEventHandler({
      onDelete: (claim) => statefulSets.store.byIndex(namespaceIndex, claim.metadata.namespace!)
        .filter((set) => (set.spec.volumeClaimTemplates ?? []).some((t: AnyObject) => claim.metadata.name?.startsWith(`${t.metadata?.name}-${set.metadata.name}-`)))
        .forEach(enqueue),
    });
    const revisionOwners = enqueueOwners('ControllerRevision');
    revisions.addEventHandler({ onAdd: revisionOwners, onUpdate: (_old, rev) => revisionOwners(rev), onDelete: revisionOwners });

    return [{
      name: 'statefulset', queue, workers: workersFor(ctx, 'statefulset', 5),
      reconcile: statefulSetReconciler({
        client: ctx.client, statefulSets, pods, recorder, selectors,
        history: new RevisionHistory(ctx.client, revisions, STATEFUL_SET_KIND),
        podControl: new StatefulPodControl(ctx.client, claims, recorder),
      }),
    }];
  },
};
