import test from 'ava';
import { PODS } from '../../client/resources.js';
import { eventually } from '../helpers/eventually.js';
import { podObject } from './fixtures.js';
import { boundNode, createNode, createPod, eventsFor, startSchedulerCluster, type SchedulerCluster } from './scheduler-cluster.js';

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
