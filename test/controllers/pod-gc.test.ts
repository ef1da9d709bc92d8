import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { rfc3339 } from '../../api/time.js';
import { isNotFound } from '../../client/api-error.js';
import { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { NAMESPACES, NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, defaultServiceAccount, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';

let cluster: TestCluster;
let client: RestClient;
let pods: Informer;
/** Every state each pod was seen in, so a test can tell what happened just before a pod went. */
const history = new Map<string, AnyObject[]>();
const NS = 'podgc';
const PERIOD_MS = 300;

type Json = Record<string, any>;

const stamp = () => rfc3339(Date.now());

async function createNode(name: string, ready: 'True' | 'False', taints: Json[] = []): Promise<void> {
  const now = stamp();
  await client.create(NODES, {
    apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { taints },
    status: { conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }] },
  });
}

/** A pod (bound to `node` when given) whose status the test sets as a kubelet would. */
async function createPod(name: string, node: string | undefined, status: Json): Promise<void> {
  const pod = await client.create<AnyObject>(PODS, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
    spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: 'c', image: 'busybox' }] },
  });
  await client.updateStatus(PODS, { ...pod, status: { ...pod.status, ...status } });
}

const running = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: stamp() }] };

async function gone(name: string): Promise<boolean> {
  try {
    await client.get(PODS, name, { namespace: NS });
    return false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

const lastSeen = (name: string): AnyObject | undefined => history.get(name)?.at(-1);
const condition = (pod: AnyObject | undefined, type: string) => (pod?.status?.conditions ?? []).find((c: Json) => c.type === type);

test.before(async () => {
  cluster = await startCluster({}, {
    controllers: { controllers: ['podgc'], terminatedPodGcThreshold: 3, podGcPeriodMs: PERIOD_MS, podGcQuarantineMs: 1000 },
  });
  client = adminClient(cluster);
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await defaultServiceAccount(client, NS);
  pods = new Informer(client, PODS, { namespace: NS });
  const remember = (pod: AnyObject) => history.set(pod.metadata.name!, [...(history.get(pod.metadata.name!) ?? []), pod]);
  pods.addEventHandler({ onAdd: remember, onUpdate: (_old, pod) => remember(pod) });
  pods.start();
  await pods.waitForSync();
});

test.after.always(async () => {
  await pods?.stop();
  client?.close();
  await cluster?.stop();
});

test.serial('finished pods beyond the threshold go, evicted ones first, then the oldest', async (t) => {
  for (let i = 0; i < 4; i++) await createPod(`done-${i}`, undefined, { phase: 'Succeeded' });
  await createPod('evicted', undefined, { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' });
  await eventually('two finished pods collected', async () => (await gone('evicted')) && (await gone('done-0')), 10_000);
  for (const name of ['done-1', 'done-2', 'done-3']) t.false(await gone(name), `${name} is within the threshold`);
});

test.serial('a pod bound to a node that no longer exists is marked Failed with DisruptionTarget and force-deleted', async (t) => {
  await createNode('doomed', 'True');
  await createPod('orphan', 'doomed', running);
  await createNode('alive', 'True');
  await createPod('cared-for', 'alive', running);
  await client.delete(NODES, 'doomed');
  await eventually('the orphan force-deleted', () => gone('orphan'), 15_000);
  const last = lastSeen('orphan');
  t.is(last?.status?.phase, 'Failed');
  t.like(condition(last, 'DisruptionTarget'), { status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
  t.false(await gone('cared-for'), 'a pod on an existing node stays');
});

test.serial('a terminating pod on a NotReady node goes once the node is tainted out-of-service', async (t) => {
  await createNode('shut-down', 'False');
  await createPod('stuck', 'shut-down', running);
  await client.delete(PODS, 'stuck', { namespace: NS });
  // Without the taint nobody may assume the pod's containers stopped: it stays terminating.
  await delay(PERIOD_MS * 5);
  const stuck = await client.get(PODS, 'stuck', { namespace: NS });
  t.truthy(stuck.metadata.deletionTimestamp);

  await client.patch(NODES, 'shut-down', 'merge', { spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] } });
  await eventually('the terminating pod force-deleted', () => gone('stuck'), 10_000);
  t.is(lastSeen('stuck')?.status?.phase, 'Failed');
});
