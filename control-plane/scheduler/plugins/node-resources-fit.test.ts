import test from 'ava';
import { nodeInfo, nodeObject, podObject, runFilter, runScore } from '../../../test/scheduler/fixtures.js';
import { balancedAllocation } from './balanced-allocation.js';
import { nodeResourcesFit } from './node-resources-fit.js';

test('what the node has left after its pods must cover the requests; every shortage is a reason', (t) => {
  const full = nodeInfo(nodeObject('full', { cpu: '2', memory: '4Gi', pods: '1' }), [podObject('a', { cpu: '1500m', memory: '3Gi', nodeName: 'full' })]);
  const roomy = nodeInfo(nodeObject('roomy', { cpu: '8', memory: '16Gi', allocatable: { 'example.com/gpu': '1' } }));
  const r = runFilter(nodeResourcesFit(), podObject('p', { cpu: '1', memory: '2Gi' }), [full, roomy]);
  t.deepEqual(r.byNode.full, { code: 'Unschedulable', reasons: ['Too many pods', 'Insufficient cpu', 'Insufficient memory'] });
  t.is(r.byNode.roomy, undefined);
  const gpu = podObject('g', { spec: { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '2', 'ephemeral-storage': '1Gi' } } }] } });
  t.deepEqual(runFilter(nodeResourcesFit(), gpu, [roomy]).byNode.roomy?.reasons, ['Insufficient ephemeral-storage', 'Insufficient example.com/gpu']);
});

test('a pod asking for nothing fits anywhere with a pod slot left', (t) => {
  const node = nodeInfo(nodeObject('n', { cpu: '1', pods: '2' }), [podObject('a', { cpu: '1', nodeName: 'n' })]);
  t.is(runFilter(nodeResourcesFit(), podObject('p'), [node]).byNode.n, undefined);
});

test('LeastAllocated: the share of cpu and memory left free, averaged; missing requests count as 100m/200Mi', (t) => {
  const half = nodeInfo(nodeObject('half', { cpu: '4', memory: '8Gi' }), [podObject('a', { cpu: '1', memory: '2Gi', nodeName: 'half' })]);
  const empty = nodeInfo(nodeObject('empty', { cpu: '4', memory: '8Gi' }));
  t.deepEqual(runScore(nodeResourcesFit(), podObject('p', { cpu: '1', memory: '2Gi' }), [half, empty]), { half: 50, empty: 75 });
  // 100m of 4 cpu leaves 97.5%, 200Mi of 8Gi leaves 97.55%: 97 each.
  t.deepEqual(runScore(nodeResourcesFit(), podObject('bare'), [empty]), { empty: 97 });
});

test('BalancedAllocation: equal cpu and memory shares score 100; a pod asking for nothing is not scored', (t) => {
  const even = nodeInfo(nodeObject('even', { cpu: '4', memory: '8Gi' }), [podObject('a', { cpu: '1', memory: '2Gi', nodeName: 'even' })]);
  const skewed = nodeInfo(nodeObject('skewed', { cpu: '4', memory: '8Gi' }), [podObject('b', { cpu: '3', nodeName: 'skewed' })]);
  // even: 0.5 and 0.5; skewed: cpu 1.0, memory 0.25, std 0.375.
  t.deepEqual(runScore(balancedAllocation(), podObject('p', { cpu: '1', memory: '2Gi' }), [even, skewed]), { even: 100, skewed: 62 });
  t.is(runScore(balancedAllocation(), podObject('bare'), [even]), 'skip');
});
