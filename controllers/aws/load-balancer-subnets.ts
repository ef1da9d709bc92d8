import { DescribeSubnetsCommand, type Subnet } from '@aws-sdk/client-ec2';
import type { AwsClients } from './aws-clients.js';
import { SingleFlight } from './single-flight.js';
import { clusterTagKey, TAG_NAME, TAG_ROLE_ELB, TAG_ROLE_INTERNAL_ELB, tagRecord } from './tags.js';

export type LoadBalancerScheme = 'internal' | 'internet-facing';

/** A subnet a load balancer is placed in: one per zone; its CIDR is where health checks come from. */
export interface LoadBalancerSubnet {
  id: string;
  zone: string;
  cidr: string;
}

/** No subnet qualifies: the message names the tags to add, for a Warning event on the Service. */
export class NoSubnetsError extends Error {}

/** The role tag a subnet carries to be chosen for load balancers of this scheme. */
export const roleTagFor = (scheme: LoadBalancerScheme): string => (scheme === 'internal' ? TAG_ROLE_INTERNAL_ELB : TAG_ROLE_ELB);

/**
 * The subnets of a load balancer, as the AWS cloud-controller-manager finds
 * them: the cluster's subnets (tagged `kubernetes.io/cluster/<name>`) that
 * carry the role tag of the scheme, one per zone (lowest id first when a
 * zone has several); or, when the Service names them, those subnets by id
 * or Name tag.
 */
export async function findLoadBalancerSubnets(aws: AwsClients, clusterName: string, scheme: LoadBalancerScheme, named?: string[]): Promise<LoadBalancerSubnet[]> {
  if (named?.length) return namedSubnets(aws, named);
  const role = roleTagFor(scheme);
  const subnets = await clusterSubnets(aws, clusterName);
  // The role tag's value is empty or 1, as the AWS Load Balancer Controller reads it too.
  const tagged = subnets.filter((s) => ['', '1'].includes(tagRecord(s.Tags)[role] ?? 'absent'));
  const byZone = new Map<string, Subnet>();
  for (const s of [...tagged].sort((a, b) => a.SubnetId!.localeCompare(b.SubnetId!))) {
    if (!byZone.has(s.AvailabilityZone!)) byZone.set(s.AvailabilityZone!, s);
  }
  if (!byZone.size) {
    throw new NoSubnetsError(`no subnet qualifies for an ${scheme} load balancer: tag one subnet per zone with ${clusterTagKey(clusterName)}=owned (or shared) and ${role}=1, `
      + 'or name subnets with the service.beta.kubernetes.io/aws-load-balancer-subnets annotation');
  }
  return [...byZone.values()].map(toSubnet).sort((a, b) => a.zone.localeCompare(b.zone));
}

const subnetReads = new WeakMap<AwsClients, SingleFlight<string, Subnet[]>>();

/** The subnets tagged for the cluster; concurrent reads share one call. */
function clusterSubnets(aws: AwsClients, clusterName: string): Promise<Subnet[]> {
  let reads = subnetReads.get(aws);
  if (!reads) subnetReads.set(aws, reads = new SingleFlight());
  return reads.do(clusterName, async () => (await aws.ec2.send(new DescribeSubnetsCommand({
    Filters: [{ Name: 'tag-key', Values: [clusterTagKey(clusterName)] }],
  }))).Subnets ?? []);
}

/** Subnets named by id (subnet-...) or by their Name tag; every name must be found. */
async function namedSubnets(aws: AwsClients, names: string[]): Promise<LoadBalancerSubnet[]> {
  const ids = names.filter((n) => n.startsWith('subnet-'));
  const tagNames = names.filter((n) => !n.startsWith('subnet-'));
  const found: Subnet[] = [];
  if (ids.length) found.push(...(await aws.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: ids }] }))).Subnets ?? []);
  if (tagNames.length) found.push(...(await aws.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: `tag:${TAG_NAME}`, Values: tagNames }] }))).Subnets ?? []);
  const missing = names.filter((n) => !found.some((s) => s.SubnetId === n || tagRecord(s.Tags)[TAG_NAME] === n));
  if (missing.length) throw new NoSubnetsError(`subnets named by the service.beta.kubernetes.io/aws-load-balancer-subnets annotation were not found: ${missing.join(', ')}`);
  const zones = new Set<string>();
  for (const s of found) {
    if (zones.has(s.AvailabilityZone!)) throw new NoSubnetsError(`the subnets named by the service.beta.kubernetes.io/aws-load-balancer-subnets annotation have two in ${s.AvailabilityZone}: a load balancer takes one per zone`);
    zones.add(s.AvailabilityZone!);
  }
  return found.map(toSubnet).sort((a, b) => a.zone.localeCompare(b.zone));
}

const toSubnet = (s: Subnet): LoadBalancerSubnet => ({ id: s.SubnetId!, zone: s.AvailabilityZone!, cidr: s.CidrBlock! });
