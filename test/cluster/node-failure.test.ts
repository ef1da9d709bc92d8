import test from 'ava';
import type { AnyObject } from '../../client/resource.js';
import { DEPLOYMENTS, NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { SimulatedNodes } from '../../node-agent/simulator/simulated-nodes.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { startScheduler, type RunningScheduler } from '../helpers/scheduler.js';
import { startSimulatedNodes } from '../helpers/simulated-nodes.js';

let cluster: TestCluster;
let client: RestClient;
let scheduler: RunningScheduler;
let sim: SimulatedNodes;

test.before(async () => {
  // The whole control plane with kube's defaults, but a node is judged dead after 3 s instead of 40 s.
  cluster = await startCluster({}, { controllers: { nodeMonitorPeriodMs: 500, nodeMonitorGracePeriodMs: 3000, nodeStartupGracePeriodMs: 3000, allocateNodeCidrs: true, clusterCidr: '10.244.0.0/16' } });
  client = adminClient(cluster);
  scheduler = await startScheduler(cluster);
  sim = await startSimulatedNodes(cluster, { count: 3, leaseDurationSeconds: 4 });
});
test.after.always(async () => {
  await sim?.stop();
  await scheduler?.stop();
  client?.close();
  await cluster?.stop();
});

const ready = (o: AnyObject, type = 'Ready') => o.status?.conditions?.find((c: AnyObject) => c.type === type)?.status;

test.serial('a node that stops renewing its Lease is tainted, and its pods are replaced on the other nodes', async (t) => {
  await client.create(DEPLOYMENTS, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 6, selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'web', image: 'busybox', resources: { requests: { cpu: '100m' } } }],
          // Evicted 1 s after the node is found unreachable, instead of the default 300 s.
          tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }],
        },
      },
    },
  });
  const before: AnyObject[] = await eventually('6 pods running', async () => {
    const pods = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=web' })).items;
    return pods.length === 6 && pods.every((p) => ready(p) === 'True') ? pods : undefined;
  }, 30_000);
  const nodes = (await client.list(NODES)).items;
  t.is(new Set(nodes.map((n) => n.spec.podCIDR)).size, 3, 'every node has its own pod range');
  for (const p of before) {
    const node = nodes.find((n) => n.metadata.name === p.spec.nodeName)!;
    t.true(p.status.podIP.startsWith(node.spec.podCIDR.split('.').slice(0, 3).join('.') + '.'), 'pod IPs come from their node\'s range');
  }
  const victim = before[0].spec.nodeName as string;
  const onVictim = before.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);

  sim.pauseHeartbeat(victim);
  const tainted = await eventually(`${victim} tainted unreachable`, async () => {
    const node = await client.get(NODES, victim);
    const keys = (node.spec.taints ?? []).map((x: AnyObject) => `${x.key}:${x.effect}`);
    return ready(node) === 'Unknown' && keys.includes('node.kubernetes.io/unreachable:NoExecute') && keys.includes('node.kubernetes.io/unreachable:NoSchedule') ? node : undefined;
  }, 20_000);
  t.is(tainted.status.conditions.find((c: AnyObject) => c.type === 'Ready').reason, 'NodeStatusUnknown');

  const after: AnyObject[] = await eventually('6 ready pods elsewhere', async () => {
    const pods = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=web' })).items;
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    return live.length === 6 && live.every((p) => p.spec.nodeName !== victim && ready(p) === 'True') ? pods : undefined;
  }, 30_000);
  // The pods on the dead node were evicted; with no agent to finish them they stay Terminating there.
  const evicted = after.filter((p) => onVictim.includes(p.metadata.name));
  t.is(evicted.length, onVictim.length);
  t.true(evicted.every((p) => p.metadata.deletionTimestamp && ready(p, 'DisruptionTarget') === 'True'));
  await eventually('the Deployment available again', async () => (await client.get(DEPLOYMENTS, 'web', { namespace: 'default' })).status?.availableReplicas === 6);

  // The agent comes back: the taints go and it finishes the evicted pods.
  sim.resumeHeartbeat(victim);
  await eventually(`${victim} Ready again and untainted`, async () => {
    const node = await client.get(NODES, victim);
    return ready(node) === 'True' && !(node.spec.taints ?? []).some((x: AnyObject) => x.key === 'node.kubernetes.io/unreachable');
  }, 20_000);
  await eventually('the evicted pods gone', async () => {
    const pods = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=web' })).items;
    return pods.length === 6;
  }, 20_000);
  t.pass();
});
