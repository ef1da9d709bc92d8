import test from 'ava';
import { rfc3339 } from '../../api/time.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { EVENTS, PODS, REPLICA_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { SharedInformers } from '../../client/shared-informers.js';
import { CONTROLLER_MANAGER_DEFAULTS, type ControllerContext } from '../../controllers/controller.js';
import { runControllerManager } from '../../controllers/controller-manager.js';
import { replicaSetController } from '../../controllers/replicaset/replicaset-controller.js';
import { adminClient, startCluster, type TestCluster, podNamespace } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';

let cluster: TestCluster;
let client: RestClient;
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['replicaset'] } });
  client = adminClient(cluster);
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

const namespace = (name: string) => podNamespace(client, name);

function replicaSet(ns: string, name: string, replicas: number, spec: Record<string, unknown> = {}): AnyObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: ns },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
      ...spec,
    },
  };
}

const isActive = (p: AnyObject) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
const controlledBy = (p: AnyObject, rs: AnyObject) => p.metadata.ownerReferences?.some((r) => r.controller && r.uid === rs.metadata.uid);

async function ownedPods(rs: AnyObject): Promise<AnyObject[]> {
  const pods = await client.list(PODS, { namespace: rs.metadata.namespace });
  return pods.items.filter((p) => controlledBy(p, rs) && isActive(p));
}

async function events(ns: string, name: string, reason: string, via = client): Promise<AnyObject[]> {
  const list = await via.list(EVENTS, { namespace: ns });
  return list.items.filter((e) => e.involvedObject?.name === name && e.reason === reason);
}

const scale = (rs: AnyObject, replicas: number) =>
  client.patch(REPLICA_SETS, rs.metadata.name!, 'merge', { spec: { replicas } }, { namespace: rs.metadata.namespace });

/** Acts as the scheduler and the kubelet for one pod: binds it to a node and reports it Running, Ready or not. */
async function runPod(pod: AnyObject, ready: boolean, node = 'node-a'): Promise<void> {
  const { name, namespace } = pod.metadata;
  await client.create(PODS, { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node } } as AnyObject, { subresource: 'binding' });
  const bound = await client.get(PODS, name!, { namespace });
  const at = rfc3339(Date.now());
  const conditions = (bound.status?.conditions ?? []).filter((c: AnyObject) => c.type !== 'Ready');
  conditions.push({ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at });
  await client.updateStatus(PODS, { ...bound, status: { ...bound.status, phase: 'Running', podIP: '10.0.0.1', conditions } });
}

