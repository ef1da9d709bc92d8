import {
  DeleteVolumeCommand, DescribeInstancesCommand, DescribeVolumesCommand, DetachVolumeCommand, TerminateInstancesCommand, type DescribeVolumesCommandOutput, type DescribeInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import {
  DeleteLoadBalancerCommand, DeleteTargetGroupCommand, DescribeLoadBalancersCommand, DescribeTagsCommand, DescribeTargetGroupsCommand, type DescribeTargetGroupsCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../../controllers/aws/aws-clients.js';
import { hasCode } from '../../controllers/aws/errors.js';
import { clusterTagKey, RESOURCE_LIFECYCLE_OWNED } from '../../controllers/aws/tags.js';
import { deleteNetwork } from './network.js';

const ownedFilter = (clusterName: string) => [{ Name: `tag:${clusterTagKey(clusterName)}`, Values: [RESOURCE_LIFECYCLE_OWNED] }];

/**
 * Deletes everything the cluster owns in the endpoint (tag
 * `kubernetes.io/cluster/<name>=owned`): load balancers and target groups
 * the cloud-controller-manager made, instances, EBS volumes, then the
 * network. Resources tagged `shared` are left alone.
 */
export async function deleteClusterResources(aws: AwsClients, clusterName: string, progress: (msg: string) => void = () => undefined): Promise<void> {
  const owned = async (arns: string[]) => {
    const out: string[] = [];
    for (let i = 0; i < arns.length; i += 20) {
      const described = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
      for (const d of described.TagDescriptions ?? []) {
        if (d.Tags?.some((t) => t.Key === clusterTagKey(clusterName) && t.Value === RESOURCE_LIFECYCLE_OWNED)) out.push(d.ResourceArn!);
      }
    }
    return out;
  };
  const balancers: string[] = [];
  let marker: string | undefined;
  do {
    const page = await aws.elbv2.send(new DescribeLoadBalancersCommand({ Marker: marker }));
    balancers.push(...(page.LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn!));
    marker = page.NextMarker;
  } while (marker);
  for (const arn of await owned(balancers)) {
    progress(`deleting load balancer ${arn.split('/').slice(-2, -1)[0]}`);
    await aws.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
  }
  const groups: string[] = [];
  marker = undefined;
  do {
    const page: DescribeTargetGroupsCommandOutput = await aws.elbv2.send(new DescribeTargetGroupsCommand({ Marker: marker }));
    groups.push(...(page.TargetGroups ?? []).map((g) => g.TargetGroupArn!));
    marker = page.NextMarker;
  } while (marker);
  for (const arn of await owned(groups)) await aws.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));

  // Volumes before instances: a volume still attached to a terminated instance cannot be deleted (VolumeInUse).
  let token: string | undefined;
  do {
    const page: DescribeVolumesCommandOutput = await aws.ec2.send(new DescribeVolumesCommand({ Filters: ownedFilter(clusterName), NextToken: token }));
    for (const v of page.Volumes ?? []) {
      for (const a of v.Attachments ?? []) {
        if (a.State === 'detached') continue;
        await aws.ec2.send(new DetachVolumeCommand({ VolumeId: v.VolumeId, InstanceId: a.InstanceId, Force: true })).catch((err) => {
          if (!hasCode(err, 'IncorrectState', 'InvalidVolume.NotFound', 'InvalidAttachment.NotFound')) throw err;
        });
      }
      progress(`deleting volume ${v.VolumeId}`);
      await aws.ec2.send(new DeleteVolumeCommand({ VolumeId: v.VolumeId })).catch((err) => {
        if (!hasCode(err, 'InvalidVolume.NotFound')) throw err;
      });
    }
    token = page.NextToken;
  } while (token);
  const instances: string[] = [];
  token = undefined;
  do {
    const page: DescribeInstancesCommandOutput = await aws.ec2.send(new DescribeInstancesCommand({
      Filters: [...ownedFilter(clusterName), { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }], NextToken: token,
    }));
    for (const r of page.Reservations ?? []) instances.push(...(r.Instances ?? []).map((i) => i.InstanceId!));
    token = page.NextToken;
  } while (token);
  if (instances.length) {
    progress(`terminating ${instances.length} instance(s)`);
    for (let i = 0; i < instances.length; i += 500) await aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: instances.slice(i, i + 500) }));
  }

  await deleteNetwork(aws, clusterName, progress);
}
