import test from 'ava';
import { microTime, rfc3339 } from '../../api/time.js';
import { isConflict } from '../../client/api-error.js';
import type { AnyObject } from '../../client/resource.js';
import { EVENTS, LEASES, NAMESPACES, NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, defaultServiceAccount, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';

let cluster: TestCluster;
let client: RestClient;
const kubelets: FakeKubelet[] = [];
const NS = 'lifecycle';
const GRACE_MS = 3000;
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';

type Json = Record<string, any>;

const stamp = () => rfc3339(Date.now());

/** Acts as a node's kubelet: registers the Node, renews its Lease, posts its Ready condition. */
class FakeKubelet {
  private timer?: NodeJS.Timeout;

  constructor(readonly name: string, private readonly zone: string) {}

  async register(): Promise<void> {
    await client.create(NODES, {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: this.name, labels: { 'topology.kubernetes.io/zone': this.zone, 'topology.kubernetes.io/region': 'test', 'kubernetes.io/os': 'linux' } },
      status: { conditions: this.conditions('True') },
    });
    await client.create(LEASES, {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: this.name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: this.name, leaseDurationSeconds: 2, renewTime: microTime() },
    });
    this.startRenewing();
    kubelets.push(this);
  }

  startRenewing(): void {
    this.timer ??= setInterval(() => {
      client.get(LEASES, this.name, { namespace: 'kube-node-lease' })
        .then((lease) => client.update(LEASES, { ...lease, spec: { ...lease.spec, renewTime: microTime() } }))
        .catch(() => undefined);
    }, 400);
  }

  stopRenewing(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Posts node status as a kubelet does: every condition with a fresh
   * heartbeat, read again and retried when the node controller wrote the
   * node in between (its taints and labels), as the kubelet's
   * nodeStatusUpdateRetry does.
   */
  async postStatus(ready: 'True' | 'False'): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const node = await client.get(NODES, this.name);
      try {
        await client.updateStatus(NODES, { ...node, status: { ...node.status, conditions: this.conditions(ready) } });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 5) throw err;
      }
    }
  }

  private conditions(ready: 'True' | 'False'): Json[] {
    const now = stamp();
    const c = (type: string, status: string, reason: string) => ({ type, status, reason, message: reason, lastHeartbeatTime: now, lastTransitionTime: now });
    return [
      c('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      c('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
      c('PIDPressure', 'False', 'KubeletHasSufficientPID'),
      c('Ready', ready, ready === 'True' ? 'KubeletReady' : 'KubeletNotReady'),
    ];
  }
}

/** A pod bound to `node` that its kubelet reports Running and Ready. */
async function runningPod(name: string, node: string, tolerations: Json[] = []): Promise<AnyObject> {
  const pod = await client.create<AnyObject>(PODS, {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], tolerations },
  });
  const now = stamp();
  return client.updateStatus(PODS, {
    ...pod,
    status: {
      ...pod.status, phase: 'Running', podIP: '10.0.0.1',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }, { type: 'PodScheduled', status: 'True', lastTransitionTime: now }],
    },
  });
}

const getNode = (name: string) => client.get(NODES, name);
const getPod = (name: string) => client.get(PODS, name, { namespace: NS });
const taintsOf = (node: AnyObject): Json[] => node.spec?.taints ?? [];
const hasTaint = (node: AnyObject, key: string, effect: string) => taintsOf(node).some((t) => t.key === key && t.effect === effect);
const condition = (obj: AnyObject, type: string) => (obj.status?.conditions ?? []).find((c: Json) => c.type === type);
const evicting = async (name: string) => !!(await getPod(name)).metadata.deletionTimestamp;

async function events(filter: (e: AnyObject) => boolean, namespace = NS): Promise<AnyObject[]> {
  return (await client.list(EVENTS, { namespace })).items.filter(filter);
}

test.before(async () => {
  cluster = await startCluster({}, {
    controllers: {
      controllers: ['nodelifecycle', 'taint-eviction-controller'],
      nodeMonitorPeriodMs: 500, nodeMonitorGracePeriodMs: GRACE_MS, nodeStartupGracePeriodMs: GRACE_MS,
      // Several test nodes share a zone; kube's 0.1 nodes a second would taint them ten seconds apart.
      nodeEvictionRate: 20,
    },
  });
  client = adminClient(cluster);
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await defaultServiceAccount(client, NS);
  // A node that stays healthy all along, so the cluster is never wholly disrupted (which stops evictions).
  await new FakeKubelet('steady', 'zone-a').register();
});