test('scales up and down to spec.replicas with kube\'s pods, status and events', async (t) => {
  const ns = await namespace('rs-scale');
  const rs = await client.create(REPLICA_SETS, replicaSet(ns, 'web', 3));
  const pods = await eventually('three pods', async () => {
    const owned = await ownedPods(rs);
    return owned.length === 3 ? owned : undefined;
  });
  for (const pod of pods) {
    t.true(pod.metadata.name!.startsWith('web-'));
    t.is(pod.metadata.generateName, 'web-');
    t.deepEqual(pod.metadata.labels, { app: 'web', tier: 'web' });
    t.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    t.is(pod.spec.containers[0].image, 'nginx:1.27');
  }
  const status = await eventually('status of three replicas', async () => {
    const current = await client.get(REPLICA_SETS, 'web', { namespace: ns });
    return current.status?.replicas === 3 && current.status.fullyLabeledReplicas === 3 ? current.status : undefined;
  });
  t.is(status.observedGeneration, rs.metadata.generation);
  t.is(status.readyReplicas, undefined);
  const created = await eventually('three SuccessfulCreate events', async () => {
    const list = await events(ns, 'web', 'SuccessfulCreate');
    return list.length === 3 ? list : undefined;
  });
  t.deepEqual(created.map((e) => e.message).sort(), pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
  t.is(created[0].source.component, 'replicaset-controller');
  t.is(created[0].type, 'Normal');
  t.is(created[0].involvedObject.kind, 'ReplicaSet');

  await scale(rs, 1);
  const left = await eventually('one pod left', async () => {
    const owned = await ownedPods(rs);
    return owned.length === 1 ? owned : undefined;
  });
  const deleted = await eventually('two SuccessfulDelete events', async () => {
    const list = await events(ns, 'web', 'SuccessfulDelete');
    return list.length === 2 ? list : undefined;
  });
  const deletedNames = pods.map((p) => p.metadata.name).filter((n) => n !== left[0].metadata.name);
  t.deepEqual(deleted.map((e) => e.message).sort(), deletedNames.map((n) => `Deleted pod: ${n}`).sort());
  const after = await eventually('status of one replica at generation 2', async () => {
    const current = await client.get(REPLICA_SETS, 'web', { namespace: ns });
    return current.status?.replicas === 1 && current.status.observedGeneration === 2 ? current : undefined;
  });
  t.is(after.metadata.generation, 2);

  // A pod deleted by someone else is replaced.
  await client.delete(PODS, left[0].metadata.name!, { namespace: ns });
  const replaced = await eventually('a replacement pod', async () => {
    const owned = await ownedPods(rs);
    return owned.length === 1 && owned[0].metadata.name !== left[0].metadata.name ? owned[0] : undefined;
  });
  t.truthy(replaced);
});

test('adopts matching orphans, releases pods whose labels stop matching, and adopts nothing while being deleted', async (t) => {
  const ns = await namespace('rs-adopt');
  const orphan: AnyObject = await client.create(PODS, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: ns, labels: { app: 'web', extra: 'yes' } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
  });
  const rs = await client.create(REPLICA_SETS, replicaSet(ns, 'web', 2));
  const adopted = await eventually('the orphan adopted', async () => {
    const pod = await client.get(PODS, 'orphan', { namespace: ns });
    return pod.metadata.ownerReferences?.length ? pod : undefined;
  });
  t.deepEqual(adopted.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  t.is(adopted.metadata.uid, orphan.metadata.uid);
  await eventually('two replicas, the orphan one of them', async () => {
    const owned = await ownedPods(rs);
    return owned.length === 2 && owned.some((p) => p.metadata.name === 'orphan');
  });
  const status = await eventually('status counts the adopted pod', async () => {
    const current = await client.get(REPLICA_SETS, 'web', { namespace: ns });
    return current.status?.replicas === 2 ? current.status : undefined;
  });
  // The orphan lacks the template's tier label: it matches the selector but is not fully labeled.
  t.is(status.fullyLabeledReplicas, 1);
  await eventually('one SuccessfulCreate event', async () => (await events(ns, 'web', 'SuccessfulCreate')).length === 1);

  await client.patch(PODS, 'orphan', 'merge', { metadata: { labels: { app: 'elsewhere' } } }, { namespace: ns });
  const released = await eventually('the relabelled pod released', async () => {
    const pod = await client.get(PODS, 'orphan', { namespace: ns });
    return pod.metadata.ownerReferences === undefined || pod.metadata.ownerReferences.length === 0 ? pod : undefined;
  });
  t.is(released.metadata.labels?.app, 'elsewhere');
  await eventually('a replacement for the released pod', async () => (await ownedPods(rs)).length === 2 && (await ownedPods(rs)).every((p) => p.metadata.name !== 'orphan'));

  // A ReplicaSet held by a finalizer while being deleted neither adopts nor creates.
  const held = await client.create(REPLICA_SETS, { ...replicaSet(ns, 'held', 1), metadata: { name: 'held', namespace: ns, finalizers: ['example.com/hold'] } });
  await eventually('the held ReplicaSet\'s pod', async () => (await ownedPods(held)).length === 1);
  await client.delete(REPLICA_SETS, 'held', { namespace: ns });
  const [heldPod] = await ownedPods(held);
  await client.delete(PODS, heldPod.metadata.name!, { namespace: ns });
  await client.create(PODS, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: ns, labels: { app: 'held' } },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
  });
  await new Promise((r) => setTimeout(r, 1500));
  t.deepEqual((await client.get(PODS, 'stray', { namespace: ns })).metadata.ownerReferences, undefined);
  t.is((await ownedPods(held)).length, 0, 'a ReplicaSet being deleted creates no pods');
  await client.patch(REPLICA_SETS, 'held', 'merge', { metadata: { finalizers: null } }, { namespace: ns });
});

