import test from 'ava';
import { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';

type Json = Record<string, any>;
import { CONTROLLER_REVISIONS, DAEMON_SETS, NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { SimulatedNodes } from '../../node-agent/simulator/simulated-nodes.js';
import { adminClient, startCluster, type TestCluster, podNamespace } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';
import { startSimulatedNodes } from '../helpers/simulated-nodes.js';

// Daemon pods run as far as the API shows: the scheduler binds them, the simulated nodes report them
// Running and Ready. Tests add and remove nodes, so they run one at a time.
let cluster: TestCluster;
let client: RestClient;
let nodes: SimulatedNodes;
let scheduler: RunningScheduler;
const NODE_NAMES = ['ds-node-0', 'ds-node-1', 'ds-node-2'];
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['daemonset', 'podgc'], podGcPeriodMs: 500, podGcQuarantineMs: 500 } });
  client = adminClient(cluster);
  nodes = await startSimulatedNodes(cluster, { count: 3, namePrefix: 'ds-node-' });
  scheduler = await startScheduler(cluster);
});
test.after.always(async () => {
  await scheduler?.stop();
  await nodes?.stop();
  client?.close();
  await cluster?.stop();
});

const namespace = (name: string) => podNamespace(client, name);

function daemonSet(ns: string, name: string, spec: Json = {}, podSpec: Json = {}): AnyObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'fluentd:1.16' }], ...podSpec } },
      ...spec,
    },
  };
}

const isActive = (p: AnyObject) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
const isReady = (p: AnyObject) => p.status?.conditions?.some((c: AnyObject) => c.type === 'Ready' && c.status === 'True');

async function activePods(ns: string): Promise<AnyObject[]> {
  return (await client.list(PODS, { namespace: ns })).items.filter(isActive);
}

/** Waits until the namespace's active pods are exactly one Ready pod on each of `nodeNames`, and answers them. */
function runningOn(ns: string, nodeNames: string[], extra: (pods: AnyObject[]) => boolean = () => true, timeoutMs?: number): Promise<AnyObject[]> {
  const wanted = [...nodeNames].sort().join(',');
  return eventually(`daemon pods on ${wanted}`, async () => {
    const pods = await activePods(ns);
    const on = pods.map((p) => p.spec.nodeName ?? '-').sort().join(',');
    return on === wanted && pods.every(isReady) && extra(pods) ? pods : undefined;
  }, timeoutMs);
}

const rolloutStatus = (ns: string, name: string) => kubectlOk(cluster, ['rollout', 'status', `daemonset/${name}`, '-n', ns, '--timeout=60s']);

/** A live view of a namespace's pods, with a check run after every change. */
async function watchPods(ns: string, check: (items: AnyObject[]) => void): Promise<Informer> {
  const informer = new Informer(client, PODS, { namespace: ns });
  const run = () => check(informer.store.list());
  informer.addEventHandler({ onAdd: run, onUpdate: run, onDelete: run });
  informer.start();
  await informer.waitForSync();
  return informer;
}

test.serial('a DaemonSet runs one pinned pod per node and follows nodes as they join and leave', async (t) => {
  const ns = await namespace('ds-follow');
  const created = await client.create(DAEMON_SETS, daemonSet(ns, 'agent'));
  t.like(created.spec, { revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } });
  const pods = await runningOn(ns, NODE_NAMES);
  for (const pod of pods) {
    t.true(pod.metadata.name!.startsWith('agent-'));
    t.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    t.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution,
      { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec.nodeName] }] }] });
    const tolerations = pod.spec.tolerations.map((x: AnyObject) => `${x.key}:${x.operator}:${x.effect}`);
    for (const want of ['node.kubernetes.io/not-ready:Exists:NoExecute', 'node.kubernetes.io/unreachable:Exists:NoExecute',
      'node.kubernetes.io/disk-pressure:Exists:NoSchedule', 'node.kubernetes.io/memory-pressure:Exists:NoSchedule',
      'node.kubernetes.io/pid-pressure:Exists:NoSchedule', 'node.kubernetes.io/unschedulable:Exists:NoSchedule']) t.true(tolerations.includes(want), want);
    t.false(tolerations.includes('node.kubernetes.io/network-unavailable:Exists:NoSchedule'), 'only host-network pods tolerate a node without its pod network');
  }
  const [revision] = (await client.list(CONTROLLER_REVISIONS, { namespace: ns })).items;
  const hash = revision.metadata.labels!['controller.kubernetes.io/hash'];
  t.is(revision.metadata.name, `agent-${hash}`);
  t.is(revision.revision, 1);
  t.true(pods.every((p) => p.metadata.labels!['controller-revision-hash'] === hash));
  const ds = await eventually('the status', async () => {
    const d = await client.get(DAEMON_SETS, 'agent', { namespace: ns });
    return d.status.numberAvailable === 3 && d.status.observedGeneration === d.metadata.generation ? d : undefined;
  });
  t.deepEqual(ds.status, {
    currentNumberScheduled: 3, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 3,
    observedGeneration: 1, updatedNumberScheduled: 3, numberAvailable: 3,
  });

  const more = await startSimulatedNodes(cluster, { count: 2, namePrefix: 'ds-extra-' });
  try {
    await runningOn(ns, [...NODE_NAMES, 'ds-extra-0', 'ds-extra-1']);
    const grown = await eventually('the status counts the new nodes', async () => {
      const d = await client.get(DAEMON_SETS, 'agent', { namespace: ns });
      return d.status.desiredNumberScheduled === 5 ? d : undefined;
    });
    t.like(grown.status, { desiredNumberScheduled: 5 });
  } finally {
    await more.stop();
  }
  // The nodes are deleted: their pods go (pod GC removes pods bound to nodes that no longer exist), and none is made again.
  await runningOn(ns, NODE_NAMES);
  await eventually('the status after nodes left', async () => {
    const d = await client.get(DAEMON_SETS, 'agent', { namespace: ns });
    return d.status.desiredNumberScheduled === 3 && d.status.currentNumberScheduled === 3 ? d : undefined;
  });
});

