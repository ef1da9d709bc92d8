import test from 'ava';
import { nodeInfo, nodeObject, podObject, runFilter, runScore } from '../../../test/scheduler/fixtures.js';
import { taintToleration } from './taint-toleration.js';

test('an untolerated NoSchedule or NoExecute taint rejects the node, named as kube names it', (t) => {
  const nodes = [
    nodeInfo(nodeObject('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] })),
    nodeInfo(nodeObject('gpu', { taints: [{ key: 'gpu', value: 'true', effect: 'NoExecute' }] })),
    nodeInfo(nodeObject('soft', { taints: [{ key: 'spot', value: 'yes', effect: 'PreferNoSchedule' }] })),
  ];
  const r = runFilter(taintToleration(), podObject('p'), nodes);
  t.deepEqual(r.byNode.cp, { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'] });
  t.deepEqual(r.byNode.gpu?.reasons, ['node(s) had untolerated taint {gpu: true}']);
  t.is(r.byNode.soft, undefined);
  const tolerant = runFilter(taintToleration(), podObject('p', { spec: { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'true' }, { operator: 'Exists', key: 'node-role.kubernetes.io/control-plane' }] } }), nodes);
  t.deepEqual(tolerant.byNode, { cp: undefined, gpu: undefined, soft: undefined });
});

test('readiness implies the lifecycle controller\'s taints before it writes them: False is not-ready, Unknown or missing unreachable', (t) => {
  const nodes = [
    nodeInfo(nodeObject('down', { ready: 'False' })),
    nodeInfo(nodeObject('silent', { ready: 'Unknown' })),
    nodeInfo(nodeObject('new', { ready: 'missing' })),
    nodeInfo(nodeObject('tainted', { ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] })),
  ];
  const r = runFilter(taintToleration(), podObject('p'), nodes);
  t.deepEqual(r.byNode.down?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  t.deepEqual(r.byNode.silent?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
  t.deepEqual(r.byNode.new?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
  t.is(nodes[3].noScheduleTaints.length, 1, 'a taint already written is not doubled');
  const daemon = runFilter(taintToleration(), podObject('ds', { spec: { tolerations: [{ operator: 'Exists' }] } }), nodes);
  t.deepEqual(Object.values(daemon.byNode), [undefined, undefined, undefined, undefined]);
});

test('fewer untolerated PreferNoSchedule taints score higher', (t) => {
  const soft = (key: string) => ({ key, effect: 'PreferNoSchedule' });
  const nodes = [
    nodeInfo(nodeObject('clean')),
    nodeInfo(nodeObject('one', { taints: [soft('a')] })),
    nodeInfo(nodeObject('two', { taints: [soft('a'), soft('b')] })),
    nodeInfo(nodeObject('tolerated', { taints: [soft('c')] })),
  ];
  t.deepEqual(runScore(taintToleration(), podObject('p', { spec: { tolerations: [{ key: 'c', operator: 'Exists', effect: 'PreferNoSchedule' }] } }), nodes),
    { clean: 100, one: 50, two: 0, tolerated: 100 });
});
