import test from 'ava';
import { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { CONTROLLER_REVISIONS, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS, STATEFUL_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { SimulatedNodes } from '../../node-agent/simulator/simulated-nodes.js';
import { adminClient, startCluster, type TestCluster, podNamespace } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { kubectlOk } from '../helpers/kubectl.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';
import { startSimulatedNodes } from '../helpers/simulated-nodes.js';

type Json = Record<string, any>;

// StatefulSet pods run as far as the API shows: the scheduler binds them, the simulated nodes report them Running
// and Ready (a readiness gate holds a pod back until the test says so). Claims bind to volumes the tests create,
// each test with a storage class of its own; pvc-protection lets a deleted claim go once no pod uses it. Every test has its own namespace, so they run side by side.
let cluster: TestCluster;
let client: RestClient;
let nodes: SimulatedNodes;
let scheduler: RunningScheduler;
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['statefulset', 'garbagecollector', 'persistentvolume-binder', 'pvc-protection'] } });
  client = adminClient(cluster);
  nodes = await startSimulatedNodes(cluster, { count: 2, namePrefix: 'sts-node-' });
  scheduler = await startScheduler(cluster);
});
test.after.always(async () => {
  await scheduler?.stop();
  await nodes?.stop();
  client?.close();
  await cluster?.stop();
});

const GATE = 'example.com/ready';

const namespace = (name: string) => podNamespace(client, name);

function statefulSet(ns: string, name: string, spec: Json = {}, podSpec: Json = {}): AnyObject {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: ns },
    spec: {
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.26' }], ...podSpec } },
      ...spec,
    },
  };
}

/** A claim template of 1Gi from `storageClass`, and `count` volumes there for its claims to bind to. */
async function claimTemplate(storageClass: string, count: number): Promise<AnyObject> {
  for (let i = 0; i < count; i++) {
    await client.create(PERSISTENT_VOLUMES, {
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `${storageClass}-${i}` },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: storageClass, nfs: { server: 'nfs.example.com', path: `/exports/${storageClass}-${i}` } },
    });
  }
  return { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: storageClass, resources: { requests: { storage: '1Gi' } } } };
}

const isReady = (p: AnyObject) => p.status?.phase === 'Running' && p.status?.conditions?.some((c: AnyObject) => c.type === 'Ready' && c.status === 'True');
const podNames = (pods: AnyObject[]) => pods.map((p) => p.metadata.name!).sort();

async function pods(ns: string): Promise<AnyObject[]> {
  return (await client.list(PODS, { namespace: ns })).items;
}

/** Waits until the namespace's pods are exactly `names`, all Ready and not terminating (and `extra` holds), and answers them. */
function readyPods(ns: string, names: string[], extra: (pods: AnyObject[]) => boolean = () => true, timeoutMs?: number): Promise<AnyObject[]> {
  return eventually(`ready pods ${names.join(',')}`, async () => {
    const list = await pods(ns);
    const ok = podNames(list).join(',') === [...names].sort().join(',') && list.every((p) => isReady(p) && !p.metadata.deletionTimestamp) && extra(list);
    return ok ? list : undefined;
  }, timeoutMs);
}

/** Meets a pod's readiness gate, as a readiness controller would. */
const markReady = (ns: string, name: string) =>
  client.patch(PODS, name, 'strategic', { status: { conditions: [{ type: GATE, status: 'True' }] } }, { namespace: ns, subresource: 'status' });

interface Deletion {
  name: string;
  /** The other pods there at that moment. */
  others: string[];
  /** Those of them Ready and not terminating. */
  ready: string[];
}