test.after.always(async () => {
  for (const k of kubelets) k.stopRenewing();
  client?.close();
  await cluster?.stop();
});

test.serial('a silent node goes Unknown and unreachable; its pods stop being Ready and are evicted as their tolerations allow', async (t) => {
  const kubelet = new FakeKubelet('silent', 'zone-b');
  await kubelet.register();
  await runningPod('defaults', 'silent');
  await runningPod('zero', 'silent', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }]);
  await runningPod('short', 'silent', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }]);
  await runningPod('forever', 'silent', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]);

  kubelet.stopRenewing();
  const unknown = await eventually('Ready=Unknown on the silent node', async () => {
    const node = await getNode('silent');
    return condition(node, 'Ready')?.status === 'Unknown' && node;
  }, 15_000);
  const ready = condition(unknown, 'Ready');
  t.is(ready.reason, 'NodeStatusUnknown');
  t.is(ready.message, 'Kubelet stopped posting node status.');
  for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
    t.like(condition(unknown, type), { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
  }

  const tainted = await eventually('unreachable taints', async () => {
    const node = await getNode('silent');
    return hasTaint(node, UNREACHABLE, 'NoExecute') && hasTaint(node, UNREACHABLE, 'NoSchedule') && node;
  }, 10_000);
  const noExecute = taintsOf(tainted).find((x) => x.key === UNREACHABLE && x.effect === 'NoExecute')!;
  t.truthy(noExecute.timeAdded, 'a NoExecute taint carries timeAdded');

  for (const name of ['defaults', 'short', 'forever']) {
    await eventually(`${name} not Ready`, async () => condition(await getPod(name), 'Ready')?.status === 'False', 10_000);
  }
  await eventually('the zero-seconds pod evicted at once', () => evicting('zero'), 10_000);
  const short = await eventually('the 2-second pod evicted', async () => {
    const pod = await getPod('short');
    return pod.metadata.deletionTimestamp ? pod : undefined;
  }, 10_000);
  const target = condition(short, 'DisruptionTarget');
  t.like(target, { status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });
  t.true(Date.parse(target.lastTransitionTime) >= Date.parse(noExecute.timeAdded) + 2000, 'not before its toleration ran out');
  t.false(await evicting('forever'), 'a pod tolerating the taint for good stays');
  t.false(await evicting('defaults'), 'the default 300 s toleration has not run out');

  const nodeEvents = await events((e) => e.involvedObject.name === 'silent', 'default');
  t.true(nodeEvents.some((e) => e.reason === 'RegisteredNode' && e.message === 'Node silent event: Registered Node silent in Controller' && e.source.component === 'node-controller'));
  t.true(nodeEvents.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node silent status is now: NodeNotReady'));
  await eventually('NodeNotReady and TaintManagerEviction pod events', async () => {
    const podEvents = await events(() => true);
    return podEvents.some((e) => e.involvedObject.name === 'forever' && e.reason === 'NodeNotReady' && e.type === 'Warning' && e.message === 'Node is not ready')
      && podEvents.some((e) => e.reason === 'TaintManagerEviction' && e.message === `Marking for deletion Pod ${NS}/short` && e.source.component === 'taint-eviction-controller');
  });

  // The kubelet comes back: it renews again and posts Ready.
  kubelet.startRenewing();
  await kubelet.postStatus('True');
  await eventually('taints removed once Ready again', async () => taintsOf(await getNode('silent')).length === 0, 10_000);
});

test.serial('a node reporting Ready=False gets the not-ready taints, swapped for unreachable when it also goes silent', async (t) => {
  const kubelet = new FakeKubelet('sick', 'zone-c');
  await kubelet.register();
  await kubelet.postStatus('False');
  const node = await eventually('not-ready taints', async () => {
    const n = await getNode('sick');
    return hasTaint(n, NOT_READY, 'NoExecute') && hasTaint(n, NOT_READY, 'NoSchedule') && n;
  }, 10_000);
  t.false(hasTaint(node, UNREACHABLE, 'NoExecute'));

  kubelet.stopRenewing();
  const swapped = await eventually('unreachable taints instead', async () => {
    const n = await getNode('sick');
    return hasTaint(n, UNREACHABLE, 'NoExecute') && hasTaint(n, UNREACHABLE, 'NoSchedule') && n;
  }, 15_000);
  t.false(hasTaint(swapped, NOT_READY, 'NoExecute'), 'the two NoExecute taints never stand together');
  t.false(hasTaint(swapped, NOT_READY, 'NoSchedule'));
});

