import test from 'ava';
import { EC2Client, StartInstancesCommand, StopInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { isNotFound } from '../../client/api-error.js';
import { EVENTS, NODES } from '../../client/resources.js';
import { adminClient } from '../helpers/apiserver.js';
import { startAwsNodes, startCloudControllerManager, startCloudTestbed, type AwsNodes, type CloudTestbed } from '../helpers/cloud.js';
import { startFaultProxy, type FaultProxy } from '../helpers/aws-fault-proxy.js';
import { eventually } from '../helpers/eventually.js';

let bed: CloudTestbed;
/** A pass-through proxy in front of moto, until a test has it answer throttling and server errors. */
let faulty: FaultProxy;
/** The test's own way to the endpoint, around the proxy. */
let direct: EC2Client;
test.before(async () => {
  bed = await startCloudTestbed({ controllers: false });
  faulty = await startFaultProxy(bed.endpoint.url, { throttleShare: 0, errorShare: 0, maxLatencyMs: 0 });
  // Every client of this process, the cloud-controller-manager's included, now goes through the proxy.
  process.env.AWS_ENDPOINT_URL = faulty.url;
  direct = new EC2Client({ region: bed.endpoint.region, endpoint: bed.endpoint.url });
});
test.after.always(async () => {
  direct?.destroy();
  if (bed) process.env.AWS_ENDPOINT_URL = bed.endpoint.url;
  await faulty?.stop();
  await bed?.stop();
});

const SHUTDOWN = 'node.cloudprovider.kubernetes.io/shutdown';
const taintKeys = (node: any): string[] => (node.spec.taints ?? []).map((x: any) => x.key);

async function withLifecycle(prefix: string, count: number, fn: (nodes: AwsNodes, client: ReturnType<typeof adminClient>) => Promise<void>): Promise<void> {
  const nodes = await startAwsNodes(bed, count, { namePrefix: prefix });
  const client = adminClient(bed.cluster);
  const ccm = await startCloudControllerManager(bed, { controllers: ['cloud-node', 'cloud-node-lifecycle'], nodeMonitorPeriodMs: 200 });
  try {
    for (const inst of nodes.instances) await eventually(`${inst.name} initialized`, async () => (await client.get(NODES, inst.name)).spec.providerID);
    await fn(nodes, client);
  } finally {
    await ccm.stop();
    await nodes.stop();
    client.close();
  }
}

const gone = (client: ReturnType<typeof adminClient>, name: string) => client.get(NODES, name).then(() => false, (err) => {
  if (isNotFound(err)) return true;
  throw err;
});

test.serial('the node of a terminated instance is deleted once it is NotReady, with a DeletingNode event; the others stay', async (t) => {
  await withLifecycle('term-', 2, async (nodes, client) => {
    const [doomed, kept] = nodes.instances;
    const uid = (await client.get(NODES, doomed.name)).metadata.uid;
    await direct.send(new TerminateInstancesCommand({ InstanceIds: [doomed.instanceId] }));
    await nodes.nodes.setReady(doomed.name, false);
    await eventually('node deleted', () => gone(client, doomed.name));
    const event = await eventually('DeletingNode event', async () =>
      (await client.list(EVENTS, { namespace: 'default' })).items.find((e: any) => e.reason === 'DeletingNode' && e.involvedObject.name === doomed.name));
    t.is(event.type, 'Normal');
    t.is(event.source.component, 'cloud-node-lifecycle-controller');
    t.is(event.involvedObject.uid, uid);
    t.is(event.message, `Deleting node ${doomed.name} because it does not exist in the cloud provider`);
    t.false(await gone(client, kept.name));
  });
});

test.serial('a stopped instance\'s NotReady node gets the shutdown taint and is not deleted; running and Ready again, the taint goes', async (t) => {
  await withLifecycle('stop-', 1, async (nodes, client) => {
    const [inst] = nodes.instances;
    await direct.send(new StopInstancesCommand({ InstanceIds: [inst.instanceId] }));
    await nodes.nodes.setReady(inst.name, false);
    const tainted = await eventually('shutdown taint', async () => {
      const n = await client.get(NODES, inst.name);
      return taintKeys(n).includes(SHUTDOWN) && n;
    });
    t.deepEqual(tainted.spec.taints.find((x: any) => x.key === SHUTDOWN).effect, 'NoSchedule');
    await direct.send(new StartInstancesCommand({ InstanceIds: [inst.instanceId] }));
    await nodes.nodes.setReady(inst.name, true);
    await eventually('shutdown taint removed', async () => !taintKeys(await client.get(NODES, inst.name)).includes(SHUTDOWN));
    t.false(await gone(client, inst.name));
  });
});

test.serial('AWS errors and throttling never delete a node: its terminated instance\'s node goes only once AWS answers', async (t) => {
  await withLifecycle('fault-', 1, async (nodes, client) => {
    const [inst] = nodes.instances;
    // Every call of the cloud-controller-manager fails, half throttled, half with a server error.
    faulty.set({ throttleShare: 0.5, errorShare: 0.5 });
    try {
      await direct.send(new TerminateInstancesCommand({ InstanceIds: [inst.instanceId] }));
      await nodes.nodes.setReady(inst.name, false);
      // Several monitor passes' worth of failed lookups, each retried by the SDK.
      const failedBefore = faulty.injected.throttled + faulty.injected.errors;
      await eventually('failed lookups', () => faulty.injected.throttled + faulty.injected.errors >= failedBefore + 12, 60_000);
      t.false(await gone(client, inst.name));
    } finally {
      faulty.set({ throttleShare: 0, errorShare: 0 });
    }
    await eventually('node deleted once AWS answers', () => gone(client, inst.name), 60_000);
    t.pass();
  });
});
