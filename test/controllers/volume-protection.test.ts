import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { isNotFound } from '../../client/api-error.js';
import type { AnyObject, ResourceRef } from '../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { SimulatedNodes } from '../../node-agent/simulator/simulated-nodes.js';
import { adminClient, startCluster, type TestCluster, podNamespace } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { startSimulatedNodes } from '../helpers/simulated-nodes.js';

type Fields = Record<string, any>;

let cluster: TestCluster;
let client: RestClient;
let nodes: SimulatedNodes;
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['persistentvolume-binder', 'pvc-protection', 'pv-protection'] } });
  client = adminClient(cluster);
  nodes = await startSimulatedNodes(cluster, { count: 1, namePrefix: 'protect-' });
});
test.after.always(async () => {
  await nodes?.stop();
  client?.close();
  await cluster?.stop();
});

// How long a protected object is watched to stay; the controllers act within milliseconds when they act.
const HELD_MS = 1500;

const namespace = (name: string) => podNamespace(client, name);

const claim = (ns: string, name: string, spec: Fields = {}): AnyObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '', ...spec },
});

const volume = (name: string, spec: Fields = {}): AnyObject => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], nfs: { server: 'nfs.example.com', path: `/exports/${name}` }, ...spec },
});

const pod = (ns: string, name: string, claimName: string, nodeName?: string): AnyObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
  spec: {
    ...(nodeName ? { nodeName } : {}),
    containers: [{ name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
  },
});

async function gone(ref: ResourceRef, name: string, namespace?: string): Promise<void> {
  await eventually(`${ref.resource} ${name} to be gone`, async () => {
    try {
      await client.get(ref, name, { namespace });
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  });
}

test('new claims and volumes carry their protection finalizer', async (t) => {
  const ns = await namespace('admitted');
  const pvc = await client.create(PERSISTENT_VOLUME_CLAIMS, { ...claim(ns, 'c'), metadata: { name: 'c', namespace: ns, finalizers: ['example.com/keep'] } });
  t.deepEqual(pvc.metadata.finalizers, ['example.com/keep', 'kubernetes.io/pvc-protection']);
  const pv = await client.create(PERSISTENT_VOLUMES, volume('admitted-pv', { storageClassName: 'admitted' }));
  t.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);
  const again = await client.create(PERSISTENT_VOLUMES, { ...volume('admitted-twice', { storageClassName: 'admitted' }), metadata: { name: 'admitted-twice', finalizers: ['kubernetes.io/pv-protection'] } });
  t.deepEqual(again.metadata.finalizers, ['kubernetes.io/pv-protection']);
});

test('a claim in use by a scheduled pod is kept until the pod is gone', async (t) => {
  const ns = await namespace('in-use');
  const node = nodes.nodes[0].name;
  await client.create(PERSISTENT_VOLUME_CLAIMS, claim(ns, 'used'));
  await client.create(PODS, pod(ns, 'user', 'used', node));
  await eventually('the pod to run', async () => (await client.get(PODS, 'user', { namespace: ns })).status?.phase === 'Running');
  // A pod not yet scheduled cannot have mounted the claim: it does not hold it.
  await client.create(PERSISTENT_VOLUME_CLAIMS, claim(ns, 'unscheduled'));
  await client.create(PODS, pod(ns, 'waiting', 'unscheduled'));

  await client.delete(PERSISTENT_VOLUME_CLAIMS, 'used', { namespace: ns });
  await client.delete(PERSISTENT_VOLUME_CLAIMS, 'unscheduled', { namespace: ns });
  await gone(PERSISTENT_VOLUME_CLAIMS, 'unscheduled', ns);
  await delay(HELD_MS);
  const held = await client.get(PERSISTENT_VOLUME_CLAIMS, 'used', { namespace: ns });
  t.truthy(held.metadata.deletionTimestamp);
  t.deepEqual(held.metadata.finalizers, ['kubernetes.io/pvc-protection']);

  await client.delete(PODS, 'user', { namespace: ns });
  await gone(PODS, 'user', ns);
  await gone(PERSISTENT_VOLUME_CLAIMS, 'used', ns);
  t.pass();
});

test('a claim that lost its finalizer gets it back', async (t) => {
  const ns = await namespace('refinalize');
  await client.create(PERSISTENT_VOLUME_CLAIMS, claim(ns, 'bare'));
  await client.patch(PERSISTENT_VOLUME_CLAIMS, 'bare', 'merge', { metadata: { finalizers: null } }, { namespace: ns });
  const back = await eventually('the finalizer back', async () => {
    const c = await client.get(PERSISTENT_VOLUME_CLAIMS, 'bare', { namespace: ns });
    return c.metadata.finalizers?.includes('kubernetes.io/pvc-protection') ? c : undefined;
  });
  t.deepEqual(back.metadata.finalizers, ['kubernetes.io/pvc-protection']);
});

test('a bound volume is kept until its claim lets go of it', async (t) => {
  const ns = await namespace('bound-pv');
  await client.create(PERSISTENT_VOLUMES, volume('held-pv', { storageClassName: 'held' }));
  await client.create(PERSISTENT_VOLUME_CLAIMS, claim(ns, 'holder', { storageClassName: 'held' }));
  await eventually('the volume to be Bound', async () => (await client.get(PERSISTENT_VOLUMES, 'held-pv')).status?.phase === 'Bound');

  await client.delete(PERSISTENT_VOLUMES, 'held-pv');
  await delay(HELD_MS);
  const held = await client.get(PERSISTENT_VOLUMES, 'held-pv');
  t.truthy(held.metadata.deletionTimestamp);
  t.is(held.status.phase, 'Bound');
  t.deepEqual(held.metadata.finalizers, ['kubernetes.io/pv-protection']);
  t.is((await client.get(PERSISTENT_VOLUME_CLAIMS, 'holder', { namespace: ns })).status.phase, 'Bound');

  await client.delete(PERSISTENT_VOLUME_CLAIMS, 'holder', { namespace: ns });
  await gone(PERSISTENT_VOLUMES, 'held-pv');

  await client.create(PERSISTENT_VOLUMES, volume('free-pv', { storageClassName: 'free' }));
  await eventually('the volume to be Available', async () => (await client.get(PERSISTENT_VOLUMES, 'free-pv')).status?.phase === 'Available');
  await client.delete(PERSISTENT_VOLUMES, 'free-pv');
  await gone(PERSISTENT_VOLUMES, 'free-pv');
});
