import test from 'ava';
import type { AnyObject } from '../../client/resource.js';
import { EVENTS, PODS, REPLICATION_CONTROLLERS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { SimulatedNodes } from '../../node-agent/simulator/simulated-nodes.js';
import { adminClient, startCluster, type TestCluster, podNamespace } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { kubectlOk } from '../helpers/kubectl.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';
import { startSimulatedNodes } from '../helpers/simulated-nodes.js';

let cluster: TestCluster;
let client: RestClient;
let scheduler: RunningScheduler;
let nodes: SimulatedNodes;
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['replicationcontroller'] } });
  client = adminClient(cluster);
  scheduler = await startScheduler(cluster);
  nodes = await startSimulatedNodes(cluster, { count: 2, namePrefix: 'rc-sim-' });
});
test.after.always(async () => {
  await nodes?.stop();
  await scheduler?.stop();
  client?.close();
  await cluster?.stop();
});

const namespace = (name: string) => podNamespace(client, name);

/** An RC without a selector: the API server defaults it (and the RC's labels) from the template's labels. */
const replicationController = (ns: string, name: string, replicas: number): AnyObject => ({
  apiVersion: 'v1', kind: 'ReplicationController', metadata: { name, namespace: ns },
  spec: { replicas, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
});

const isActive = (p: AnyObject) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

async function ownedPods(rc: AnyObject): Promise<AnyObject[]> {
  const pods = await client.list(PODS, { namespace: rc.metadata.namespace });
  return pods.items.filter((p) => isActive(p) && p.metadata.ownerReferences?.some((r) => r.controller && r.uid === rc.metadata.uid));
}

/** The RC once its status reports `replicas` pods, all of them ready, for its current generation. */
const settled = (rc: AnyObject, replicas: number) => eventually(`${replicas} ready replicas`, async () => {
  const current = await client.get(REPLICATION_CONTROLLERS, rc.metadata.name!, { namespace: rc.metadata.namespace });
  const s = current.status ?? {};
  const pods = await ownedPods(rc);
  return s.replicas === replicas && (s.readyReplicas ?? 0) === replicas && s.observedGeneration === current.metadata.generation && pods.length === replicas ? current : undefined;
}, 30_000);

test('the selector and labels default from the template; kubectl scale rc scales the pods up and down', async (t) => {
  const ns = await namespace('rc-scale');
  const rc = await client.create(REPLICATION_CONTROLLERS, replicationController(ns, 'web', 3));
  t.deepEqual(rc.spec.selector, { app: 'web' });
  t.deepEqual(rc.metadata.labels, { app: 'web' });
  await settled(rc, 3);
  const pods = await ownedPods(rc);
  for (const pod of pods) {
    t.is(pod.metadata.generateName, 'web-');
    t.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    t.truthy(pod.spec.nodeName);
  }
  const created = (await client.list(EVENTS, { namespace: ns })).items.filter((e) => e.reason === 'SuccessfulCreate' && e.involvedObject?.kind === 'ReplicationController');
  t.is(created.length, 3);
  t.is(created[0].source?.component, 'replication-controller');

  t.regex(await kubectlOk(cluster, ['scale', 'rc', 'web', '-n', ns, '--replicas=1']), /replicationcontroller\/web scaled/);
  await settled(rc, 1);
  const scale = JSON.parse(await kubectlOk(cluster, ['get', '--raw', `/api/v1/namespaces/${ns}/replicationcontrollers/web/scale`]));
  t.like(scale, { kind: 'Scale', spec: { replicas: 1 }, status: { replicas: 1, selector: 'app=web' } });

  await kubectlOk(cluster, ['scale', 'rc', 'web', '-n', ns, '--replicas=2']);
  const scaled = await settled(rc, 2);
  t.is(scaled.status.availableReplicas, 2);
  t.is(scaled.status.fullyLabeledReplicas, 2);
  t.deepEqual(await kubectlOk(cluster, ['get', 'rc', '-n', ns, '--field-selector', 'status.replicas=2', '-o', 'name']), 'replicationcontroller/web\n');
});

test('a deleted pod is replaced; an orphan the selector matches is adopted and the surplus deleted', async (t) => {
  const ns = await namespace('rc-replace');
  const rc = await client.create(REPLICATION_CONTROLLERS, replicationController(ns, 'api', 2));
  await settled(rc, 2);
  const [victim] = await ownedPods(rc);
  await client.delete(PODS, victim.metadata.name!, { namespace: ns });
  await eventually('a replacement pod', async () => {
    const pods = await ownedPods(rc);
    return pods.length === 2 && !pods.some((p) => p.metadata.uid === victim.metadata.uid) ? pods : undefined;
  }, 30_000);
  await settled(rc, 2);

  const orphan = await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', namespace: ns, labels: { app: 'api' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });
  await eventually('the orphan adopted and one pod too many deleted', async () => {
    const pods = await ownedPods(rc);
    const all = (await client.list(PODS, { namespace: ns })).items.filter(isActive);
    return pods.length === 2 && all.length === 2 ? pods : undefined;
  }, 30_000);
  const adopted = await client.get(PODS, 'stray', { namespace: ns }).catch(() => undefined);
  // kube deletes the least established pod first: the orphan, not yet scheduled or ready, unless it already was.
  if (adopted && !adopted.metadata.deletionTimestamp) t.is(adopted.metadata.ownerReferences?.[0]?.uid, rc.metadata.uid);
  else t.pass(`the orphan ${orphan.metadata.name} was the surplus pod`);
  await settled(rc, 2);
});
