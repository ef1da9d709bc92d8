import test from 'ava';
import { StartInstancesCommand, StopInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { isNotFound } from '../../client/api-error.js';
import type { AnyObject } from '../../client/resource.js';
import { NODES } from '../../client/resources.js';
import { nodeCondition } from '../../api/node-status.js';
import { adminClient } from '../helpers/apiserver.js';
import { startAwsNodes, startCloudControllerManager, startCloudTestbed, type AwsNodes, type CloudTestbed, type RunningCloudControllerManager } from '../helpers/cloud.js';
import { eventually } from '../helpers/eventually.js';

// Node lifecycle as kube runs it, with its grace period shortened so a silent node is Unknown within seconds.
let bed: CloudTestbed;
let nodes: AwsNodes;
let ccm: RunningCloudControllerManager;
test.before(async () => {
  bed = await startCloudTestbed({ clusterName: 'power', controllers: { nodeMonitorPeriodMs: 250, nodeMonitorGracePeriodMs: 2_000, nodeStartupGracePeriodMs: 2_000 } });
  nodes = await startAwsNodes(bed, 2, { instanceStatePeriodMs: 200, leaseDurationSeconds: 2 });
  ccm = await startCloudControllerManager(bed, { controllers: ['cloud-node', 'cloud-node-lifecycle'], nodeMonitorPeriodMs: 200 });
});
test.after.always(async () => {
  await ccm?.stop();
  await nodes?.stop();
  await bed?.stop();
});

const taintKeys = (node: AnyObject): string[] => (node.spec?.taints ?? []).map((t: AnyObject) => t.key);

test.serial('a node whose instance is stopped in the endpoint goes silent and gets the shutdown taint; started again, it is Ready without it', async (t) => {
  const client = adminClient(bed.cluster);
  try {
    const [inst] = nodes.instances;
    await eventually('initialized', async () => (await client.get(NODES, inst.name)).spec.providerID);
    await bed.aws.ec2.send(new StopInstancesCommand({ InstanceIds: [inst.instanceId] }));
    const down = await eventually('the shutdown taint', async () => {
      const node = await client.get(NODES, inst.name);
      return taintKeys(node).includes('node.cloudprovider.kubernetes.io/shutdown') && node;
    }, 30_000, 200);
    t.is(nodeCondition(down.status, 'Ready')?.status, 'Unknown', 'no agent posts for a stopped instance');
    await bed.aws.ec2.send(new StartInstancesCommand({ InstanceIds: [inst.instanceId] }));
    const up = await eventually('Ready without the taint', async () => {
      const node = await client.get(NODES, inst.name);
      return nodeCondition(node.status, 'Ready')?.status === 'True' && !taintKeys(node).includes('node.cloudprovider.kubernetes.io/shutdown') && node;
    }, 30_000, 200);
    t.truthy(up);
  } finally {
    client.close();
  }
});

test.serial('a node whose instance is terminated in the endpoint is deleted, with no other help', async (t) => {
  const client = adminClient(bed.cluster);
  try {
    const [, inst] = nodes.instances;
    await eventually('initialized', async () => (await client.get(NODES, inst.name)).spec.providerID);
    await bed.aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: [inst.instanceId] }));
    await eventually('the node deleted', () => client.get(NODES, inst.name).then(() => false, (err) => {
      if (isNotFound(err)) return true;
      throw err;
    }), 30_000, 200);
    t.pass();
  } finally {
    client.close();
  }
});
