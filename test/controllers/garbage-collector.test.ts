import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import { isNotFound } from '../../client/api-error.js';
import type { AnyObject, OwnerReference, ResourceRef } from '../../client/resource.js';
import { CONFIG_MAPS, DEPLOYMENTS, EVENTS, NAMESPACES, PODS, REPLICA_SETS, SECRETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, startCluster, type TestCluster, podNamespace } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';

// The garbage collector against a real API server: owners and dependents are
// made here directly, with ownerReferences, as their controllers would make them.
let cluster: TestCluster;
let client: RestClient;
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['garbagecollector', 'namespace'] } });
  client = adminClient(cluster);
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

const CLUSTER_ROLES: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false };
const HOLD = 'example.com/hold';

const namespace = (name: string) => podNamespace(client, name);

function ownerRef(owner: AnyObject, opts: { block?: boolean; controller?: boolean } = {}): OwnerReference {
  return {
    apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!,
    ...(opts.controller ? { controller: true } : {}), ...(opts.block !== undefined ? { blockOwnerDeletion: opts.block } : {}),
  };
}

function configMap(ns: string, name: string, owners: OwnerReference[] = [], finalizers?: string[]): Promise<AnyObject> {
  return client.create(CONFIG_MAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, ownerReferences: owners, ...(finalizers ? { finalizers } : {}) }, data: { k: 'v' } });
}

function secret(ns: string, name: string, owners: OwnerReference[]): Promise<AnyObject> {
  return client.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns, ownerReferences: owners }, stringData: { k: 'v' } });
}

function deployment(ns: string, name: string): Promise<AnyObject> {
  return client.create(DEPLOYMENTS, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
  });
}

function replicaSet(ns: string, name: string, owner: AnyObject): Promise<AnyObject> {
  return client.create(REPLICA_SETS, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: ns, ownerReferences: [ownerRef(owner, { controller: true, block: true })] },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
  });
}

function pod(ns: string, name: string, owner: AnyObject, finalizers?: string[]): Promise<AnyObject> {
  return client.create(PODS, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, ownerReferences: [ownerRef(owner, { controller: true, block: true })], ...(finalizers ? { finalizers } : {}) },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
  });
}