test.serial('nodeSelector, taints and tolerations decide the nodes; pods leave nodes that stop matching', async (t) => {
  const ns = await namespace('ds-select');
  const label = (node: string, value: string) => client.patch(NODES, node, 'strategic', { metadata: { labels: { 'example.com/logging': value } } });
  await label('ds-node-0', 'on');
  await label('ds-node-1', 'on');
  await client.create(DAEMON_SETS, daemonSet(ns, 'picky', {}, { nodeSelector: { 'example.com/logging': 'on' } }));
  await runningOn(ns, ['ds-node-0', 'ds-node-1']);
  await eventually('the printed counts', async () => /picky\s+2\s+2\s+2\s+2\s+2\s+example.com\/logging=on\s+/.test(await kubectlOk(cluster, ['get', 'ds', 'picky', '-n', ns])));

  await label('ds-node-1', 'off');
  await runningOn(ns, ['ds-node-0']);

  // A NoSchedule taint keeps new daemon pods off; a NoExecute one evicts them (the DaemonSet itself deletes its pod).
  const taint = (node: string, taints: Json[]) => client.patch(NODES, node, 'merge', { spec: { taints } });
  await taint('ds-node-2', [{ key: 'example.com/dedicated', value: 'db', effect: 'NoSchedule' }]);
  await taint('ds-node-0', [{ key: 'example.com/drain', effect: 'NoExecute' }]);
  try {
    await client.create(DAEMON_SETS, daemonSet(ns, 'plain'));
    await client.create(DAEMON_SETS, daemonSet(ns, 'tolerant', {}, { tolerations: [{ key: 'example.com/dedicated', operator: 'Exists', effect: 'NoSchedule' }] }));
    const byApp = async (app: string) => (await activePods(ns)).filter((p) => p.metadata.labels?.app === app && isReady(p)).map((p) => p.spec.nodeName).sort();
    await eventually('plain on node 1, tolerant on nodes 1 and 2, picky on none', async () => {
      const [plain, tolerant, picky] = [await byApp('plain'), await byApp('tolerant'), await byApp('picky')];
      return plain.join() === 'ds-node-1' && tolerant.join() === 'ds-node-1,ds-node-2' && picky.length === 0;
    });
    const status = (await client.get(DAEMON_SETS, 'tolerant', { namespace: ns })).status;
    t.like(status, { desiredNumberScheduled: 2, numberMisscheduled: 0 });

    // A cordoned node and one under memory pressure still take daemon pods: every daemon pod tolerates both.
    await taint('ds-node-0', [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }]);
    await kubectlOk(cluster, ['cordon', 'ds-node-0']);
    await eventually('plain back on node 0', async () => (await byApp('plain')).join() === 'ds-node-0,ds-node-1');
  } finally {
    await kubectlOk(cluster, ['uncordon', 'ds-node-0']);
    await taint('ds-node-0', []);
    await taint('ds-node-2', []);
    await label('ds-node-0', 'off');
  }
});

