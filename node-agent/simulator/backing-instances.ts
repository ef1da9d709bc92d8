import { DescribeImagesCommand, DescribeInstancesCommand, RunInstancesCommand, TerminateInstancesCommand, type Instance, type _InstanceType } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../controllers/aws/aws-clients.js';
import { clusterTagKey, RESOURCE_LIFECYCLE_OWNED, TAG_NAME, tagList, tagRecord } from '../../controllers/aws/tags.js';
import { findNetwork } from '../../infra/sdk/network.js';
import type { SimulatedMachine } from './simulated-nodes.js';

/** Marks an instance launched to back a simulated node, with the node's index. */
export const TAG_SIMULATED_NODE = 'skiff.dev/simulated-node';

export interface BackingInstance extends SimulatedMachine {
  instanceId: string;
}

export interface BackingOptions {
  clusterName: string;
  count: number;
  /** Tells apart the instances of two simulators in one cluster; also in the Name tag. */
  namePrefix?: string;
  instanceType?: string;
  /** An AMI the endpoint knows; by default the first image the endpoint lists for Amazon. */
  imageId?: string;
  /** The tag that marks the instances as this launcher's, with each one's name as its value (TAG_SIMULATED_NODE by default). */
  tagKey?: string;
  /** Every instance in this zone's subnet, instead of round robin over the zones. */
  zone?: string;
}

/**
 * Launches (or finds again, after a restart) one instance per simulated node
 * in the cluster's subnets, round robin over the zones, tagged as the
 * cluster's, into its nodes' security group. The node is named after the
 * instance's private DNS name, as AWS names nodes.
 */
export async function launchBackingInstances(aws: AwsClients, opts: BackingOptions): Promise<BackingInstance[]> {
  const network = await findNetwork(aws, opts.clusterName);
  if (!network?.subnets.length) throw new Error(`no network for cluster ${opts.clusterName} in the AWS endpoint: run skiff up first`);
  const { securityGroups } = network;
  const subnets = opts.zone ? network.subnets.filter((s) => s.zone === opts.zone) : network.subnets;
  if (!subnets.length) throw new Error(`cluster ${opts.clusterName} has no subnet in zone ${opts.zone}`);
  const prefix = opts.namePrefix ?? 'sim-node-';
  const tagKey = opts.tagKey ?? TAG_SIMULATED_NODE;
  const existing = await describeBacking(aws, opts.clusterName, tagKey, prefix);
  const imageId = opts.imageId ?? (existing.length < opts.count ? await defaultImage(aws) : '');
  const out: BackingInstance[] = [];
  const launched: BackingInstance[] = [];
  try {
    await launchMissing();
  } catch (err) {
    // A launch that fails half-way leaves no instance of its own behind.
    await terminateBackingInstances(aws, launched).catch(() => undefined);
    throw err;
  }
  return out;

  async function launchMissing(): Promise<void> {
  for (let i = 0; i < opts.count; i++) {
    const found = existing.find((inst) => tagRecord(inst.Tags)[tagKey] === `${prefix}${i}`);
    if (found) {
      out.push(machine(found));
      continue;
    }
    const subnet = subnets[i % subnets.length];
    const tags = { [clusterTagKey(opts.clusterName)]: RESOURCE_LIFECYCLE_OWNED, [TAG_NAME]: `${opts.clusterName}-${prefix}${i}`, [tagKey]: `${prefix}${i}` };
    const run = await aws.ec2.send(new RunInstancesCommand({
      ImageId: imageId, InstanceType: (opts.instanceType ?? 'm5.large') as _InstanceType, MinCount: 1, MaxCount: 1,
      SubnetId: subnet.subnetId, SecurityGroupIds: securityGroups.nodes ? [securityGroups.nodes] : undefined,
      TagSpecifications: [{ ResourceType: 'instance', Tags: tagList(tags) }],
      ClientToken: `${opts.clusterName}-${prefix}${i}`.slice(0, 64),
    }));
    const instance = machine(run.Instances![0]);
    launched.push(instance);
    out.push(instance);
  }
  }
}

/** Terminates the instances; ones already gone are fine. */
export async function terminateBackingInstances(aws: AwsClients, instances: { instanceId: string }[]): Promise<void> {
  const ids = instances.map((i) => i.instanceId);
  for (let i = 0; i < ids.length; i += 500) {
    await aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids.slice(i, i + 500) })).catch((err) => {
      if ((err as { name?: string }).name !== 'InvalidInstanceID.NotFound') throw err;
    });
  }
}

async function describeBacking(aws: AwsClients, clusterName: string, tagKey: string, prefix: string): Promise<Instance[]> {
  const out: Instance[] = [];
  let NextToken: string | undefined;
  do {
    const page = await aws.ec2.send(new DescribeInstancesCommand({
      Filters: [
        { Name: `tag:${clusterTagKey(clusterName)}`, Values: [RESOURCE_LIFECYCLE_OWNED] },
        { Name: 'tag-key', Values: [tagKey] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
      NextToken,
    }));
    for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []).filter((inst) => tagRecord(inst.Tags)[tagKey]?.startsWith(prefix)));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

async function defaultImage(aws: AwsClients): Promise<string> {
  const images = (await aws.ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'architecture', Values: ['x86_64'] }] }))).Images ?? [];
  const id = images.find((i) => i.ImageId)?.ImageId;
  if (!id) throw new Error('the AWS endpoint lists no Amazon x86_64 image to launch: pass --image-id');
  return id;
}

const machine = (inst: Instance): BackingInstance => ({
  name: inst.PrivateDnsName!, zone: inst.Placement!.AvailabilityZone!, internalIP: inst.PrivateIpAddress!, instanceId: inst.InstanceId!,
});
