import test from 'ava';
import type { AnyObject } from '../../client/resource.js';
import { PODS, REPLICA_SETS } from '../../client/resources.js';
import { podObject } from './fixtures.js';
import { boundNode, createNode, createPod, failedScheduling, startSchedulerCluster, type SchedulerCluster } from './scheduler-cluster.js';

let env: SchedulerCluster;
const zoneOf: Record<string, string> = {};

test.before(async () => {
  env = await startSchedulerCluster();
  // Four nodes in zone a, one each in b and c: spreading by host alone would put four of six replicas in zone a.
  const layout: [string, string][] = [['a1', 'a'], ['a2', 'a'], ['a3', 'a'], ['a4', 'a'], ['b1', 'b'], ['c1', 'c']];
  for (const [name, zone] of layout) {
    zoneOf[name] = zone;
    await createNode(env.admin, name, { cpu: '8', memory: '16Gi', zone: `us-east-1${zone}` });
  }
});
test.after.always(async () => { await env?.stop(); });

const perZone = (nodes: string[]) => nodes.reduce<Record<string, number>>((m, n) => ({ ...m, [zoneOf[n]]: (m[zoneOf[n]] ?? 0) + 1 }), {});

test.serial('a ReplicaSet\'s pods spread over zones by kube\'s default constraints, not just over hosts', async (t) => {
  const { admin } = env;
  const rs = await admin.create<AnyObject>(REPLICA_SETS, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.local/web:1' }] } } },
  });
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid!, controller: true };
  const names = Array.from({ length: 6 }, (_, i) => `web-${i}`);
  for (const name of names) await createPod(admin, podObject(name, { cpu: '100m', memory: '128Mi', labels: { app: 'web' }, ownerReferences: [owner] }));
  const nodes = await Promise.all(names.map((n) => boundNode(admin, n)));
  const zones = perZone(nodes);
  t.is(zones.a, 3, JSON.stringify(zones));
  t.true(zones.b >= 1 && zones.c >= 1, JSON.stringify(zones));
  for (const name of names) await admin.delete(PODS, name, { namespace: 'default', gracePeriodSeconds: 0 });
});

test.serial('required anti-affinity on the zone puts one replica per zone', async (t) => {
  const { admin } = env;
  const replica = (name: string) => podObject(name, {
    labels: { app: 'zonal' },
    spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'zonal' } }, topologyKey: 'topology.kubernetes.io/zone' }] } } },
  });
  for (const name of ['zonal-1', 'zonal-2', 'zonal-3']) await createPod(admin, replica(name));
  const nodes = await Promise.all(['zonal-1', 'zonal-2', 'zonal-3'].map((n) => boundNode(admin, n)));
  t.deepEqual(perZone(nodes), { a: 1, b: 1, c: 1 });
  await createPod(admin, replica('zonal-4'));
  await failedScheduling(admin, 'zonal-4', "0/6 nodes are available: 6 node(s) didn't match pod anti-affinity rules. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.");
});

test.serial('a DoNotSchedule constraint over hosts keeps the skew within maxSkew, and says so when it cannot', async (t) => {
  const { admin } = env;
  const spread = (name: string, nodeSelector: Record<string, string>, nodeAffinityPolicy = 'Honor') => podObject(name, {
    labels: { app: 'strict' },
    spec: {
      nodeSelector,
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', nodeAffinityPolicy, labelSelector: { matchLabels: { app: 'strict' } } }],
    },
  });
  const names = ['strict-1', 'strict-2', 'strict-3', 'strict-4'];
  for (const name of names) await createPod(admin, spread(name, { 'topology.kubernetes.io/zone': 'us-east-1a' }));
  const nodes = await Promise.all(names.map((n) => boundNode(admin, n)));
  t.deepEqual([...nodes].sort(), ['a1', 'a2', 'a3', 'a4'], 'one per host: the hosts outside zone a do not count');
  // Counting every host (policy Ignore), b1 and c1 hold none of them: a second pod on a1 would make the skew 2.
  await createPod(admin, spread('strict-5', { 'kubernetes.io/hostname': 'a1' }, 'Ignore'));
  await failedScheduling(admin, 'strict-5', "0/6 nodes are available: 1 node(s) didn't match pod topology spread constraints, "
    + "5 node(s) didn't match Pod's node affinity/selector. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.");
});