test('scale-down deletes unscheduled pods first, then not-ready ones, keeping the ready', async (t) => {
  const ns = await namespace('rs-rank');
  const rs = await client.create(REPLICA_SETS, replicaSet(ns, 'web', 5));
  const pods = await eventually('five pods', async () => {
    const owned = await ownedPods(rs);
    return owned.length === 5 ? owned : undefined;
  });
  const [unscheduled, notReady1, notReady2, ready1, ready2] = pods.map((p) => p.metadata.name as string);
  await runPod(pods[1], false);
  await runPod(pods[2], false);
  await runPod(pods[3], true, 'node-a');
  await runPod(pods[4], true, 'node-b');
  await eventually('two ready replicas', async () => (await client.get(REPLICA_SETS, 'web', { namespace: ns })).status?.readyReplicas === 2);

  await scale(rs, 3);
  const afterFirst = await eventually('three pods left', async () => {
    const owned = await ownedPods(rs);
    return owned.length === 3 ? owned.map((p) => p.metadata.name as string) : undefined;
  });
  t.false(afterFirst.includes(unscheduled), 'the unscheduled pod goes first');
  t.true(afterFirst.includes(ready1) && afterFirst.includes(ready2));
  t.is(afterFirst.filter((n) => n === notReady1 || n === notReady2).length, 1, 'then one of the not-ready pods');

  await scale(rs, 2);
  const afterSecond = await eventually('two pods left', async () => {
    const owned = await ownedPods(rs);
    return owned.length === 2 ? owned.map((p) => p.metadata.name as string) : undefined;
  });
  t.deepEqual(afterSecond.sort(), [ready1, ready2].sort());
  // Bound pods terminate gracefully: they wait for their kubelet with a deletionTimestamp.
  const terminating = await client.get(PODS, afterFirst.find((n) => n === notReady1 || n === notReady2)!, { namespace: ns });
  t.truthy(terminating.metadata.deletionTimestamp);
  const status = await eventually('status of two ready replicas', async () => {
    const current = await client.get(REPLICA_SETS, 'web', { namespace: ns });
    return current.status?.replicas === 2 ? current.status : undefined;
  });
  t.is(status.readyReplicas, 2);
  t.is(status.availableReplicas, 2);
});

test('creating a burst of 50 replicas never makes more than 50 pods', async (t) => {
  const ns = await namespace('rs-burst');
  const rs = await client.create(REPLICA_SETS, replicaSet(ns, 'web', 50));
  const watcher = new Informer(client, PODS, { namespace: ns });
  let most = 0;
  const count = () => {
    most = Math.max(most, watcher.store.list().filter((p) => controlledBy(p, rs) && isActive(p)).length);
  };
  watcher.addEventHandler({ onAdd: count, onUpdate: count, onDelete: count });
  watcher.start();
  try {
    await eventually('fifty replicas in status', async () => (await client.get(REPLICA_SETS, 'web', { namespace: ns })).status?.replicas === 50, 60_000);
    // Let any stray second round of creates show up.
    await new Promise((r) => setTimeout(r, 2000));
    t.is(most, 50);
    t.is((await ownedPods(rs)).length, 50);
    const all = await client.list(PODS, { namespace: ns });
    t.is(all.items.length, 50);
  } finally {
    await watcher.stop();
  }
});

test('availableReplicas waits minReadySeconds after Ready', async (t) => {
  const ns = await namespace('rs-available');
  const rs = await client.create(REPLICA_SETS, replicaSet(ns, 'web', 2, { minReadySeconds: 3 }));
  const pods = await eventually('two pods', async () => {
    const owned = await ownedPods(rs);
    return owned.length === 2 ? owned : undefined;
  });
  await Promise.all(pods.map((pod) => runPod(pod, true)));
  const readySince = (await ownedPods(rs)).map((p) => Date.parse(p.status.conditions.find((c: AnyObject) => c.type === 'Ready').lastTransitionTime));
  // Every status seen counts as available only pods Ready for more than minReadySeconds by then.
  let samples = 0;
  const early: string[] = [];
  await eventually('two available replicas', async () => {
    const status = (await client.get(REPLICA_SETS, 'web', { namespace: ns })).status;
    const seenAt = Date.now();
    samples++;
    const due = readySince.filter((since) => since + 3000 < seenAt).length;
    if ((status?.availableReplicas ?? 0) > due) early.push(`${status.availableReplicas} available ${seenAt - Math.min(...readySince)} ms after Ready`);
    return status?.readyReplicas === 2 && status.availableReplicas === 2;
  }, 10_000);
  t.deepEqual(early, []);
  t.true(samples > 1, 'statuses were seen before availability');
});

