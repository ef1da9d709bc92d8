import { deepEqual } from '../../api/deep-equal.js';
import { getControllerOf, newControllerRef, type OwnerReference } from '../../api/owner-references.js';
import { isPodReady, isPodTerminal } from '../../api/pod-status.js';
import { tryLabelSelectorFromObject } from '../../api/selectors/label-selector.js';
import { isNamespaceTerminating, isNotFound } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import { log } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { CONTROLLER_REVISIONS, DAEMON_SETS, NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { namespaceIndex, objectKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { workersFor, type ControllerDescriptor } from '../controller.js';
import { claimObjects } from '../controller-ref-manager.js';
import { RevisionHistory } from '../history/revision-history.js';
import { cleanupHistory, constructHistory, revisionHash } from '../history/template-history.js';
import { ControllerExpectations } from '../replicaset/controller-expectations.js';
import { PodControl } from '../replicaset/pod-control.js';
import { BURST_REPLICAS } from '../replicaset/replicaset-controller.js';
import { SLOW_START_INITIAL_BATCH, slowStartBatch } from '../replicaset/slow-start-batch.js';
import { SelectorCache } from '../selector-cache.js';
import {
  DAEMON_SET_REVISION_LABEL, daemonPodTemplate, daemonPodTemplateFor, eligibilityChanged, isPodUpdated, nodeShouldRunDaemonPod, targetNodeName,
} from './daemon-pod.js';
import { calculateStatus, updateDaemonSetStatus } from './daemonset-status.js';
import { byCreationAndPhase } from './pod-order.js';
import { allowsSurge, isPodAvailable, planRollingUpdate } from './rolling-update.js';

const DAEMON_SET_KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet', resource: DAEMON_SETS };

interface DaemonSetDeps {
  client: RestClient;
  daemonSets: Informer;
  pods: Informer;
  nodes: Informer;
  history: RevisionHistory;
  expectations: ControllerExpectations;
  podControl: PodControl;
  recorder: EventRecorder;
  selectors: SelectorCache<AnyObject>;
  stopping(): boolean;
}

/**
 * The DaemonSet controller (kube's syncDaemonSet): records the template as
 * a ControllerRevision, keeps one daemon pod on every node that should run
 * it (created pinned to the node, for the scheduler to bind) and none
 * elsewhere, replaces old pods by the update strategy, trims history and
 * reports the counts. Keys are "namespace/name" of DaemonSets.
 */
export function daemonSetReconciler(deps: DaemonSetDeps) {
  const { client, daemonSets, pods, nodes, history, expectations, podControl, recorder, selectors, stopping } = deps;

  /** getNodesToDaemonPods: the claimed daemon pods by the node they run on or are pinned to. */
  const nodesToDaemonPods = async (ds: AnyObject): Promise<Map<string, AnyObject[]>> => {
    const { namespace, name } = ds.metadata;
    const claimed = await claimObjects(pods.store.byIndex(namespaceIndex, namespace!), {
      owner: ds, ownerApiVersion: 'apps/v1', ownerKind: 'DaemonSet', kind: 'Pod', selector: selectors.get(ds)!,
      getFresh: () => client.get(DAEMON_SETS, name!, { namespace }),
      patch: (pod, body) => client.patch(PODS, pod.metadata.name!, 'strategic', body, { namespace }),
    });
    const byNode = new Map<string, AnyObject[]>();
    for (const pod of claimed) {
      // Finished and on its way out: the node's agent or pod GC removes it; nothing is left to decide.
      if (isPodTerminal(pod) && pod.metadata.deletionTimestamp) continue;
      const node = targetNodeName(pod);
      if (!node) continue;
      byNode.set(node, [...(byNode.get(node) ?? []), pod]);
    }
    return byNode;
  };

  /** podsShouldBeOnNode: whether the node needs a pod, and which of its daemon pods must go. */
  const podsShouldBeOnNode = (ds: AnyObject, node: AnyObject, daemonPods: AnyObject[] | undefined, hash: string, nowMs: number): { create: boolean; remove: AnyObject[] } => {
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    if (shouldRun && !daemonPods?.length) return { create: true, remove: [] };
    const live = (daemonPods ?? []).filter((p) => !p.metadata.deletionTimestamp);
    if (!shouldContinueRunning) return { create: false, remove: live };
    // A failed or finished daemon pod is replaced (by the next sync, once it is gone).
    const remove = live.filter((p) => isPodTerminal(p));
    const running = live.filter((p) => !isPodTerminal(p)).sort(byCreationAndPhase);
    if (running.length <= 1) return { create: false, remove };
    if (!allowsSurge(ds)) return { create: false, remove: [...remove, ...running.slice(1)] };
    // With surge a node may run one old pod and one new: the old one goes once the new one is available, or if it is not even ready.
    const oldestNew = running.find((p) => isPodUpdated(p, hash));
    const oldestOld = running.find((p) => !isPodUpdated(p, hash));
    remove.push(...running.filter((p) => p !== oldestNew && p !== oldestOld));
    if (oldestNew && oldestOld) {
      const ready = oldestOld.status?.conditions?.some((c: AnyObject) => c.type === 'Ready' && c.status === 'True');
      if (!ready || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, nowMs)) remove.push(oldestOld);
    }
    return { create: false, remove };
  };

  /** syncNodes: creates a pinned pod for each node and deletes the pods named, a burst at a time, under expectations. */
  const syncNodes = async (key: string, ds: AnyObject, remove: AnyObject[], createOn: string[], hash: string): Promise<void> => {
    const creates = createOn.slice(0, BURST_REPLICAS);
    const deletes = remove.slice(0, BURST_REPLICAS);
    expectations.expectCreations(key, creates.length);
    expectations.expectDeletions(key, deletes.map(objectKey));
    const template = daemonPodTemplate(ds, hash);
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    let next = 0;
    const created = slowStartBatch(creates.length, SLOW_START_INITIAL_BATCH, async () => {
      try {
        await podControl.createPod(ds, daemonPodTemplateFor(template, creates[next++]), ref);
      } catch (err) {
        if (!isNamespaceTerminating(err)) throw err;
      }
    }, stopping).then(({ successes, error }) => {
      for (let i = successes; i < creates.length; i++) expectations.creationObserved(key);
      if (error) throw error;
    });
    const deleted = Promise.allSettled(deletes.map(async (pod) => {
      try {
        await podControl.deletePod(ds, pod);
      } catch (err) {
        expectations.deletionObserved(key, objectKey(pod));
        if (!isNotFound(err)) throw err;
      }
    })).then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
    const [c, d] = await Promise.allSettled([created, deleted]);
    if (c.status === 'rejected') throw c.reason;
    if (d.status === 'rejected') throw d.reason;
  };

  /** manage: pods for nodes that need one, none on nodes that should not run one or that no longer exist. */
  const manage = async (key: string, ds: AnyObject, nodeList: AnyObject[], byNode: Map<string, AnyObject[]>, hash: string, nowMs: number): Promise<void> => {
    const createOn: string[] = [];
    const remove: AnyObject[] = [];
    const known = new Set<string>();
    for (const node of nodeList) {
      known.add(node.metadata.name!);
      const verdict = podsShouldBeOnNode(ds, node, byNode.get(node.metadata.name!), hash, nowMs);
      if (verdict.create) createOn.push(node.metadata.name!);
      remove.push(...verdict.remove);
    }
    // Pinned to a node that is gone and never bound: nothing else would remove them (pod GC takes the bound ones).
    for (const [nodeName, list] of byNode) {
      if (known.has(nodeName)) continue;
      remove.push(...list.filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp));
    }
    await syncNodes(key, ds, remove, createOn, hash);
  };

  const rollingUpdate = async (key: string, ds: AnyObject, nodeList: AnyObject[], hash: string, nowMs: number): Promise<void> => {
    const byNode = await nodesToDaemonPods(ds);
    const eligible = new Map<string, AnyObject[]>();
    const nodesByName = new Map(nodeList.map((n) => [n.metadata.name!, n]));
    for (const node of nodeList) {
      if (nodeShouldRunDaemonPod(node, ds).shouldRun) eligible.set(node.metadata.name!, byNode.get(node.metadata.name!) ?? []);
    }
    const desired = eligible.size;
    for (const [nodeName, list] of byNode) if (!eligible.has(nodeName)) eligible.set(nodeName, list);
    const plan = planRollingUpdate(ds, eligible, desired, hash, nowMs, (name) => {
      const node = nodesByName.get(name);
      return !!node && nodeShouldRunDaemonPod(node, ds).shouldRun;
    });
    const podsByName = new Map([...byNode.values()].flat().map((p) => [p.metadata.name!, p]));
    await syncNodes(key, ds, plan.podsToDelete.map((n) => podsByName.get(n)!), plan.nodesToSurge, hash);
  };

  /** Pods of revisions found to duplicate the current one take its hash, so they count as up to date. */
  const relabel = async (ds: AnyObject, hashes: string[], hash: string): Promise<void> => {
    if (!hashes.length) return;
    for (const pod of pods.store.byIndex(namespaceIndex, ds.metadata.namespace!)) {
      if (!hashes.includes(pod.metadata.labels?.[DAEMON_SET_REVISION_LABEL] ?? '')) continue;
      await client.patch(PODS, pod.metadata.name!, 'strategic', { metadata: { labels: { [DAEMON_SET_REVISION_LABEL]: hash } } }, { namespace: pod.metadata.namespace });
    }
  };

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const ds = daemonSets.store.get(key);
    if (!ds) {
      expectations.forget(key);
      return;
    }
    const selector = selectors.get(ds);
    if (!selector) {
      log.error('DaemonSet has an invalid selector', { controller: 'daemonset', key });
      return;
    }
    if (selector.empty()) {
      recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const nodeList = nodes.store.list();
    const { current, old, duplicateHashes, collisionCount } = await constructHistory(history, ds, selector);
    const hash = revisionHash(current);
    await relabel(ds, duplicateHashes, hash);
    const observe = expectations.satisfied(key);
    if (observe) {
      const nowMs = Date.now();
      const byNode = await nodesToDaemonPods(ds);
      await manage(key, ds, nodeList, byNode, hash, nowMs);
      // Replacing pods waits until the pods just created or deleted have been seen.
      if (expectations.satisfied(key) && ds.spec.updateStrategy?.type === 'RollingUpdate') await rollingUpdate(key, ds, nodeList, hash, nowMs);
      const live = new Set([...byNode.values()].flat().map((p) => p.metadata.labels?.[DAEMON_SET_REVISION_LABEL]));
      await cleanupHistory(history, ds, old, (r) => live.has(revisionHash(r)));
    }
    const byNode = await nodesToDaemonPods(ds);
    const { status, nextAvailableInMs } = calculateStatus(ds, nodeList, (n) => nodeShouldRunDaemonPod(n, ds), byNode, hash);
    await updateDaemonSetStatus(client, ds, status, collisionCount, observe);
    // A ready pod becomes available once minReadySeconds have passed; nothing else would wake us then.
    if (nextAvailableInMs !== undefined) return { requeueAfter: nextAvailableInMs };
  };
}