test.serial('daemon pods stay on a node that goes not-ready, and land on it when they tolerate it', async (t) => {
  const ns = await namespace('ds-not-ready');
  await client.create(DAEMON_SETS, daemonSet(ns, 'stay'));
  const before = await runningOn(ns, NODE_NAMES);
  await nodes.setReady('ds-node-2', false);
  // What the node lifecycle controller puts on such a node; every daemon pod tolerates the NoExecute one.
  await client.patch(NODES, 'ds-node-2', 'merge', { spec: { taints: [
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
  ] } });
  try {
    await client.create(DAEMON_SETS, daemonSet(ns, 'early', {}, { tolerations: [{ operator: 'Exists' }] }));
    const early = await eventually('a pod of early on the not-ready node', async () =>
      (await activePods(ns)).find((p) => p.metadata.labels?.app === 'early' && p.spec.nodeName === 'ds-node-2'));
    t.truthy(early);
    await new Promise((r) => setTimeout(r, 1000));
    const stay = (await activePods(ns)).filter((p) => p.metadata.labels?.app === 'stay');
    t.deepEqual(stay.map((p) => p.metadata.uid).sort(), before.map((p) => p.metadata.uid).sort(), 'no daemon pod was deleted or added');
    t.like((await client.get(DAEMON_SETS, 'stay', { namespace: ns })).status, { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 1 });
  } finally {
    await client.patch(NODES, 'ds-node-2', 'merge', { spec: { taints: [] } });
    await nodes.setReady('ds-node-2', true);
  }
});

test.serial('a rolling update keeps within maxUnavailable', async (t) => {
  const ns = await namespace('ds-rolling');
  await client.create(DAEMON_SETS, daemonSet(ns, 'roll', { minReadySeconds: 1 }));
  t.regex(await rolloutStatus(ns, 'roll'), /daemon set "roll" successfully rolled out/);
  let fewestAvailable = Infinity;
  let most = 0;
  const watch = await watchPods(ns, (list) => {
    const active = list.filter(isActive);
    fewestAvailable = Math.min(fewestAvailable, active.filter(isReady).length);
    most = Math.max(most, list.length);
  });
  try {
    await kubectlOk(cluster, ['set', 'image', 'daemonset/roll', 'agent=fluentd:1.17', '-n', ns]);
    t.regex(await rolloutStatus(ns, 'roll'), /daemon set "roll" successfully rolled out/);
  } finally {
    await watch.stop();
  }
  const pods = await runningOn(ns, NODE_NAMES);
  t.true(pods.every((p) => p.spec.containers[0].image === 'fluentd:1.17'));
  t.true(fewestAvailable >= 2, `never more than one node without its pod (saw ${fewestAvailable} ready)`);
  t.true(most <= 3, `no node ran two pods at once (saw ${most} pods)`);
  t.like((await client.get(DAEMON_SETS, 'roll', { namespace: ns })).status, { updatedNumberScheduled: 3, numberAvailable: 3, observedGeneration: 2 });
});