async function find(ref: ResourceRef, ns: string | undefined, name: string): Promise<AnyObject | undefined> {
  try {
    return await client.get(ref, name, { namespace: ns });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

const gone = (ref: ResourceRef, ns: string | undefined, name: string, timeoutMs = 20_000) =>
  eventually(`${ref.resource} ${ns ?? ''}/${name} to be gone`, async () => !(await find(ref, ns, name)), timeoutMs);

const releaseFinalizers = (ref: ResourceRef, ns: string, name: string) => client.patch(ref, name, 'merge', { metadata: { finalizers: null } }, { namespace: ns });

test('background: deleting a Deployment collects its ReplicaSet, the pods the ReplicaSet owns, and a Secret it owns', async (t) => {
  const ns = await namespace('gc-background');
  const deploy = await deployment(ns, 'web');
  const rs = await replicaSet(ns, 'web-1', deploy);
  await pod(ns, 'web-1-a', rs);
  await pod(ns, 'web-1-b', rs);
  await secret(ns, 'web-token', [ownerRef(deploy)]);

  await kubectlOk(cluster, ['delete', 'deployment', 'web', '-n', ns]);
  t.falsy(await find(DEPLOYMENTS, ns, 'web'), 'a background delete removes the owner at once');
  await gone(REPLICA_SETS, ns, 'web-1');
  await gone(PODS, ns, 'web-1-a');
  await gone(PODS, ns, 'web-1-b');
  await gone(SECRETS, ns, 'web-token');
  t.pass();
});

test('orphan: kubectl delete --cascade=orphan completes and the dependents lose only the reference to that owner', async (t) => {
  const ns = await namespace('gc-orphan');
  const owner = await configMap(ns, 'owner');
  const keeper = await configMap(ns, 'keeper');
  await configMap(ns, 'only-child', [ownerRef(owner, { block: true })]);
  await configMap(ns, 'two-parents', [ownerRef(owner), ownerRef(keeper)]);
  await secret(ns, 'owned-secret', [ownerRef(owner)]);

  // kubectl waits until the owner is really gone: that takes the collector.
  await kubectlOk(cluster, ['delete', 'configmap', 'owner', '-n', ns, '--cascade=orphan']);
  t.falsy(await find(CONFIG_MAPS, ns, 'owner'));
  t.deepEqual((await find(CONFIG_MAPS, ns, 'only-child'))?.metadata.ownerReferences ?? [], []);
  t.deepEqual((await find(CONFIG_MAPS, ns, 'two-parents'))?.metadata.ownerReferences, [ownerRef(keeper)]);
  t.deepEqual((await find(SECRETS, ns, 'owned-secret'))?.metadata.ownerReferences ?? [], []);
});

test('foreground: the owner stays, with its finalizer, until the blocking dependents down the chain are gone', async (t) => {
  const ns = await namespace('gc-foreground');
  const deploy = await deployment(ns, 'api');
  const rs = await replicaSet(ns, 'api-1', deploy);
  await pod(ns, 'api-1-a', rs);
  await pod(ns, 'api-1-held', rs, [HOLD]);
  // Not blocking: deleted with the rest, but the owner does not wait for it.
  await configMap(ns, 'api-notes', [ownerRef(deploy, { block: false })], [HOLD]);

  const deleting = kubectl(cluster, ['delete', 'deployment', 'api', '-n', ns, '--cascade=foreground']);
  await gone(PODS, ns, 'api-1-a');
  const held = await eventually('the held pod to be terminating', async () => {
    const p = await find(PODS, ns, 'api-1-held');
    return p?.metadata.deletionTimestamp ? p : undefined;
  });
  t.truthy(held.metadata.deletionTimestamp);
  const notes = await eventually('the notes to be terminating', async () => (await find(CONFIG_MAPS, ns, 'api-notes'))?.metadata.deletionTimestamp);
  t.truthy(notes);
  // The ReplicaSet has dependents of its own, so the collector deletes it in the foreground too.
  const waitingRs = await eventually('the ReplicaSet to wait for its pods', async () => {
    const r = await find(REPLICA_SETS, ns, 'api-1');
    return r?.metadata.finalizers?.includes('foregroundDeletion') ? r : undefined;
  });
  t.truthy(waitingRs.metadata.deletionTimestamp);
  await delay(1000);
  const waitingDeploy = await find(DEPLOYMENTS, ns, 'api');
  t.truthy(waitingDeploy?.metadata.deletionTimestamp, 'the Deployment is still there while a pod blocks the chain');
  t.deepEqual(waitingDeploy?.metadata.finalizers, ['foregroundDeletion']);
  t.truthy(await find(REPLICA_SETS, ns, 'api-1'));

  await releaseFinalizers(PODS, ns, 'api-1-held');
  const done = await deleting;
  t.is(done.code, 0, done.stderr);
  t.falsy(await find(DEPLOYMENTS, ns, 'api'));
  t.falsy(await find(REPLICA_SETS, ns, 'api-1'));
  t.truthy((await find(CONFIG_MAPS, ns, 'api-notes'))?.metadata.deletionTimestamp, 'a non-blocking dependent did not hold the owner');
  await releaseFinalizers(CONFIG_MAPS, ns, 'api-notes');
  await gone(CONFIG_MAPS, ns, 'api-notes');
});

test('a dependent whose owner never existed is collected', async (t) => {
  const ns = await namespace('gc-never');
  await configMap(ns, 'stray', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: randomUUID() }]);
  await gone(CONFIG_MAPS, ns, 'stray');
  t.pass();
});

test('a dependent of an owner since recreated under the same name is collected; the new owner and its own dependents stay', async (t) => {
  const ns = await namespace('gc-recreated');
  const first = await configMap(ns, 'owner');
  await client.delete(CONFIG_MAPS, 'owner', { namespace: ns });
  const second = await configMap(ns, 'owner');
  t.not(first.metadata.uid, second.metadata.uid);
  await configMap(ns, 'of-the-first', [ownerRef(first)]);
  await configMap(ns, 'of-the-second', [ownerRef(second)]);
  await gone(CONFIG_MAPS, ns, 'of-the-first');
  t.is((await find(CONFIG_MAPS, ns, 'owner'))?.metadata.uid, second.metadata.uid);
  t.truthy(await find(CONFIG_MAPS, ns, 'of-the-second'));
});