test('a pod the API server refuses sets ReplicaFailure and a FailedCreate event until creation works', async (t) => {
  const ns = await namespace('rs-failure');
  const broken = replicaSet(ns, 'web', 2);
  // A pod's image may not have surrounding whitespace; a template's may, so only the pod create fails.
  broken.spec.template.spec.containers[0].image = ' nginx:1.27';
  await client.create(REPLICA_SETS, broken);
  const condition = await eventually('a ReplicaFailure condition', async () => {
    const current = await client.get(REPLICA_SETS, 'web', { namespace: ns });
    return current.status?.conditions?.find((c: AnyObject) => c.type === 'ReplicaFailure');
  });
  t.is(condition.status, 'True');
  t.is(condition.reason, 'FailedCreate');
  t.regex(condition.message, /must not have leading or trailing whitespace/);
  const failed = await eventually('a FailedCreate event', async () => {
    const list = await events(ns, 'web', 'FailedCreate');
    return list.length ? list[0] : undefined;
  });
  t.is(failed.type, 'Warning');
  t.true(failed.message.startsWith('Error creating: '));
  t.is(failed.message, `Error creating: ${condition.message}`);
  // Slow start: the first batch is one pod, and its failure stops the rest.
  t.is((await client.list(PODS, { namespace: ns })).items.length, 0);

  await client.patch(REPLICA_SETS, 'web', 'json', [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' }], { namespace: ns });
  await eventually('the condition cleared with two replicas', async () => {
    const current = await client.get(REPLICA_SETS, 'web', { namespace: ns });
    return current.status?.replicas === 2 && !current.status.conditions;
  }, 30_000);
  t.pass();
});

test('a sync on a stale pod cache neither creates nor deletes again; creation starts with a single pod and stops with the controller', async (t) => {
  // A cluster of its own, with the controller driven by hand: its pod informer is stopped after
  // syncing, standing for a watch that has not delivered the controller's own writes yet.
  const quiet = await startCluster();
  const admin = adminClient(quiet);
  const informers = new SharedInformers(admin);
  const fresh = new SharedInformers(admin);
  const recorders: EventRecorder[] = [];
  const ctx: ControllerContext = {
    client: admin, informers, options: CONTROLLER_MANAGER_DEFAULTS,
    recorder(component) {
      const recorder = new EventRecorder(admin, { component });
      recorders.push(recorder);
      return recorder;
    },
  };
  try {
    const [controller] = await replicaSetController.create(ctx);
    informers.start();
    await informers.waitForSync();
    await informers.for(PODS).stop();
    await admin.create(REPLICA_SETS, replicaSet('default', 'web', 3));
    await eventually('the ReplicaSet in the cache', () => informers.for(REPLICA_SETS).store.has('default/web'));
    const podCount = async () => (await admin.list(PODS, { namespace: 'default' })).items.filter(isActive).length;

    await controller.reconcile('default/web');
    t.is(await podCount(), 3);
    await controller.reconcile('default/web');
    t.is(await podCount(), 3, 'the creates are expected, not repeated');

    // The same for deletes, once a fresh cache has seen the three pods.
    await informers.stop();
    const [again] = await replicaSetController.create({ ...ctx, informers: fresh });
    fresh.start();
    await fresh.waitForSync();
    await fresh.for(PODS).stop();
    await admin.patch(REPLICA_SETS, 'web', 'merge', { spec: { replicas: 1 } }, { namespace: 'default' });
    await eventually('the scale-down in the cache', () => fresh.for<AnyObject>(REPLICA_SETS).store.get('default/web')?.spec.replicas === 1);
    await again.reconcile('default/web');
    t.is(await podCount(), 1);
    await again.reconcile('default/web');
    t.is(await podCount(), 1, 'the deletes are expected, not repeated');

    // Slow start: of five pods the API server refuses, only the first is tried.
    const broken = replicaSet('default', 'broken', 5);
    broken.spec.template.spec.containers[0].image = ' nginx:1.27';
    await admin.create(REPLICA_SETS, broken);
    await eventually('the broken ReplicaSet in the cache', () => fresh.for(REPLICA_SETS).store.has('default/broken'));
    await t.throwsAsync(() => again.reconcile('default/broken'), { message: /must not have leading or trailing whitespace/ });
    const failures = await eventually('a FailedCreate event', async () => {
      const list = await events('default', 'broken', 'FailedCreate', admin);
      return list.length ? list : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    t.is((await events('default', 'broken', 'FailedCreate', admin)).length, 1);
    t.is(failures[0].count, 1);
    await admin.delete(REPLICA_SETS, 'broken', { namespace: 'default' });

    // A controller-manager that stops (its leadership lost) starts no further batch of a large scale-up.
    const leading = new AbortController();
    const running = runControllerManager(admin.config, leading.signal, { controllers: ['replicaset'] });
    const watcher = new Informer(admin, PODS, { namespace: 'default', labelSelector: 'app=big' });
    watcher.addEventHandler({ onAdd: () => { if (watcher.store.size >= 3) leading.abort(); } });
    watcher.start();
    await admin.create(REPLICA_SETS, replicaSet('default', 'big', 500));
    await running;
    await watcher.stop();
    const made = (await admin.list(PODS, { namespace: 'default', labelSelector: 'app=big' })).items.length;
    t.true(made < 500, `creation stopped with the controller (${made} pods)`);
    await new Promise((r) => setTimeout(r, 500));
    t.is((await admin.list(PODS, { namespace: 'default', labelSelector: 'app=big' })).items.length, made);
  } finally {
    await Promise.all([informers.stop(), fresh.stop(), ...recorders.map((r) => r.close())]);
    admin.close();
    await quiet.stop();
  }
});
