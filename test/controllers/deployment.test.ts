import test from 'ava';
import { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { DEPLOYMENTS, EVENTS, PODS, REPLICA_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { computeHash } from '../../controllers/deployment/pod-template-hash.js';
import type { SimulatedNodes } from '../../node-agent/simulator/simulated-nodes.js';
import { adminClient, startCluster, type TestCluster, podNamespace } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';
import { startSimulatedNodes } from '../helpers/simulated-nodes.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';

// Pods run for real as far as the API shows: the scheduler binds them to simulated nodes,
// which report them Running and Ready and finish their graceful deletion.
let cluster: TestCluster;
let client: RestClient;
let nodes: SimulatedNodes;
let scheduler: RunningScheduler;
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['replicaset', 'deployment'] } });
  client = adminClient(cluster);
  nodes = await startSimulatedNodes(cluster, { count: 3, namePrefix: 'deploy-node-' });
  scheduler = await startScheduler(cluster);
});
test.after.always(async () => {
  await scheduler?.stop();
  await nodes?.stop();
  client?.close();
  await cluster?.stop();
});

const namespace = (name: string) => podNamespace(client, name);

/** Pods of this template never become Ready: their readiness gate is a condition nobody sets. */
const neverReady = { readinessGates: [{ conditionType: 'example.com/never' }] };

function deployment(ns: string, name: string, replicas: number, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): AnyObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.26' }], ...podSpec } },
      ...spec,
    },
  };
}

const getDeployment = (ns: string, name: string) => client.get(DEPLOYMENTS, name, { namespace: ns });
const condition = (d: AnyObject, type: string) => d.status?.conditions?.find((c: AnyObject) => c.type === type);

async function replicaSetsOf(ns: string, d: AnyObject): Promise<AnyObject[]> {
  const list = await client.list(REPLICA_SETS, { namespace: ns });
  return list.items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid));
}

const revision = (obj: AnyObject) => obj.metadata.annotations?.['deployment.kubernetes.io/revision'];

async function scalingEvents(ns: string, name: string): Promise<string[]> {
  const list = await client.list(EVENTS, { namespace: ns });
  return list.items.filter((e) => e.involvedObject?.name === name && e.reason === 'ScalingReplicaSet').map((e) => e.message);
}

async function rolloutStatus(ns: string, name: string): Promise<string> {
  return kubectlOk(cluster, ['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=60s']);
}

/** A live view of a namespace's objects of one kind, with a check run after every change. */
async function watch(ref: typeof PODS, ns: string, check: (items: AnyObject[]) => void): Promise<Informer> {
  const informer = new Informer(client, ref, { namespace: ns });
  const run = () => check(informer.store.list());
  informer.addEventHandler({ onAdd: run, onUpdate: run, onDelete: run });
  informer.start();
  await informer.waitForSync();
  return informer;
}

const isActive = (p: AnyObject) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
const isReady = (p: AnyObject) => p.status?.conditions?.some((c: AnyObject) => c.type === 'Ready' && c.status === 'True');

