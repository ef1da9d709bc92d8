import test from 'ava';
import { PODS } from '../../client/resources.js';
import { eventually } from '../helpers/eventually.js';
import { podObject } from './fixtures.js';
import { boundNode, createNode, createPod, failedScheduling, startSchedulerCluster, type SchedulerCluster } from './scheduler-cluster.js';

let env: SchedulerCluster;
test.before(async () => { env = await startSchedulerCluster(); });
test.after.always(async () => { await env?.stop(); });

const PREEMPTION = (n: number) => `preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;

const podScheduled = async (name: string) => (await env.admin.get(PODS, name, { namespace: 'default' })).status?.conditions?.find((c: any) => c.type === 'PodScheduled');

test.serial('with no nodes a pod waits with kube\'s "no nodes available" and is scheduled once a node registers', async (t) => {
  const { admin } = env;
  await createPod(admin, podObject('early'));
  await failedScheduling(admin, 'early', 'no nodes available to schedule pods');
  t.like(await eventually('PodScheduled=False', podScheduled.bind(null, 'early')), { status: 'False', reason: 'Unschedulable', message: 'no nodes available to schedule pods' });
  await createNode(admin, 'first', { cpu: '1', memory: '2Gi', zone: 'us-east-1a' });
  t.is(await boundNode(admin, 'early'), 'first');
});

test.serial('an unschedulable pod gets kube\'s FailedScheduling text and PodScheduled=False, and is placed when resources are freed', async (t) => {
  const { admin } = env;
  await createPod(admin, podObject('hog', { cpu: '700m' }));
  t.is(await boundNode(admin, 'hog'), 'first');
  await createPod(admin, podObject('waiter', { cpu: '700m' }));
  const message = `0/1 nodes are available: 1 Insufficient cpu. ${PREEMPTION(1)}`;
  const event = await failedScheduling(admin, 'waiter', message);
  t.like(event, { type: 'Warning', source: { component: 'default-scheduler' }, involvedObject: { kind: 'Pod', name: 'waiter' } });
  t.like(await eventually('PodScheduled=False', async () => {
    const c = await podScheduled('waiter');
    return c?.message === message ? c : undefined;
  }), { status: 'False', reason: 'Unschedulable' });
  await admin.delete(PODS, 'hog', { namespace: 'default', gracePeriodSeconds: 0 });
  t.is(await boundNode(admin, 'waiter'), 'first');
  t.like(await podScheduled('waiter'), { status: 'True' });
});

test.serial('a pod no node suits waits until a node that suits it is added', async (t) => {
  const { admin } = env;
  await createPod(admin, podObject('picky', { spec: { nodeSelector: { pool: 'batch' } } }));
  await failedScheduling(admin, 'picky', `0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. ${PREEMPTION(1)}`);
  await createNode(admin, 'cordoned', { zone: 'us-east-1b', labels: { pool: 'batch' }, unschedulable: true });
  await failedScheduling(admin, 'picky', `0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable. ${PREEMPTION(2)}`);
  await createNode(admin, 'batch', { zone: 'us-east-1b', labels: { pool: 'batch' } });
  t.is(await boundNode(admin, 'picky'), 'batch');
});

test.serial('a pod with scheduling gates is not attempted until the gates are removed', async (t) => {
  const { admin } = env;
  await createPod(admin, podObject('gated', { spec: { schedulingGates: [{ name: 'example.com/quota' }] } }));
  await new Promise((r) => setTimeout(r, 1500));
  const pod = await admin.get(PODS, 'gated', { namespace: 'default' });
  t.falsy(pod.spec.nodeName);
  t.notRegex(JSON.stringify(pod.status?.conditions ?? []), /Unschedulable/, 'a gated pod is never attempted');
  await admin.patch(PODS, 'gated', 'json', [{ op: 'remove', path: '/spec/schedulingGates' }], { namespace: 'default' });
  t.truthy(await boundNode(admin, 'gated'));
});

test.serial('a node that stopped reporting Ready gets no new pods, unless they tolerate its implied taint', async (t) => {
  const { admin } = env;
  await createNode(admin, 'silent', { zone: 'us-east-1c', labels: { pool: 'edge' }, ready: 'Unknown' });
  await createPod(admin, podObject('edge', { spec: { nodeSelector: { pool: 'edge' } } }));
  // Each node reports the first filter that rejects it: cordoning is checked before taints, taints before selectors.
  await failedScheduling(admin, 'edge', '0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, '
    + `1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector. ${PREEMPTION(4)}`);
  await createPod(admin, podObject('edge-daemon', {
    spec: { nodeSelector: { pool: 'edge' }, tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }] },
  }));
  t.is(await boundNode(admin, 'edge-daemon'), 'silent');
});
