import test from 'ava';
import { nodeInfo, nodeObject, podObject, runFilter } from '../../../test/scheduler/fixtures.js';
import { nodeUnschedulable } from './node-unschedulable.js';

test('a cordoned node is unschedulable unless the pod tolerates node.kubernetes.io/unschedulable:NoSchedule', (t) => {
  const nodes = [nodeInfo(nodeObject('open')), nodeInfo(nodeObject('cordoned', { unschedulable: true }))];
  const plain = runFilter(nodeUnschedulable(), podObject('p'), nodes);
  t.is(plain.byNode.open, undefined);
  t.deepEqual(plain.byNode.cordoned, { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'] });
  const tolerating = runFilter(nodeUnschedulable(), podObject('ds', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }), nodes);
  t.is(tolerating.byNode.cordoned, undefined);
});
