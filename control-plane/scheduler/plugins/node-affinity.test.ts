import test from 'ava';
import { nodeInfo, nodeObject, podObject, runFilter, runScore } from '../../../test/scheduler/fixtures.js';
import { CycleState } from '../framework/plugin.js';
import { PodInfo } from '../framework/pod-info.js';
import { nodeAffinity } from './node-affinity.js';

const nodes = () => [
  nodeInfo(nodeObject('a1', { zone: 'us-east-1a', labels: { disk: 'ssd', gen: '5' } })),
  nodeInfo(nodeObject('a2', { zone: 'us-east-1a', labels: { gen: '3' } })),
  nodeInfo(nodeObject('b1', { zone: 'us-east-1b', labels: { disk: 'hdd' } })),
];
const REASON = { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match Pod's node affinity/selector"] };
const required = (...terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });

test('nodeSelector and required terms must both match; terms are ORed, expressions ANDed', (t) => {
  t.is(runFilter(nodeAffinity(), podObject('plain'), nodes()).preFilter, 'skip');
  const selector = runFilter(nodeAffinity(), podObject('s', { spec: { nodeSelector: { disk: 'ssd' } } }), nodes());
  t.deepEqual(selector.byNode, { a1: undefined, a2: REASON, b1: REASON });
  const terms = runFilter(nodeAffinity(), podObject('t', {
    spec: required(
      { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] }, { key: 'gen', operator: 'Gt', values: ['4'] }] },
      { matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }, { key: 'disk', operator: 'Exists' }] },
    ),
  }), nodes());
  t.deepEqual(terms.byNode, { a1: undefined, a2: REASON, b1: undefined });
  const both = runFilter(nodeAffinity(), podObject('b', { spec: { nodeSelector: { disk: 'hdd' }, ...required({ matchExpressions: [{ key: 'gen', operator: 'DoesNotExist' }] }) } }), nodes());
  t.deepEqual(both.byNode, { a1: REASON, a2: REASON, b1: undefined });
});

test('terms naming nodes by metadata.name narrow the search to them; names that cannot meet conflict', (t) => {
  const onA2 = podObject('ds', { spec: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a2'] }] }) });
  t.deepEqual(nodeAffinity().preFilter!(new CycleState(), new PodInfo(onA2), []), { nodeNames: new Set(['a2']) });
  t.deepEqual(runFilter(nodeAffinity(), onA2, nodes()).byNode, { a1: REASON, a2: undefined, b1: REASON });
  const conflict = runFilter(nodeAffinity(), podObject('c', {
    spec: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a1'] }, { key: 'metadata.name', operator: 'In', values: ['b1'] }] }),
  }), nodes());
  t.deepEqual(conflict.preFilter, { code: 'UnschedulableAndUnresolvable', reasons: ['pod affinity terms conflict'] });
});

test('preferred terms add their weights to the nodes they match, scaled to the best', (t) => {
  const pod = podObject('p', {
    spec: {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] }] } },
            { weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
          ],
        },
      },
    },
  });
  t.deepEqual(runScore(nodeAffinity(), pod, nodes()), { a1: 100, a2: 66, b1: 0 });
  t.is(runScore(nodeAffinity(), podObject('none'), nodes()), 'skip');
});
