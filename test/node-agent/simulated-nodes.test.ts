import test from 'ava';
import { NODES, PODS, LEASES } from '../../client/resources.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { startSimulatedNodes } from '../helpers/simulated-nodes.js';
import type { AnyObject } from '../../client/resource.js';

let cluster: TestCluster;
test.before(async () => {
  cluster = await startCluster();
});
test.after.always(async () => {
  await cluster?.stop();
});

const pod = (name: string, nodeName: string): AnyObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: { nodeName, containers: [{ name: 'app', image: 'busybox' }], initContainers: [{ name: 'init', image: 'busybox' }] },
});

test.serial('simulated nodes register with capacity, zones and Ready, and renew their Leases', async (t) => {
  const client = adminClient(cluster);
  const sim = await startSimulatedNodes(cluster, { count: 4, zones: ['us-east-1a', 'us-east-1b'], namePrefix: 'reg-', leaseDurationSeconds: 4 });
  try {
    const nodes = (await client.list(NODES)).items.filter((n) => n.metadata.name!.startsWith('reg-'));
    t.is(nodes.length, 4);
    const first = nodes.find((n) => n.metadata.name === 'reg-1')!;
    t.is(first.metadata.labels!['topology.kubernetes.io/zone'], 'us-east-1b');
    t.is(first.metadata.labels!['topology.kubernetes.io/region'], 'us-east-1');
    t.is(first.status.allocatable.cpu, '32');
    t.is(first.status.allocatable['attachable-volumes-aws-ebs'], '25');
    t.is(first.status.conditions.find((c: AnyObject) => c.type === 'Ready').status, 'True');
    const lease = await client.get(LEASES, 'reg-1', { namespace: 'kube-node-lease' });
    t.is(lease.spec.holderIdentity, 'reg-1');
    t.is(lease.metadata.ownerReferences?.[0].uid, first.metadata.uid);
    const renewed = await eventually('a lease renewal', async () => {
      const again = await client.get(LEASES, 'reg-1', { namespace: 'kube-node-lease' });
      return again.spec.renewTime !== lease.spec.renewTime ? again : undefined;
    }, 5000);
    t.true(Date.parse(renewed.spec.renewTime) > Date.parse(lease.spec.renewTime));

    sim.pauseHeartbeat('reg-2');
    const paused = await client.get(LEASES, 'reg-2', { namespace: 'kube-node-lease' });
    await new Promise((r) => setTimeout(r, 2500));
    t.is((await client.get(LEASES, 'reg-2', { namespace: 'kube-node-lease' })).spec.renewTime, paused.spec.renewTime, 'a paused node does not renew');
    sim.resumeHeartbeat('reg-2');
    await eventually('renewal after resume', async () => (await client.get(LEASES, 'reg-2', { namespace: 'kube-node-lease' })).spec.renewTime !== paused.spec.renewTime);

    await sim.setReady('reg-3', false);
    const notReady = await client.get(NODES, 'reg-3');
    t.is(notReady.status.conditions.find((c: AnyObject) => c.type === 'Ready').status, 'False');
  } finally {
    await sim.stop();
  }
  const left = (await client.list(NODES)).items.filter((n) => n.metadata.name!.startsWith('reg-'));
  t.is(left.length, 0, 'stopping removes the nodes');
});

test.serial('pods bound to simulated nodes run, get IPs from the node podCIDR, and finish graceful deletion', async (t) => {
  const client = adminClient(cluster);
  const sim = await startSimulatedNodes(cluster, { count: 2, namePrefix: 'pods-' });
  try {
    const node = await client.get(NODES, 'pods-0');
    await client.update(NODES, { ...node, spec: { ...node.spec, podCIDR: '10.244.7.0/24', podCIDRs: ['10.244.7.0/24'] } });
    await client.create(PODS, pod('a', 'pods-0'));
    await client.create(PODS, pod('b', 'pods-0'));
    await client.create(PODS, pod('c', 'pods-1'));
    const running = await eventually('pods running', async () => {
      const pods = (await client.list(PODS, { namespace: 'default' })).items;
      return pods.length === 3 && pods.every((p) => p.status?.phase === 'Running') ? pods : undefined;
    });
    const byName = Object.fromEntries(running.map((p) => [p.metadata.name, p]));
    t.regex(byName.a.status.podIP, /^10\.244\.7\.\d+$/);
    t.not(byName.a.status.podIP, byName.b.status.podIP);
    t.is(byName.a.status.hostIP, '172.16.0.1');
    t.is(byName.c.status.hostIP, '172.16.0.2');
    const ready = byName.a.status.conditions.find((c: AnyObject) => c.type === 'Ready');
    t.is(ready.status, 'True');
    t.is(byName.a.status.containerStatuses[0].state.running !== undefined, true);
    t.is(byName.a.status.initContainerStatuses[0].state.terminated.reason, 'Completed');

    // A graceful delete leaves the pod Terminating until its node's agent finishes it.
    await client.delete(PODS, 'a', { namespace: 'default', gracePeriodSeconds: 30 });
    await eventually('pod a removed', async () => client.get(PODS, 'a', { namespace: 'default' }).then(() => false, () => true));
    t.pass();
  } finally {
    await sim.stop();
    await client.deleteCollection(PODS, { namespace: 'default', gracePeriodSeconds: 0 });
  }
});

test.serial('options left undefined keep their defaults (as flags not given on the command line)', async (t) => {
  const client = adminClient(cluster);
  const sim = await startSimulatedNodes(cluster, { count: 1, namePrefix: undefined, cpu: undefined, zones: undefined });
  try {
    const node = await client.get(NODES, 'sim-node-0');
    t.is(node.status.allocatable.cpu, '32');
    t.is(node.metadata.labels!['topology.kubernetes.io/zone'], 'us-east-1a');
  } finally {
    await sim.stop();
  }
});

test.serial('a pod held back by a readiness gate is Running but not Ready, with the kubelet\'s reason', async (t) => {
  const client = adminClient(cluster);
  const sim = await startSimulatedNodes(cluster, { count: 1, namePrefix: 'gate-' });
  try {
    await client.create(PODS, { ...pod('gated', 'gate-0'), spec: { ...pod('gated', 'gate-0').spec, readinessGates: [{ conditionType: 'example.com/ready' }] } });
    const running = await eventually('gated pod running', async () => {
      const p = await client.get(PODS, 'gated', { namespace: 'default' });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const ready = running.status.conditions.find((c: AnyObject) => c.type === 'Ready');
    t.is(ready.status, 'False');
    t.is(ready.reason, 'ReadinessGatesNotReady');
    t.is(ready.message, 'corresponding condition of pod readiness gate "example.com/ready" does not exist.');
    const node = await client.get(NODES, 'gate-0');
    t.is(node.metadata.annotations!['volumes.kubernetes.io/controller-managed-attach-detach'], 'true');
  } finally {
    await sim.stop();
    await client.delete(PODS, 'gated', { namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined);
  }
});