test.serial('a node that never posts status goes Unknown after the startup grace period', async (t) => {
  await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'mute', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } });
  const node = await eventually('conditions posted for it', async () => {
    const n = await getNode('mute');
    return condition(n, 'Ready') && n;
  }, 15_000);
  for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
    t.like(condition(node, type), { status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
  }
  await client.delete(NODES, 'mute');
  await eventually('RemovingNode event', async () =>
    (await events((e) => e.reason === 'RemovingNode' && e.message === 'Node mute event: Removing Node mute from Controller', 'default')).length > 0);
});

test.serial('spec.unschedulable comes with the unschedulable taint, and goes without it', async (t) => {
  await client.patch(NODES, 'steady', 'merge', { spec: { unschedulable: true } });
  await eventually('unschedulable taint', async () => hasTaint(await getNode('steady'), 'node.kubernetes.io/unschedulable', 'NoSchedule'));
  await client.patch(NODES, 'steady', 'merge', { spec: { unschedulable: null } });
  await eventually('unschedulable taint removed', async () => !hasTaint(await getNode('steady'), 'node.kubernetes.io/unschedulable', 'NoSchedule'));
  t.pass();
});

test.serial('a NoExecute taint evicts pods that do not tolerate it at once and cancels pending evictions when it goes', async (t) => {
  const kubelet = new FakeKubelet('dedicated', 'zone-d');
  await kubelet.register();
  const taint = { key: 'dedicated', value: 'db', effect: 'NoExecute' };
  await runningPod('intolerant', 'dedicated');
  await runningPod('patient', 'dedicated', [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute', tolerationSeconds: 60 }]);
  await runningPod('at-home', 'dedicated', [{ key: 'dedicated', operator: 'Exists' }]);

  await client.patch(NODES, 'dedicated', 'merge', { spec: { taints: [taint] } });
  const evicted = await eventually('the intolerant pod evicted', async () => {
    const pod = await getPod('intolerant');
    return pod.metadata.deletionTimestamp ? pod : undefined;
  }, 10_000);
  t.is(condition(evicted, 'DisruptionTarget')?.reason, 'DeletionByTaintManager');

  await client.patch(NODES, 'dedicated', 'merge', { spec: { taints: null } });
  await eventually('the pending eviction cancelled', async () =>
    (await events((e) => e.reason === 'TaintManagerEviction' && e.message === `Cancelling deletion of Pod ${NS}/patient`)).length > 0, 10_000);
  t.false(await evicting('patient'));
  t.false(await evicting('at-home'));
});

test.serial('a node renewing its Lease stays Ready and untainted', async (t) => {
  // The steady node has renewed its Lease, and posted status only once, for many grace periods by now.
  const node = await getNode('steady');
  t.is(condition(node, 'Ready')?.status, 'True');
  t.deepEqual(taintsOf(node), []);
  t.is(node.metadata.labels?.['beta.kubernetes.io/os'], 'linux', 'the beta OS label follows the stable one');
});

test.serial('when every node is down the cluster is fully disrupted: NoExecute taints come off until a node is Ready again', async (t) => {
  for (const k of kubelets) k.stopRenewing();
  const names = kubelets.map((k) => k.name);
  await eventually('every node Unknown', async () => {
    const nodes = (await client.list(NODES)).items.filter((n) => names.includes(n.metadata.name!));
    return nodes.every((n) => condition(n, 'Ready')?.status === 'Unknown');
  }, 15_000);
  await eventually('no NoExecute taints while fully disrupted', async () => {
    const nodes = (await client.list(NODES)).items;
    return nodes.every((n) => !taintsOf(n).some((x) => x.effect === 'NoExecute'));
  }, 10_000);
  // Only while evictions are stopped does the now-silent steady node stay free of its NoExecute taint.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  t.false(hasTaint(await getNode('steady'), UNREACHABLE, 'NoExecute'));

  const steady = kubelets.find((k) => k.name === 'steady')!;
  steady.startRenewing();
  await steady.postStatus('True');
  await eventually('a silent node tainted again once another is Ready', async () => hasTaint(await getNode('silent'), UNREACHABLE, 'NoExecute'), 15_000);
  t.false(hasTaint(await getNode('steady'), UNREACHABLE, 'NoExecute'));
});