test('a dependent with two owners, one of them gone, keeps the reference to the other', async (t) => {
  const ns = await namespace('gc-two-owners');
  const alive = await configMap(ns, 'alive');
  const missing: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'missing', uid: randomUUID(), blockOwnerDeletion: true };
  await configMap(ns, 'shared', [missing, ownerRef(alive)]);
  const kept = await eventually('the dangling reference to be removed', async () => {
    const cm = await find(CONFIG_MAPS, ns, 'shared');
    return cm?.metadata.ownerReferences?.length === 1 ? cm : undefined;
  });
  t.deepEqual(kept.metadata.ownerReferences, [ownerRef(alive)]);
  t.falsy(kept.metadata.deletionTimestamp);
});

test('a cluster-scoped owner (a ClusterRole) owns namespaced dependents in any namespace', async (t) => {
  const a = await namespace('gc-cluster-a');
  const b = await namespace('gc-cluster-b');
  const role = await client.create(CLUSTER_ROLES, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gc-owner' }, rules: [] });
  await configMap(a, 'grant', [ownerRef(role)]);
  await configMap(b, 'grant', [ownerRef(role)]);
  await delay(500);
  t.truthy(await find(CONFIG_MAPS, a, 'grant'), 'a live cluster-scoped owner holds its dependents');
  await client.delete(CLUSTER_ROLES, 'gc-owner');
  await gone(CONFIG_MAPS, a, 'grant');
  await gone(CONFIG_MAPS, b, 'grant');
});

test('a cluster-scoped object naming a namespaced owner is left alone, as kube leaves it; one naming a missing cluster-scoped owner goes', async (t) => {
  const role = (name: string, owner: OwnerReference) =>
    client.create(CLUSTER_ROLES, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, ownerReferences: [owner] }, rules: [] });
  await role('gc-invalid-owner', { apiVersion: 'v1', kind: 'ConfigMap', name: 'somewhere', uid: randomUUID() });
  await role('gc-missing-owner', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'gone', uid: randomUUID() });
  await gone(CLUSTER_ROLES, undefined, 'gc-missing-owner');
  await delay(1000);
  t.truthy(await find(CLUSTER_ROLES, undefined, 'gc-invalid-owner'), 'no namespace to look for the owner in: nothing is decided');
  await client.delete(CLUSTER_ROLES, 'gc-invalid-owner');
});

test('a namespaced owner named from another namespace does not exist there: the dependent goes, with an OwnerRefInvalidNamespace event', async (t) => {
  const home = await namespace('gc-home');
  const away = await namespace('gc-away');
  const owner = await configMap(home, 'owner');
  const dependent = await configMap(away, 'misplaced', [ownerRef(owner)]);
  await gone(CONFIG_MAPS, away, 'misplaced');
  t.truthy(await find(CONFIG_MAPS, home, 'owner'));
  const event = await eventually('the OwnerRefInvalidNamespace event', async () =>
    (await client.list(EVENTS, { namespace: away })).items.find((e) => e.reason === 'OwnerRefInvalidNamespace'));
  t.is(event.type, 'Warning');
  t.is(event.source?.component, 'garbage-collector-controller');
  t.like(event.involvedObject, { kind: 'ConfigMap', namespace: away, name: 'misplaced', uid: dependent.metadata.uid });
  t.is(event.message, `ownerRef [v1/ConfigMap, namespace: ${away}, name: owner, uid: ${owner.metadata.uid}] does not exist in namespace "${away}"`);
});

test('deleting a namespace that holds an orphan-finalized object finishes', async (t) => {
  const ns = await namespace('gc-namespace');
  const owner = await configMap(ns, 'owner');
  await configMap(ns, 'child', [ownerRef(owner)]);
  await kubectlOk(cluster, ['delete', 'configmap', 'owner', '-n', ns, '--cascade=orphan', '--wait=false']);
  await kubectlOk(cluster, ['delete', 'namespace', ns, '--wait=false']);
  await gone(NAMESPACES, undefined, ns, 40_000);
  t.pass();
});