test('a rolling update honours maxSurge and maxUnavailable, with kube\'s names, annotations, status and events', async (t) => {
  const ns = await namespace('deploy-rolling');
  // 30% of 4: surge rounds up to 2, unavailability down to 1.
  const created = await client.create(DEPLOYMENTS, deployment(ns, 'web', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '30%', maxUnavailable: '30%' } } }));
  t.regex(await rolloutStatus(ns, 'web'), /deployment "web" successfully rolled out/);
  const [v1] = await replicaSetsOf(ns, created);
  const hash1 = v1.metadata.labels!['pod-template-hash'];
  t.regex(hash1, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  t.is(v1.metadata.name, `web-${hash1}`);
  t.deepEqual(v1.spec.selector.matchLabels, { app: 'web', 'pod-template-hash': hash1 });
  t.deepEqual(v1.spec.template.metadata.labels, { app: 'web', 'pod-template-hash': hash1 });
  t.deepEqual(v1.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  t.like(v1.metadata.annotations, { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '6' });
  const pods = await client.list(PODS, { namespace: ns });
  t.true(pods.items.every((p) => p.metadata.labels?.['pod-template-hash'] === hash1));

  let mostSpec = 0;
  let fewestReady = Infinity;
  const replicaSetWatch = await watch(REPLICA_SETS, ns, (list) => {
    mostSpec = Math.max(mostSpec, list.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0));
  });
  const podWatch = await watch(PODS, ns, (list) => {
    fewestReady = Math.min(fewestReady, list.filter((p) => isActive(p) && isReady(p)).length);
  });
  try {
    await kubectlOk(cluster, ['set', 'image', 'deployment/web', 'app=nginx:1.27', '-n', ns]);
    t.regex(await rolloutStatus(ns, 'web'), /successfully rolled out/);
  } finally {
    await replicaSetWatch.stop();
    await podWatch.stop();
  }
  t.true(mostSpec <= 6, `the ReplicaSets never asked for more than replicas + maxSurge pods (saw ${mostSpec})`);
  t.true(fewestReady >= 3, `ready pods never fell below replicas - maxUnavailable (saw ${fewestReady})`);

  const d = await getDeployment(ns, 'web');
  t.is(revision(d), '2');
  t.like(d.status, { observedGeneration: d.metadata.generation, replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 });
  t.is(d.status.unavailableReplicas, undefined);
  const rsList = await replicaSetsOf(ns, d);
  t.is(rsList.length, 2);
  const v2 = rsList.find((rs) => rs.metadata.uid !== v1.metadata.uid)!;
  t.not(v2.metadata.labels!['pod-template-hash'], hash1);
  t.is(revision(v2), '2');
  t.is(rsList.find((rs) => rs.metadata.uid === v1.metadata.uid)!.spec.replicas, 0, 'the old ReplicaSet is kept, scaled to zero');
  t.like(condition(d, 'Available'), { status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  t.like(condition(d, 'Progressing'), { status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${v2.metadata.name}" has successfully progressed.` });
  const messages = await eventually('the scaling events', async () => {
    const list = await scalingEvents(ns, 'web');
    return list.some((m) => m.startsWith(`Scaled down replica set ${v1.metadata.name} from`) && m.endsWith(' to 0')) ? list : undefined;
  });
  t.true(messages.includes(`Scaled up replica set ${v1.metadata.name} from 0 to 4`));
  t.true(messages.includes(`Scaled up replica set ${v2.metadata.name} from 0 to 2`), messages.join('\n'));
  t.true(messages.some((m) => new RegExp(`^Scaled down replica set ${v1.metadata.name} from 4 to [23]$`).test(m)), messages.join('\n'));
});

test('Recreate stops every old pod before the first new one exists', async (t) => {
  const ns = await namespace('deploy-recreate');
  await client.create(DEPLOYMENTS, deployment(ns, 'web', 3, { strategy: { type: 'Recreate' } }));
  await rolloutStatus(ns, 'web');
  let overlap = false;
  let sawNew = false;
  const podWatch = await watch(PODS, ns, (list) => {
    const images = new Set(list.map((p) => p.spec.containers[0].image));
    if (images.has('nginx:1.27')) sawNew = true;
    if (images.size > 1) overlap = true;
  });
  try {
    await kubectlOk(cluster, ['set', 'image', 'deployment/web', 'app=nginx:1.27', '-n', ns]);
    await rolloutStatus(ns, 'web');
  } finally {
    await podWatch.stop();
  }
  t.true(sawNew);
  t.false(overlap, 'old and new pods never existed together');
  const d = await getDeployment(ns, 'web');
  const [oldRS, newRS] = (await replicaSetsOf(ns, d)).sort((a, b) => Number(revision(a)) - Number(revision(b)));
  const messages = await scalingEvents(ns, 'web');
  t.true(messages.includes(`Scaled down replica set ${oldRS.metadata.name} from 3 to 0`));
  t.true(messages.includes(`Scaled up replica set ${newRS.metadata.name} from 0 to 3`));
});

test('a paused Deployment rolls nothing out but still scales, and resumes where it stopped', async (t) => {
  const ns = await namespace('deploy-pause');
  await client.create(DEPLOYMENTS, deployment(ns, 'web', 2));
  await rolloutStatus(ns, 'web');
  await kubectlOk(cluster, ['rollout', 'pause', 'deployment/web', '-n', ns]);
  const paused = await eventually('the paused condition', async () => {
    const d = await getDeployment(ns, 'web');
    return condition(d, 'Progressing')?.reason === 'DeploymentPaused' ? d : undefined;
  });
  t.like(condition(paused, 'Progressing'), { status: 'Unknown', message: 'Deployment is paused' });
  await kubectlOk(cluster, ['set', 'image', 'deployment/web', 'app=nginx:1.27', '-n', ns]);
  await kubectlOk(cluster, ['scale', 'deployment/web', '--replicas=3', '-n', ns]);
  await eventually('three replicas while paused', async () => (await getDeployment(ns, 'web')).status?.availableReplicas === 3);
  const whilePaused = await replicaSetsOf(ns, paused);
  t.is(whilePaused.length, 1, 'no new ReplicaSet while paused');
  t.is(whilePaused[0].spec.replicas, 3);
  t.is(whilePaused[0].spec.template.spec.containers[0].image, 'nginx:1.26');

  await kubectlOk(cluster, ['rollout', 'resume', 'deployment/web', '-n', ns]);
  await rolloutStatus(ns, 'web');
  const d = await getDeployment(ns, 'web');
  t.is(d.status.updatedReplicas, 3);
  t.is(condition(d, 'Progressing').reason, 'NewReplicaSetAvailable');
  const pods = (await client.list(PODS, { namespace: ns })).items.filter(isActive);
  t.true(pods.length === 3 && pods.every((p) => p.spec.containers[0].image === 'nginx:1.27'));
});

test('kubectl rollout history, undo and restart', async (t) => {
  const ns = await namespace('deploy-undo');
  await client.create(DEPLOYMENTS, deployment(ns, 'web', 2));
  await rolloutStatus(ns, 'web');
  await kubectlOk(cluster, ['set', 'image', 'deployment/web', 'app=nginx:1.27', '-n', ns]);
  await kubectlOk(cluster, ['annotate', 'deployment/web', 'kubernetes.io/change-cause=image 1.27', '-n', ns]);
  await rolloutStatus(ns, 'web');
  const history = await eventually('the change-cause in the history', async () => {
    const out = await kubectlOk(cluster, ['rollout', 'history', 'deployment/web', '-n', ns]);
    return /2\s+image 1\.27/.test(out) ? out : undefined;
  });
  t.regex(history, /REVISION\s+CHANGE-CAUSE/);
  t.regex(history, /^1\s+<none>$/m);
  t.regex(await kubectlOk(cluster, ['rollout', 'history', 'deployment/web', '--revision=1', '-n', ns]), /Image:\s+nginx:1\.26/);

  t.regex(await kubectlOk(cluster, ['rollout', 'undo', 'deployment/web', '-n', ns]), /deployment.apps\/web rolled back/);
  await rolloutStatus(ns, 'web');
  const d = await getDeployment(ns, 'web');
  t.is(d.spec.template.spec.containers[0].image, 'nginx:1.26');
  t.is(revision(d), '3');
  const rsList = await replicaSetsOf(ns, d);
  t.is(rsList.length, 2, 'the revision 1 ReplicaSet came back as revision 3');
  const current = rsList.find((rs) => rs.spec.replicas === 2)!;
  t.is(current.spec.template.spec.containers[0].image, 'nginx:1.26');
  t.is(revision(current), '3');
  t.is(current.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  const afterUndo = await kubectlOk(cluster, ['rollout', 'history', 'deployment/web', '-n', ns]);
  t.regex(afterUndo, /^2\s+image 1\.27$/m);
  t.regex(afterUndo, /^3\s+/m);
  t.notRegex(afterUndo, /^1\s+/m);

  await kubectlOk(cluster, ['rollout', 'restart', 'deployment/web', '-n', ns]);
  await rolloutStatus(ns, 'web');
  const restarted = await getDeployment(ns, 'web');
  t.truthy(restarted.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
  t.is(revision(restarted), '4');
  const newest = (await replicaSetsOf(ns, restarted)).find((rs) => revision(rs) === '4')!;
  const pods = (await client.list(PODS, { namespace: ns })).items.filter(isActive);
  t.is(pods.length, 2);
  t.true(pods.every((p) => p.metadata.labels?.['pod-template-hash'] === newest.metadata.labels!['pod-template-hash']), 'every pod was replaced');
});

test('revisionHistoryLimit keeps only the newest old ReplicaSets', async (t) => {
  const ns = await namespace('deploy-history');
  await client.create(DEPLOYMENTS, deployment(ns, 'web', 1, { revisionHistoryLimit: 2 }));
  for (const tag of ['1.26', '1.27', '1.28', '1.29']) {
    if (tag !== '1.26') await kubectlOk(cluster, ['set', 'image', 'deployment/web', `app=nginx:${tag}`, '-n', ns]);
    await rolloutStatus(ns, 'web');
  }
  const d = await getDeployment(ns, 'web');
  const revisions = await eventually('the oldest ReplicaSet cleaned up', async () => {
    const list = (await replicaSetsOf(ns, d)).map((rs) => revision(rs)).sort();
    return list.length === 3 ? list : undefined;
  });
  t.deepEqual(revisions, ['2', '3', '4']);
});

test('a rollout that cannot progress exceeds its deadline, and kubectl rollout status says so', async (t) => {
  const ns = await namespace('deploy-stuck');
  await client.create(DEPLOYMENTS, deployment(ns, 'stuck', 2, { progressDeadlineSeconds: 3 }, neverReady));
  const d = await eventually('ProgressDeadlineExceeded', async () => {
    const current = await getDeployment(ns, 'stuck');
    return condition(current, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? current : undefined;
  }, 15_000);
  const [rs] = await replicaSetsOf(ns, d);
  t.like(condition(d, 'Progressing'), { status: 'False', message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.` });
  t.like(condition(d, 'Available'), { status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
  t.is(d.status.unavailableReplicas, 2);
  const status = await kubectl(cluster, ['rollout', 'status', 'deployment/stuck', '-n', ns, '--timeout=20s']);
  t.not(status.code, 0);
  t.regex(status.stderr, /error: deployment "stuck" exceeded its progress deadline/);
});

test('pods the API server refuses show as the Deployment\'s ReplicaFailure condition', async (t) => {
  const ns = await namespace('deploy-failure');
  // Only a pod's image may not have surrounding whitespace, so the templates pass and the pods fail.
  const broken = deployment(ns, 'web', 1);
  broken.spec.template.spec.containers[0].image = ' nginx:1.27';
  await client.create(DEPLOYMENTS, broken);
  const failure = await eventually('the ReplicaFailure condition', async () => condition(await getDeployment(ns, 'web'), 'ReplicaFailure'), 15_000);
  t.like(failure, { status: 'True', reason: 'FailedCreate' });
  t.regex(failure.message, /must not have leading or trailing whitespace/);
  await client.patch(DEPLOYMENTS, 'web', 'json', [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' }], { namespace: ns });
  await rolloutStatus(ns, 'web');
  await eventually('the condition gone', async () => !condition(await getDeployment(ns, 'web'), 'ReplicaFailure'));
  t.pass();
});

test('kubectl create deployment and kubectl scale up and down', async (t) => {
  const ns = await namespace('deploy-scale');
  await kubectlOk(cluster, ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '-n', ns]);
  await rolloutStatus(ns, 'web');
  await kubectlOk(cluster, ['scale', 'deployment/web', '--replicas=5', '-n', ns]);
  await rolloutStatus(ns, 'web');
  t.is((await client.list(PODS, { namespace: ns })).items.filter(isActive).length, 5);
  await kubectlOk(cluster, ['scale', 'deployment/web', '--replicas=1', '-n', ns]);
  await eventually('one pod left', async () => (await client.list(PODS, { namespace: ns })).items.length === 1);
  const d = await getDeployment(ns, 'web');
  const [rs] = await replicaSetsOf(ns, d);
  t.is(rs.spec.replicas, 1);
  t.is(rs.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '1');
  const messages = await eventually('the scale-down event', async () => {
    const list = await scalingEvents(ns, 'web');
    return list.includes(`Scaled down replica set ${rs.metadata.name} from 5 to 1`) ? list : undefined;
  });
  t.true(messages.includes(`Scaled up replica set ${rs.metadata.name} from 2 to 5`));
  await eventually('the Deployment and its ReplicaSet settled at one replica', async () => {
    const [current, currentRS] = [await getDeployment(ns, 'web'), await client.get(REPLICA_SETS, rs.metadata.name!, { namespace: ns })];
    return current.status?.observedGeneration === current.metadata.generation && current.status?.availableReplicas === 1 && current.status.replicas === 1
      && currentRS.status?.observedGeneration === currentRS.metadata.generation && currentRS.status?.replicas === 1;
  });
  const out = await kubectlOk(cluster, ['get', 'deployment', 'web', '-n', ns]);
  t.regex(out, /web\s+1\/1\s+1\s+1\s/);
  // Settled, neither controller writes again: statuses are written only when they change.
  const settled = [(await getDeployment(ns, 'web')).metadata.resourceVersion, (await client.get(REPLICA_SETS, rs.metadata.name!, { namespace: ns })).metadata.resourceVersion];
  await new Promise((r) => setTimeout(r, 1500));
  t.deepEqual([(await getDeployment(ns, 'web')).metadata.resourceVersion, (await client.get(REPLICA_SETS, rs.metadata.name!, { namespace: ns })).metadata.resourceVersion], settled);
  const described = await kubectlOk(cluster, ['describe', 'deployment', 'web', '-n', ns]);
  t.regex(described, new RegExp(`NewReplicaSet:\\s+${rs.metadata.name} \\(1/1 replicas created\\)`));
  t.regex(described, /Available\s+True\s+MinimumReplicasAvailable/);
  t.regex(described, /Progressing\s+True\s+NewReplicaSetAvailable/);
  t.regex(described, new RegExp(`ScalingReplicaSet\\s+.*deployment-controller\\s+Scaled down replica set ${rs.metadata.name} from 5 to 1`));
});

test('scaling in the middle of a rollout spreads the new replicas proportionally', async (t) => {
  const ns = await namespace('deploy-proportional');
  await client.create(DEPLOYMENTS, deployment(ns, 'web', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
  await rolloutStatus(ns, 'web');
  // The new template's pods never become ready: the rollout stops at 8 old and 5 new.
  await client.patch(DEPLOYMENTS, 'web', 'strategic', { spec: { template: { spec: { ...neverReady, containers: [{ name: 'app', image: 'nginx:1.27' }] } } } }, { namespace: ns });
  const d = await getDeployment(ns, 'web');
  const sizes = async () => {
    const list = await replicaSetsOf(ns, d);
    const oldRS = list.find((rs) => revision(rs) === '1');
    const newRS = list.find((rs) => revision(rs) === '2');
    return [oldRS?.spec.replicas, newRS?.spec.replicas];
  };
  await eventually('the rollout stuck at 8 + 5', async () => JSON.stringify(await sizes()) === '[8,5]');
  await kubectlOk(cluster, ['scale', 'deployment/web', '--replicas=15', '-n', ns]);
  // 15 + 3 allowed, 5 more to place: 3 to the old ReplicaSet (8 of 13), 2 to the new (5 of 13).
  await eventually('old 11, new 7', async () => JSON.stringify(await sizes()) === '[11,7]');
  await new Promise((r) => setTimeout(r, 1000));
  t.deepEqual(await sizes(), [11, 7], 'and it stays there: the new pods are still not available');
  const list = await replicaSetsOf(ns, d);
  t.true(list.every((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'] === '15' && rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'] === '18'));
});

test('a ReplicaSet already holding the new ReplicaSet\'s name is a hash collision: collisionCount moves the name on', async (t) => {
  const ns = await namespace('deploy-collision');
  // Paused, the Deployment makes no ReplicaSet yet, and its defaulted template can be read back.
  const d = await client.create(DEPLOYMENTS, deployment(ns, 'web', 1, { paused: true }));
  const taken = `web-${computeHash(d.spec.template)}`;
  const squatter = deployment(ns, 'other', 0);
  await client.create(REPLICA_SETS, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: taken, namespace: ns }, spec: squatter.spec });
  await kubectlOk(cluster, ['rollout', 'resume', 'deployment/web', '-n', ns]);
  await rolloutStatus(ns, 'web');
  const after = await getDeployment(ns, 'web');
  t.is(after.status.collisionCount, 1);
  const [rs] = await replicaSetsOf(ns, after);
  t.is(rs.metadata.name, `web-${computeHash(d.spec.template, 1)}`);
  t.not(rs.metadata.name, taken);
  t.is((await client.get(REPLICA_SETS, taken, { namespace: ns })).metadata.ownerReferences, undefined, 'the other ReplicaSet is left alone');
});

test('adopts a matching orphan ReplicaSet as an old revision and releases it when its labels stop matching', async (t) => {
  const ns = await namespace('deploy-adopt');
  const legacy = deployment(ns, 'web', 2);
  legacy.spec.template.spec.containers[0].image = 'nginx:1.25';
  await client.create(REPLICA_SETS, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'legacy', namespace: ns, labels: { app: 'web' } }, spec: legacy.spec });
  const d = await client.create(DEPLOYMENTS, deployment(ns, 'web', 2));
  await rolloutStatus(ns, 'web');
  const adopted = await client.get(REPLICA_SETS, 'legacy', { namespace: ns });
  t.deepEqual(adopted.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  t.is(adopted.spec.replicas, 0, 'the adopted ReplicaSet is an old one, rolled down');
  t.is((await replicaSetsOf(ns, d)).length, 2);

  await client.patch(REPLICA_SETS, 'legacy', 'merge', { metadata: { labels: { app: 'gone' } } }, { namespace: ns });
  await eventually('the relabelled ReplicaSet released', async () => !(await client.get(REPLICA_SETS, 'legacy', { namespace: ns })).metadata.ownerReferences?.length);
  t.is((await replicaSetsOf(ns, d)).length, 1);
});