export const daemonSetController: ControllerDescriptor = {
  name: 'daemonset-controller', aliases: ['daemonset'], enabledByDefault: true,
  create(ctx) {
    const daemonSets = ctx.informers.for<AnyObject>(DAEMON_SETS);
    const pods = ctx.informers.for<AnyObject>(PODS);
    const nodes = ctx.informers.for<AnyObject>(NODES);
    const revisions = ctx.informers.for<AnyObject>(CONTROLLER_REVISIONS);
    const queue = new WorkQueue<string>();
    const expectations = new ControllerExpectations();
    const selectors = new SelectorCache<AnyObject>((ds) => tryLabelSelectorFromObject(ds.spec?.selector));
    selectors.forgetDeleted(daemonSets);
    const recorder = ctx.recorder('daemonset-controller');

    /** The DaemonSet a controller reference names, if the cache has that very object. */
    const resolve = (namespace: string | undefined, ref: OwnerReference | undefined): AnyObject | undefined => {
      if (ref?.kind !== 'DaemonSet') return undefined;
      const ds = daemonSets.store.get(`${namespace}/${ref.name}`);
      return ds?.metadata.uid === ref.uid ? ds : undefined;
    };
    /** DaemonSets whose selector takes an orphan (pod or revision): they may adopt it. */
    const selecting = (obj: AnyObject): AnyObject[] => daemonSets.store.byIndex(namespaceIndex, obj.metadata.namespace!).filter((ds) => {
      const selector = selectors.get(ds);
      return selector && !selector.empty() && selector.matches(obj.metadata.labels);
    });
    const enqueue = (ds: AnyObject | undefined) => ds && queue.add(objectKey(ds));
    /** An owned object's DaemonSet, or for an orphan every DaemonSet that could adopt it. */
    const enqueueOwners = (obj: AnyObject) => {
      const ref = getControllerOf(obj);
      if (ref) enqueue(resolve(obj.metadata.namespace, ref));
      else selecting(obj).forEach(enqueue);
    };

    daemonSets.addEventHandler({
      onAdd: enqueue,
      onUpdate: (old, ds) => {
        if (old.metadata.uid !== ds.metadata.uid) expectations.forget(objectKey(old));
        enqueue(ds);
      },
      onDelete: (ds) => {
        expectations.forget(objectKey(ds));
        enqueue(ds);
      },
    });

    const podDeleted = (pod: AnyObject) => {
      const ds = resolve(pod.metadata.namespace, getControllerOf(pod));
      if (!ds) return;
      expectations.deletionObserved(objectKey(ds), objectKey(pod));
      enqueue(ds);
    };
    pods.addEventHandler({
      onAdd: (pod) => {
        if (pod.metadata.deletionTimestamp) return podDeleted(pod);
        const ds = resolve(pod.metadata.namespace, getControllerOf(pod));
        if (ds) {
          expectations.creationObserved(objectKey(ds));
          enqueue(ds);
          return;
        }
        if (!getControllerOf(pod)) selecting(pod).forEach(enqueue);
      },
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        if (pod.metadata.deletionTimestamp) return podDeleted(pod);
        const oldRef = getControllerOf(old);
        if (oldRef && !deepEqual(oldRef, getControllerOf(pod))) enqueue(resolve(old.metadata.namespace, oldRef));
        enqueueOwners(pod);
        // A pod just Ready becomes available minReadySeconds later, which no event announces (a surge waits on it).
        const ds = resolve(pod.metadata.namespace, getControllerOf(pod));
        const minReady = ds?.spec.minReadySeconds ?? 0;
        if (ds && minReady > 0 && !isPodReady(old) && isPodReady(pod)) queue.addAfter(objectKey(ds), minReady * 1000 + 1);
      },
      onDelete: podDeleted,
    });

    revisions.addEventHandler({ onAdd: enqueueOwners, onUpdate: (_old, rev) => enqueueOwners(rev), onDelete: enqueueOwners });

    // A node joining, leaving or changing its labels or taints changes which DaemonSets should run there.
    const verdictOf = (node: AnyObject, ds: AnyObject) => JSON.stringify(nodeShouldRunDaemonPod(node, ds));
    nodes.addEventHandler({
      onAdd: (node) => daemonSets.store.list().filter((ds) => nodeShouldRunDaemonPod(node, ds).shouldRun).forEach(enqueue),
      onUpdate: (old, node) => {
        if (!eligibilityChanged(old, node)) return;
        daemonSets.store.list().filter((ds) => verdictOf(old, ds) !== verdictOf(node, ds)).forEach(enqueue);
      },
      onDelete: () => daemonSets.store.list().forEach(enqueue),
    });

    return [{
      name: 'daemonset', queue, workers: workersFor(ctx, 'daemonset', 2),
      reconcile: daemonSetReconciler({
        client: ctx.client, daemonSets, pods, nodes, expectations, recorder, selectors,
        history: new RevisionHistory(ctx.client, revisions, DAEMON_SET_KIND),
        podControl: new PodControl(ctx.client, recorder),
        stopping: () => queue.isShuttingDown,
      }),
    }];
  },
};