/** Records, in order, the first moment each pod is seen marked for deletion, and which pods existed then. */
async function watchDeletions(ns: string): Promise<{ order: Deletion[]; stop(): void }> {
  const informer = new Informer(client, PODS, { namespace: ns });
  const order: Deletion[] = [];
  const seen = (pod: AnyObject) => {
    if (!pod.metadata.deletionTimestamp || order.some((o) => o.name === pod.metadata.name)) return;
    const others = informer.store.list().filter((p) => p.metadata.name !== pod.metadata.name);
    order.push({ name: pod.metadata.name!, others: podNames(others), ready: podNames(others.filter((p) => isReady(p) && !p.metadata.deletionTimestamp)) });
  };
  informer.addEventHandler({ onAdd: seen, onUpdate: (_old, pod) => seen(pod) });
  informer.start();
  await informer.waitForSync();
  return { order, stop: () => informer.stop() };
}

const getSet = (ns: string, name: string) => client.get(STATEFUL_SETS, name, { namespace: ns });
const rolloutStatus = (ns: string, name: string) => kubectlOk(cluster, ['rollout', 'status', `statefulset/${name}`, '-n', ns, '--timeout=60s']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('OrderedReady makes pod N+1 only once pod N is Ready; each pod has a stable name, hostname and subdomain', async (t) => {
  const ns = await namespace('sts-ordered');
  const created = await client.create(STATEFUL_SETS, statefulSet(ns, 'web', { replicas: 3 }, { readinessGates: [{ conditionType: GATE }] }));
  t.like(created.spec, {
    replicas: 3, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
  });
  for (const [index, name] of ['web-0', 'web-1', 'web-2'].entries()) {
    await eventually(`${name} running`, async () => (await pods(ns)).find((p) => p.metadata.name === name && p.status?.phase === 'Running'));
    // Held back by its gate, the pod stays unready: the next ordinal must not be made meanwhile.
    await sleep(1000);
    t.deepEqual(podNames(await pods(ns)), ['web-0', 'web-1', 'web-2'].slice(0, index + 1), `only up to ${name} while it is not Ready`);
    await markReady(ns, name);
  }
  const list = await readyPods(ns, ['web-0', 'web-1', 'web-2']);
  const set = await eventually('the status', async () => {
    const s = await getSet(ns, 'web');
    return s.status.readyReplicas === 3 && s.status.availableReplicas === 3 ? s : undefined;
  });
  const [revision] = (await client.list(CONTROLLER_REVISIONS, { namespace: ns })).items;
  t.is(revision.revision, 1);
  t.like(set.status, { replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1, currentRevision: revision.metadata.name, updateRevision: revision.metadata.name });
  for (const pod of list) {
    const name = pod.metadata.name!;
    t.is(pod.spec.hostname, name);
    t.is(pod.spec.subdomain, 'web');
    t.deepEqual(pod.metadata.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': name.slice(4), 'controller-revision-hash': revision.metadata.name });
    t.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }
});

test('each pod gets one claim per template, made before it; a deleted pod comes back under its name with the same claim', async (t) => {
  const ns = await namespace('sts-claims');
  await client.create(STATEFUL_SETS, statefulSet(ns, 'db', { replicas: 2, ordinals: { start: 5 }, volumeClaimTemplates: [await claimTemplate('sts-claims', 3)] }));
  const before = await readyPods(ns, ['db-5', 'db-6']);
  const claims = (await client.list(PERSISTENT_VOLUME_CLAIMS, { namespace: ns })).items;
  t.deepEqual(podNames(claims), ['data-db-5', 'data-db-6']);
  for (const claim of claims) {
    t.deepEqual(claim.metadata.labels, { app: 'db' });
    t.is(claim.metadata.ownerReferences, undefined, 'Retain: nobody owns the claims');
  }
  const volumeOf = (pod: AnyObject) => pod.spec.volumes.find((v: AnyObject) => v.name === 'data')?.persistentVolumeClaim?.claimName;
  t.deepEqual(before.map(volumeOf).sort(), ['data-db-5', 'data-db-6']);
  const old = before.find((p) => p.metadata.name === 'db-5')!;
  const claimUid = claims.find((c) => c.metadata.name === 'data-db-5')!.metadata.uid;
  await client.delete(PODS, 'db-5', { namespace: ns });
  const after = await readyPods(ns, ['db-5', 'db-6'], (list) => list.some((p) => p.metadata.name === 'db-5' && p.metadata.uid !== old.metadata.uid));
  t.is(volumeOf(after.find((p) => p.metadata.name === 'db-5')!), 'data-db-5');
  const claim = await client.get(PERSISTENT_VOLUME_CLAIMS, 'data-db-5', { namespace: ns });
  t.is(claim.metadata.uid, claimUid, 'the claim outlived its pod');
  t.is(claim.status.phase, 'Bound');
});

test('OrderedReady scales down from the highest ordinal, one pod at a time, with kubectl scale', async (t) => {
  const ns = await namespace('sts-scale');
  await client.create(STATEFUL_SETS, statefulSet(ns, 'web', { replicas: 3 }));
  await readyPods(ns, ['web-0', 'web-1', 'web-2']);
  const deletions = await watchDeletions(ns);
  try {
    t.regex(await kubectlOk(cluster, ['scale', 'sts/web', '--replicas=1', '-n', ns]), /statefulset.apps\/web scaled/);
    await readyPods(ns, ['web-0']);
    t.deepEqual(deletions.order.map(({ name, others }) => ({ name, others })), [{ name: 'web-2', others: ['web-0', 'web-1'] }, { name: 'web-1', others: ['web-0'] }], 'web-1 goes only once web-2 is gone');
  } finally {
    deletions.stop();
  }
  await eventually('the status after scaling down', async () => (await getSet(ns, 'web')).status.replicas === 1);
  t.regex(await kubectlOk(cluster, ['get', 'sts', '-n', ns]), /^NAME\s+READY\s+AGE\nweb\s+1\/1\s+\S+\n$/);
});

test('Parallel makes and removes every pod at once, without waiting for readiness', async (t) => {
  const ns = await namespace('sts-parallel');
  await client.create(STATEFUL_SETS, statefulSet(ns, 'par', { replicas: 3, podManagementPolicy: 'Parallel' }, { readinessGates: [{ conditionType: GATE }] }));
  // None of them becomes Ready, yet all three are made.
  await eventually('three pods', async () => podNames(await pods(ns)).join(',') === 'par-0,par-1,par-2');
  t.false((await pods(ns)).some(isReady));
  await client.patch(STATEFUL_SETS, 'par', 'merge', { spec: { replicas: 0 } }, { namespace: ns });
  await eventually('all removed', async () => (await pods(ns)).length === 0);
});

test('a rolling update replaces pods from the highest ordinal down and keeps those below the partition', async (t) => {
  const ns = await namespace('sts-rolling');
  await client.create(STATEFUL_SETS, statefulSet(ns, 'web', { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
  await readyPods(ns, ['web-0', 'web-1', 'web-2']);
  const first = (await getSet(ns, 'web')).status.updateRevision;
  const deletions = await watchDeletions(ns);
  try {
    await kubectlOk(cluster, ['set', 'image', 'statefulset/web', 'web=nginx:1.27', '-n', ns]);
    t.regex(await rolloutStatus(ns, 'web'), /partitioned roll out complete: 2 new pods have been updated/);
    const image = (list: AnyObject[], name: string) => list.find((p) => p.metadata.name === name)!.spec.containers[0].image;
    const list = await readyPods(ns, ['web-0', 'web-1', 'web-2'], (l) => image(l, 'web-1') === 'nginx:1.27');
    t.deepEqual(['web-0', 'web-1', 'web-2'].map((n) => image(list, n)), ['nginx:1.26', 'nginx:1.27', 'nginx:1.27']);
    // One at a time (maxUnavailable 1): web-1 goes only once the new web-2 is Ready.
    t.deepEqual(deletions.order.map(({ name, ready }) => ({ name, ready })), [{ name: 'web-2', ready: ['web-0', 'web-1'] }, { name: 'web-1', ready: ['web-0', 'web-2'] }]);
    const set = await getSet(ns, 'web');
    t.like(set.status, { currentRevision: first, currentReplicas: 1, updatedReplicas: 2 });
    t.not(set.status.updateRevision, first);

    await client.patch(STATEFUL_SETS, 'web', 'merge', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }, { namespace: ns });
    await rolloutStatus(ns, 'web');
    await readyPods(ns, ['web-0', 'web-1', 'web-2'], (l) => l.every((p) => p.spec.containers[0].image === 'nginx:1.27'));
    t.deepEqual(deletions.order.map((d) => d.name), ['web-2', 'web-1', 'web-0']);
    const done = await eventually('the update revision current', async () => {
      const s = await getSet(ns, 'web');
      return s.status.currentRevision === s.status.updateRevision ? s : undefined;
    });
    t.like(done.status, { currentReplicas: 3, updatedReplicas: 3 });
  } finally {
    deletions.stop();
  }
});

test('maxUnavailable lets a rolling update replace that many pods at once, still from the highest ordinal', async (t) => {
  const ns = await namespace('sts-max-unavailable');
  await client.create(STATEFUL_SETS, statefulSet(ns, 'web', { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }));
  await readyPods(ns, ['web-0', 'web-1', 'web-2']);
  const deletions = await watchDeletions(ns);
  try {
    await kubectlOk(cluster, ['set', 'image', 'statefulset/web', 'web=nginx:1.27', '-n', ns]);
    await readyPods(ns, ['web-0', 'web-1', 'web-2'], (l) => l.every((p) => p.spec.containers[0].image === 'nginx:1.27'), 30_000);
    // web-2 and web-1 go together, while only web-0 is up; web-0 waits for both to be back.
    t.deepEqual(deletions.order.map(({ name, ready }) => ({ name, ready })), [
      { name: 'web-2', ready: ['web-0', 'web-1'] }, { name: 'web-1', ready: ['web-0'] }, { name: 'web-0', ready: ['web-1', 'web-2'] },
    ]);
  } finally {
    deletions.stop();
  }
});

test('OnDelete replaces no pod itself; a pod deleted by hand comes back at the new revision', async (t) => {
  const ns = await namespace('sts-ondelete');
  const created = await client.create(STATEFUL_SETS, statefulSet(ns, 'web', { replicas: 2, updateStrategy: { type: 'OnDelete' } }));
  t.is(created.spec.updateStrategy.rollingUpdate, undefined);
  await readyPods(ns, ['web-0', 'web-1']);
  await client.patch(STATEFUL_SETS, 'web', 'merge', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } }, { namespace: ns });
  await eventually('the update revision', async () => {
    const s = await getSet(ns, 'web');
    return s.status.observedGeneration === 2 && s.status.updateRevision !== s.status.currentRevision;
  });
  await sleep(1500);
  t.true((await pods(ns)).every((p) => p.spec.containers[0].image === 'nginx:1.26' && !p.metadata.deletionTimestamp));
  await client.delete(PODS, 'web-1', { namespace: ns });
  const list = await readyPods(ns, ['web-0', 'web-1'], (l) => l.some((p) => p.metadata.name === 'web-1' && p.spec.containers[0].image === 'nginx:1.27'));
  t.is(list.find((p) => p.metadata.name === 'web-0')!.spec.containers[0].image, 'nginx:1.26');
  const status = await eventually('the status counts both revisions', async () => {
    const s = (await getSet(ns, 'web')).status;
    return s.updatedReplicas === 1 && s.readyReplicas === 2 ? s : undefined;
  });
  t.is(status.currentReplicas, 1, 'OnDelete never makes the update revision current by itself');
});

test('persistentVolumeClaimRetentionPolicy whenScaled Delete removes the claims of scaled-down pods only', async (t) => {
  const ns = await namespace('sts-retention');
  await client.create(STATEFUL_SETS, statefulSet(ns, 'db', {
    replicas: 2, volumeClaimTemplates: [await claimTemplate('sts-retention', 2)],
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' },
  }));
  await readyPods(ns, ['db-0', 'db-1']);
  const claims = async () => podNames((await client.list(PERSISTENT_VOLUME_CLAIMS, { namespace: ns })).items);
  t.deepEqual(await claims(), ['data-db-0', 'data-db-1']);
  await kubectlOk(cluster, ['scale', 'statefulset/db', '--replicas=1', '-n', ns]);
  await readyPods(ns, ['db-0']);
  await eventually('the scaled-down claim deleted', async () => (await claims()).join(',') === 'data-db-0');
  t.is((await client.get(PERSISTENT_VOLUME_CLAIMS, 'data-db-0', { namespace: ns })).metadata.ownerReferences, undefined);
});

test('persistentVolumeClaimRetentionPolicy whenDeleted Delete removes the claims with the set, and Retain keeps them', async (t) => {
  const ns = await namespace('sts-when-deleted');
  const template = await claimTemplate('sts-when-deleted', 2);
  const made = await client.create(STATEFUL_SETS, statefulSet(ns, 'gone', { volumeClaimTemplates: [template], persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } }));
  await client.create(STATEFUL_SETS, statefulSet(ns, 'kept', { volumeClaimTemplates: [template] }));
  await readyPods(ns, ['gone-0', 'kept-0']);
  const owners = (await client.get(PERSISTENT_VOLUME_CLAIMS, 'data-gone-0', { namespace: ns })).metadata.ownerReferences;
  t.deepEqual(owners, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'gone', uid: made.metadata.uid }]);
  for (const name of ['gone', 'kept']) await client.delete(STATEFUL_SETS, name, { namespace: ns });
  await eventually('the pods gone', async () => (await pods(ns)).length === 0);
  await eventually('only the retained claim left', async () => podNames((await client.list(PERSISTENT_VOLUME_CLAIMS, { namespace: ns })).items).join(',') === 'data-kept-0');
});