test.serial('with maxSurge the new pod starts beside the old one, which goes once the new one is available', async (t) => {
  const ns = await namespace('ds-surge');
  await client.create(DAEMON_SETS, daemonSet(ns, 'surge', { minReadySeconds: 1, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
  await rolloutStatus(ns, 'surge');
  let fewestReady = Infinity;
  let mostOnOneNode = 0;
  let mostNew = 0;
  const watch = await watchPods(ns, (list) => {
    const active = list.filter(isActive);
    const perNode = new Map<string, number>();
    for (const p of active) perNode.set(p.spec.nodeName ?? p.metadata.name, (perNode.get(p.spec.nodeName ?? p.metadata.name) ?? 0) + 1);
    mostOnOneNode = Math.max(mostOnOneNode, ...perNode.values());
    const oldReady = new Set(active.filter((p) => isReady(p) && p.spec.containers[0].image === 'fluentd:1.16').map((p) => p.spec.nodeName));
    const newReady = new Set(active.filter((p) => isReady(p) && p.spec.containers[0].image === 'fluentd:1.17').map((p) => p.spec.nodeName));
    fewestReady = Math.min(fewestReady, new Set([...oldReady, ...newReady]).size);
    // New pods beside an old one, at once.
    mostNew = Math.max(mostNew, active.filter((p) => p.spec.containers[0].image === 'fluentd:1.17' && active.some((o) => o !== p && o.spec.nodeName && o.spec.nodeName === p.spec.nodeName)).length);
  });
  try {
    await kubectlOk(cluster, ['set', 'image', 'daemonset/surge', 'agent=fluentd:1.17', '-n', ns]);
    await rolloutStatus(ns, 'surge');
  } finally {
    await watch.stop();
  }
  await runningOn(ns, NODE_NAMES, (pods) => pods.every((p) => p.spec.containers[0].image === 'fluentd:1.17'));
  t.is(fewestReady, 3, 'every node kept a ready daemon pod throughout');
  t.is(mostOnOneNode, 2, 'a node ran its old and new pod side by side');
  t.is(mostNew, 1, 'at most maxSurge nodes surged at once');
});

test.serial('OnDelete replaces a pod only when it is deleted', async (t) => {
  const ns = await namespace('ds-on-delete');
  await client.create(DAEMON_SETS, daemonSet(ns, 'manual', { updateStrategy: { type: 'OnDelete' } }));
  const before = await runningOn(ns, NODE_NAMES);
  await kubectlOk(cluster, ['set', 'image', 'daemonset/manual', 'agent=fluentd:1.17', '-n', ns]);
  await eventually('the new generation observed', async () => {
    const d = await client.get(DAEMON_SETS, 'manual', { namespace: ns });
    return d.status.observedGeneration === 2 && d.status.updatedNumberScheduled === undefined ? d : undefined;
  });
  await new Promise((r) => setTimeout(r, 1000));
  t.deepEqual((await activePods(ns)).map((p) => p.metadata.uid).sort(), before.map((p) => p.metadata.uid).sort(), 'no pod was replaced');
  await client.delete(PODS, before[0].metadata.name!, { namespace: ns });
  const after = await runningOn(ns, NODE_NAMES, (pods) => pods.some((p) => p.spec.containers[0].image === 'fluentd:1.17'));
  t.is(after.filter((p) => p.spec.containers[0].image === 'fluentd:1.17').length, 1);
  t.is(after.find((p) => p.spec.containers[0].image === 'fluentd:1.17')!.spec.nodeName, before[0].spec.nodeName);
  // The status follows the pods: the controller writes it on its next sync after the new pod shows up.
  const updated = await eventually('the status counts the updated pod', async () => {
    const d = await client.get(DAEMON_SETS, 'manual', { namespace: ns });
    return d.status.updatedNumberScheduled === 1 ? d : undefined;
  });
  t.like(updated.status, { updatedNumberScheduled: 1 });
  const status = await kubectl(cluster, ['rollout', 'status', 'daemonset/manual', '-n', ns]);
  t.regex(status.stderr, /rollout status is only available for RollingUpdate strategy type/);
});

test.serial('kubectl rollout history and undo work through ControllerRevisions, trimmed to revisionHistoryLimit', async (t) => {
  const ns = await namespace('ds-history');
  await client.create(DAEMON_SETS, daemonSet(ns, 'hist', { revisionHistoryLimit: 1 }));
  await rolloutStatus(ns, 'hist');
  await kubectlOk(cluster, ['set', 'image', 'daemonset/hist', 'agent=fluentd:1.17', '-n', ns]);
  await rolloutStatus(ns, 'hist');
  await kubectlOk(cluster, ['annotate', 'daemonset/hist', 'kubernetes.io/change-cause=bump to 1.18', '-n', ns]);
  await kubectlOk(cluster, ['set', 'image', 'daemonset/hist', 'agent=fluentd:1.18', '-n', ns]);
  await rolloutStatus(ns, 'hist');
  const history = (args: string[] = []) => kubectlOk(cluster, ['rollout', 'history', 'daemonset/hist', '-n', ns, ...args]);
  // One old revision is kept: the first goes once no pod runs it.
  await eventually('revision 1 trimmed', async () => /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+bump to 1.18\n/.test(await history()));
  t.regex(await history(['--revision=2']), /Image:\s+fluentd:1.17/);

  t.regex(await kubectlOk(cluster, ['rollout', 'undo', 'daemonset/hist', '-n', ns]), /daemonset.apps\/hist rolled back/);
  await rolloutStatus(ns, 'hist');
  await runningOn(ns, NODE_NAMES, (pods) => pods.every((p) => p.spec.containers[0].image === 'fluentd:1.17'));
  // Revision 2's template came back: that revision is renumbered the newest, not copied.
  await eventually('revision 2 renumbered', async () => /REVISION\s+CHANGE-CAUSE\n3\s+bump to 1.18\n4\s+<none>\n/.test(await history()));
  t.regex(await kubectlOk(cluster, ['rollout', 'undo', 'daemonset/hist', '-n', ns, '--to-revision=3']), /rolled back/);
  await runningOn(ns, NODE_NAMES, (pods) => pods.every((p) => p.spec.containers[0].image === 'fluentd:1.18'));
  await eventually('revision 3 renumbered', async () => /REVISION\s+CHANGE-CAUSE\n4\s+<none>\n5\s+bump to 1.18\n/.test(await history()));
  t.regex(await kubectlOk(cluster, ['get', 'controllerrevisions', '-n', ns]), /NAME\s+CONTROLLER\s+REVISION\s+AGE\nhist-\S+\s+daemonset.apps\/hist\s+\d+\s+/);
});

test.serial('kubectl get ds -o wide shows kube\'s columns', async (t) => {
  const ns = await namespace('ds-wide');
  await client.create(DAEMON_SETS, daemonSet(ns, 'wide'));
  await rolloutStatus(ns, 'wide');
  const out = await kubectlOk(cluster, ['get', 'ds', '-o', 'wide', '-n', ns]);
  t.regex(out, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
  t.regex(out, /\nwide\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\S+\s+agent\s+fluentd:1.16\s+app=wide\n/);
});
