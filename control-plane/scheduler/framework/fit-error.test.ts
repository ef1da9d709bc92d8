import test from 'ava';
import { FitError, fitErrorMessage, preemptionMessage } from './fit-error.js';
import { unresolvable, unschedulable } from './plugin.js';

const taint = unresolvable('node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }');

test('reasons are counted per node and sorted as strings, then preemption says why it cannot help', (t) => {
  const nodeStatuses = new Map([
    ['a', unschedulable('Insufficient cpu')],
    ['b', taint],
    ['c', taint],
  ]);
  const message = new FitError(3, { nodeStatuses, unschedulablePlugins: new Set(), postFilterMsg: preemptionMessage({}, 3) }).message;
  t.is(message, '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. '
    + 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
});

test('a node with several reasons counts in each; counts sort as text, as Go sorts them', (t) => {
  const nodeStatuses = new Map<string, ReturnType<typeof unschedulable>>();
  for (let i = 0; i < 10; i++) nodeStatuses.set(`n${i}`, unschedulable('Insufficient cpu', 'Insufficient memory'));
  nodeStatuses.set('x', unschedulable('Too many pods'));
  nodeStatuses.set('y', unschedulable('Too many pods'));
  t.is(fitErrorMessage(12, { nodeStatuses, unschedulablePlugins: new Set() }),
    '0/12 nodes are available: 10 Insufficient cpu, 10 Insufficient memory, 2 Too many pods.');
});

test('a PreFilter rejection is the whole message; nodes left out by a PreFilter result count with its status', (t) => {
  t.is(fitErrorMessage(3, {
    nodeStatuses: new Map(), absentStatus: unresolvable('pod has unbound immediate PersistentVolumeClaims'),
    preFilterMsg: 'pod has unbound immediate PersistentVolumeClaims', unschedulablePlugins: new Set(), postFilterMsg: preemptionMessage({}, 3),
  }), '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  t.is(fitErrorMessage(4, {
    nodeStatuses: new Map([['a', unschedulable('Insufficient cpu')]]),
    absentStatus: unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]"), unschedulablePlugins: new Set(),
  }), "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity].");
});

test('a pod that may not preempt gets kube\'s reason instead', (t) => {
  t.is(preemptionMessage({ spec: { preemptionPolicy: 'Never' } }, 5), 'preemption: not eligible due to preemptionPolicy=Never.');
});
