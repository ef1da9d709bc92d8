import test from 'ava';
import { PODS } from '../../client/resources.js';
import { eventually } from '../helpers/eventually.js';
import { podObject } from './fixtures.js';
import { boundNode, createNode, createPod, eventsFor, failedScheduling, startSchedulerCluster, type SchedulerCluster } from './scheduler-cluster.js';

let env: SchedulerCluster;

test.before(async () => {
  env = await startSchedulerCluster();
  const { admin } = env;
  await createNode(admin, 'big', { cpu: '8', memory: '16Gi', zone: 'us-east-1a', labels: { disk: 'ssd' } });
  await createNode(admin, 'small', { cpu: '1', memory: '2Gi', zone: 'us-east-1b' });
  await createNode(admin, 'control', {
    cpu: '16', memory: '32Gi', zone: 'us-east-1c',
    labels: { 'node-role.kubernetes.io/control-plane': '' },
    taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
  });
});
test.after.always(async () => { await env?.stop(); });

test('a pod lands on the one node with room for its requests, with a Scheduled event and PodScheduled=True', async (t) => {
  const { admin } = env;
  await createPod(admin, podObject('needs-cpu', { cpu: '3', memory: '1Gi' }));
  t.is(await boundNode(admin, 'needs-cpu'), 'big');
  const pod = await admin.get(PODS, 'needs-cpu', { namespace: 'default' });
  t.like(pod.status.conditions.find((c: any) => c.type === 'PodScheduled'), { status: 'True' });
  const event = await eventually('Scheduled event', async () => (await eventsFor(admin, 'needs-cpu', 'Scheduled'))[0]);
  t.like(event, { type: 'Normal', message: 'Successfully assigned default/needs-cpu to big', source: { component: 'default-scheduler' } });
});

test('nodeSelector picks the labelled node; a tolerating pod may use the tainted control plane', async (t) => {
  const { admin } = env;
  await createPod(admin, podObject('wants-ssd', { spec: { nodeSelector: { disk: 'ssd' } } }));
  t.is(await boundNode(admin, 'wants-ssd'), 'big');
  await createPod(admin, podObject('on-control-plane', {
    spec: {
      nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
      tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
    },
  }));
  t.is(await boundNode(admin, 'on-control-plane'), 'control');
});

test('required node affinity and host ports: a second pod wanting a taken host port goes elsewhere or waits', async (t) => {
  const { admin } = env;
  const port = (name: string) => podObject(name, {
    spec: {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a', 'us-east-1b'] }] }] } } },
      containers: [{ name: 'proxy', image: 'registry.local/proxy:1', ports: [{ containerPort: 80, hostPort: 8443 }] }],
    },
  });
  await createPod(admin, port('proxy-1'));
  await createPod(admin, port('proxy-2'));
  const placed = [await boundNode(admin, 'proxy-1'), await boundNode(admin, 'proxy-2')].sort();
  t.deepEqual(placed, ['big', 'small']);
  await createPod(admin, port('proxy-3'));
  await failedScheduling(admin, 'proxy-3', '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, '
    + "2 node(s) didn't have free ports for the requested pod ports. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
});

test('required anti-affinity on the hostname keeps replicas apart; the one too many waits with kube\'s reason', async (t) => {
  const { admin } = env;
  const replica = (name: string) => podObject(name, {
    labels: { app: 'solo' },
    spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'solo' } }, topologyKey: 'kubernetes.io/hostname' }] } } },
  });
  await createPod(admin, replica('solo-1'));
  await createPod(admin, replica('solo-2'));
  t.deepEqual([await boundNode(admin, 'solo-1'), await boundNode(admin, 'solo-2')].sort(), ['big', 'small']);
  await createPod(admin, replica('solo-3'));
  await failedScheduling(admin, 'solo-3', "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
    + "2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
});
