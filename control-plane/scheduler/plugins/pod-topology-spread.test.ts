import test from 'ava';
import { emptyListers, nodeInfo, nodeObject, podObject, runFilter, runScore, snapshotOf } from '../../../test/scheduler/fixtures.js';
import type { NodeInfo } from '../framework/node-info.js';
import { podTopologySpread } from './pod-topology-spread.js';

const ZONE = 'topology.kubernetes.io/zone';

function nodesWith(counts: Record<string, number>, zones: Record<string, string | undefined>): NodeInfo[] {
  return Object.entries(zones).map(([name, zone]) => {
    const node = nodeObject(name, { zone: zone ?? 'unused' });
    if (!zone) delete node.metadata.labels![ZONE];
    const pods = Array.from({ length: counts[name] ?? 0 }, (_, i) => podObject(`${name}-${i}`, { nodeName: name, labels: { app: 'web' } }));
    return nodeInfo(node, pods);
  });
}

const spread = (maxSkew: number, extra: Record<string, unknown> = {}) => podObject('p', {
  labels: { app: 'web' },
  spec: { topologySpreadConstraints: [{ maxSkew, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra }] },
});

test('DoNotSchedule: a domain may exceed the least loaded one by maxSkew at most; a node without the key is rejected for good', (t) => {
  const nodes = nodesWith({ a: 2, b: 1 }, { a: 'us-east-1a', b: 'us-east-1b', c: 'us-east-1c', bare: undefined });
  const plugin = podTopologySpread(snapshotOf(nodes), emptyListers());
  const skew = { code: 'Unschedulable', reasons: ["node(s) didn't match pod topology spread constraints"] };
  t.deepEqual(runFilter(plugin, spread(1), nodes).byNode, {
    a: skew, b: skew, c: undefined,
    bare: { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"] },
  });
  t.deepEqual(runFilter(plugin, spread(2), nodes).byNode.b, undefined);
  t.is(runFilter(plugin, podObject('free'), nodes).preFilter, 'skip');
});

test('fewer domains than minDomains make the global minimum 0', (t) => {
  const nodes = nodesWith({ a: 1, b: 1, c: 1 }, { a: 'us-east-1a', b: 'us-east-1b', c: 'us-east-1c' });
  const plugin = podTopologySpread(snapshotOf(nodes), emptyListers());
  t.deepEqual(runFilter(plugin, spread(1), nodes).byNode, { a: undefined, b: undefined, c: undefined });
  const rejected = runFilter(plugin, spread(1, { minDomains: 4 }), nodes).byNode;
  t.deepEqual(Object.values(rejected).map((s) => s?.code), ['Unschedulable', 'Unschedulable', 'Unschedulable']);
});

test('system defaults spread a ReplicaSet\'s pods over hosts (maxSkew 3) and zones (maxSkew 5)', (t) => {
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-1', controller: true };
  const nodes = nodesWith({ a1: 2 }, { a1: 'us-east-1a', a2: 'us-east-1a', b1: 'us-east-1b' });
  const listers = emptyListers();
  listers.replicaSets.set({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } } } });
  const plugin = podTopologySpread(snapshotOf(nodes), listers);
  // Raw scores: a1 = 2·ln5+2 + 2·ln4+4 ≈ 12, a2 = 2 + 2·ln4+4 ≈ 9, b1 = 2 + 4 = 6; normalized as 100·(max+min-s)/max.
  t.deepEqual(runScore(plugin, podObject('new', { labels: { app: 'web' }, ownerReferences: [owner] }), nodes), { a1: 50, a2: 75, b1: 100 });
  t.is(runScore(plugin, podObject('loose', { labels: { app: 'web' } }), nodes), 'skip', 'nothing selects it: no default spreading');
});