test('kubectl get -o wide, rollout status, history and undo', async (t) => {
  const ns = await namespace('sts-kubectl');
  const manifest = JSON.stringify(statefulSet(ns, 'app', { replicas: 2 }));
  t.regex(await kubectlOk(cluster, ['apply', '-f', '-'], manifest), /statefulset.apps\/app created/);
  // A RollingUpdate strategy always has a partition (0 by default), so kubectl reports every rollout as partitioned.
  t.regex(await rolloutStatus(ns, 'app'), /partitioned roll out complete: 2 new pods have been updated\.\.\./);
  const wide = await kubectlOk(cluster, ['get', 'sts', '-o', 'wide', '-n', ns]);
  t.regex(wide, /^NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\napp\s+2\/2\s+\S+\s+web\s+nginx:1.26\n$/);

  await kubectlOk(cluster, ['set', 'image', 'sts/app', 'web=nginx:1.27', '-n', ns]);
  await rolloutStatus(ns, 'app');
  const history = (args: string[] = []) => kubectlOk(cluster, ['rollout', 'history', 'statefulset/app', '-n', ns, ...args]);
  t.regex(await history(), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
  t.regex(await history(['--revision=1']), /Image:\s+nginx:1.26/);

  t.regex(await kubectlOk(cluster, ['rollout', 'undo', 'statefulset/app', '-n', ns]), /statefulset.apps\/app rolled back/);
  await rolloutStatus(ns, 'app');
  await readyPods(ns, ['app-0', 'app-1'], (l) => l.every((p) => p.spec.containers[0].image === 'nginx:1.26'));
  // Revision 1's template came back: it is renumbered the newest, not copied.
  t.regex(await history(), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
});
