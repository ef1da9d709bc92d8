import test from 'ava';
import { changedCondition, isPodActive, isPodReady, isPodTerminal, podCondition, podReadySince } from './pod-status.js';

const readyAt = '2024-05-01T10:00:00Z';
const pod = (status: Record<string, unknown>, deleting = false) => ({ metadata: { name: 'p', ...(deleting ? { deletionTimestamp: readyAt } : {}) }, status });

test('readiness comes from the Ready condition, and since when from its transition time', (t) => {
  const ready = pod({ phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True', lastTransitionTime: readyAt }] });
  t.is(podCondition(ready, 'Initialized')?.status, 'True');
  t.true(isPodReady(ready));
  t.is(podReadySince(ready), Date.parse(readyAt));
  t.false(isPodReady(pod({ conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: readyAt }] })));
  t.is(podReadySince(pod({ conditions: [{ type: 'Ready', status: 'True' }] })), undefined, 'no transition time, no since');
  t.false(isPodReady(pod({})));
});

test('a pod is terminal once Succeeded or Failed, and active until terminal or deleted', (t) => {
  t.true(isPodTerminal(pod({ phase: 'Succeeded' })));
  t.true(isPodTerminal(pod({ phase: 'Failed' })));
  t.false(isPodTerminal(pod({ phase: 'Running' })));
  t.false(isPodTerminal(pod({})));
  t.true(isPodActive(pod({ phase: 'Pending' })));
  t.false(isPodActive(pod({ phase: 'Running' }, true)));
  t.false(isPodActive(pod({ phase: 'Failed' })));
});

test('a condition already carried is not written again; a changed status gets a new transition time', (t) => {
  const carried = { type: 'Ready', status: 'False', reason: 'NodeNotReady', lastTransitionTime: readyAt };
  t.is(changedCondition(pod({ conditions: [carried] }), { type: 'Ready', status: 'False', reason: 'NodeNotReady' }), undefined);
  const changed = changedCondition(pod({ conditions: [{ ...carried, status: 'True' }] }), { type: 'Ready', status: 'False', reason: 'NodeNotReady' });
  t.is(changed?.status, 'False');
  t.not(changed?.lastTransitionTime, readyAt);
});
