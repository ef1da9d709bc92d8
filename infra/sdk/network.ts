import {
  AssociateRouteTableCommand, AuthorizeSecurityGroupIngressCommand, CreateRouteTableCommand, CreateSecurityGroupCommand,
  CreateSubnetCommand, CreateVpcCommand, DeleteRouteTableCommand, DeleteSecurityGroupCommand, DeleteSubnetCommand, DeleteVpcCommand,
  DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, DisassociateRouteTableCommand,
  RevokeSecurityGroupIngressCommand, type IpPermission,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from '../../controllers/aws/aws-clients.js';
import { hasCode } from '../../controllers/aws/errors.js';
import { clusterFilter, clusterTagKey, RESOURCE_LIFECYCLE_OWNED, tagList, tagRecord } from '../../controllers/aws/tags.js';
import type { ClusterTopology, IngressRule, SecurityGroupRole } from '../topology.js';

/** What the network of a cluster is, once applied: the ids the rest of the cluster refers to. */
export interface ClusterNetwork {
  vpcId: string;
  subnets: { zone: string; subnetId: string; cidr: string }[];
  routeTableId: string;
  securityGroups: Record<SecurityGroupRole, string>;
}

const tagSpec = (ResourceType: any, tags: Record<string, string>) => [{ ResourceType, Tags: tagList(tags) }];

/**
 * Applies the topology's network to the endpoint with the SDK: the VPC, a
 * subnet per zone, the route table and the security groups with their
 * rules. Each piece is looked up by its tags before it is made, so a second
 * run (or a run after a crash) makes nothing twice.
 */
export async function ensureNetwork(aws: AwsClients, topology: ClusterTopology, progress: (msg: string) => void = () => undefined): Promise<ClusterNetwork> {
  const { ec2 } = aws;
  const byName = (name: string) => [clusterFilter(topology.clusterName), { Name: 'tag:Name', Values: [name] }];
  let vpcId = (await ec2.send(new DescribeVpcsCommand({ Filters: byName(topology.vpc.tags.Name) }))).Vpcs?.[0]?.VpcId;
  if (!vpcId) {
    progress(`creating VPC ${topology.vpc.cidr}`);
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: topology.vpc.cidr, TagSpecifications: tagSpec('vpc', topology.vpc.tags) }))).Vpc!.VpcId!;
  }
  const inVpc = { Name: 'vpc-id', Values: [vpcId] };
  let routeTableId = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [inVpc, ...byName(topology.routeTable.tags.Name)] }))).RouteTables?.[0]?.RouteTableId;
  if (!routeTableId) {
    progress('creating the route table');
    routeTableId = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: tagSpec('route-table', topology.routeTable.tags) }))).RouteTable!.RouteTableId!;
  }
  const subnets: ClusterNetwork['subnets'] = [];
  const existingSubnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [inVpc] }))).Subnets ?? [];
  for (const s of topology.subnets) {
    let subnetId = existingSubnets.find((e) => e.CidrBlock === s.cidr)?.SubnetId;
    if (!subnetId) {
      progress(`creating subnet ${s.cidr} in ${s.zone}`);
      subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: s.cidr, AvailabilityZone: s.zone, TagSpecifications: tagSpec('subnet', s.tags) }))).Subnet!.SubnetId!;
    }
    subnets.push({ zone: s.zone, subnetId, cidr: s.cidr });
  }
  const table = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [routeTableId] }))).RouteTables![0];
  for (const s of subnets) {
    if (!table.Associations?.some((a) => a.SubnetId === s.subnetId)) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: s.subnetId }));
  }
  const groups = {} as Record<SecurityGroupRole, string>;
  const existingGroups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [inVpc, clusterFilter(topology.clusterName)] }))).SecurityGroups ?? [];
  for (const [role, sg] of Object.entries(topology.securityGroups) as [SecurityGroupRole, ClusterTopology['securityGroups'][SecurityGroupRole]][]) {
    let id = existingGroups.find((g) => g.GroupName === sg.name)?.GroupId;
    if (!id) {
      progress(`creating security group ${sg.name}`);
      id = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: sg.name, Description: sg.description, VpcId: vpcId, TagSpecifications: tagSpec('security-group', sg.tags) }))).GroupId!;
    }
    groups[role] = id;
  }
  for (const [role, sg] of Object.entries(topology.securityGroups) as [SecurityGroupRole, ClusterTopology['securityGroups'][SecurityGroupRole]][]) {
    const current = existingGroups.find((g) => g.GroupId === groups[role])?.IpPermissions ?? [];
    const missing = sg.ingress.map((r) => permission(r, groups)).filter((p) => !current.some((c) => covers(c, p)));
    if (missing.length) await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groups[role], IpPermissions: missing }));
  }
  return { vpcId, subnets, routeTableId, securityGroups: groups };
}

function permission(rule: IngressRule, groups: Record<SecurityGroupRole, string>): IpPermission {
  const ports = rule.protocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort };
  return {
    IpProtocol: rule.protocol, ...ports,
    ...(rule.cidrs ? { IpRanges: rule.cidrs.map((CidrIp) => ({ CidrIp, Description: rule.description })) } : {}),
    ...(rule.fromGroup ? { UserIdGroupPairs: [{ GroupId: groups[rule.fromGroup], Description: rule.description }] } : {}),
  };
}

/** An existing permission already grants everything the wanted one does. */
function covers(have: IpPermission, want: IpPermission): boolean {
  if (have.IpProtocol !== want.IpProtocol || have.FromPort !== want.FromPort || have.ToPort !== want.ToPort) return false;
  const cidrs = new Set((have.IpRanges ?? []).map((r) => r.CidrIp));
  const sources = new Set((have.UserIdGroupPairs ?? []).map((p) => p.GroupId));
  return (want.IpRanges ?? []).every((r) => cidrs.has(r.CidrIp)) && (want.UserIdGroupPairs ?? []).every((p) => sources.has(p.GroupId));
}

/** The cluster's network as found in the endpoint by its tags, or undefined when there is none. */
export async function findNetwork(aws: AwsClients, clusterName: string): Promise<ClusterNetwork | undefined> {
  const { ec2 } = aws;
  const owned = [{ Name: `tag:${clusterTagKey(clusterName)}`, Values: [RESOURCE_LIFECYCLE_OWNED] }];
  const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: owned }))).Vpcs?.[0];
  if (!vpc?.VpcId) return undefined;
  const inVpc = { Name: 'vpc-id', Values: [vpc.VpcId] };
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [inVpc, clusterFilter(clusterName)] }))).Subnets ?? [];
  const table = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [inVpc, clusterFilter(clusterName)] }))).RouteTables?.[0];
  const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [inVpc, clusterFilter(clusterName)] }))).SecurityGroups ?? [];
  const role = (suffix: string) => groups.find((g) => g.GroupName === `${clusterName}-${suffix}`)?.GroupId ?? '';
  return {
    vpcId: vpc.VpcId,
    subnets: subnets.map((s) => ({ zone: s.AvailabilityZone!, subnetId: s.SubnetId!, cidr: s.CidrBlock! })).sort((x, y) => x.zone.localeCompare(y.zone)),
    routeTableId: table?.RouteTableId ?? '',
    securityGroups: { controlPlane: role('control-plane'), nodes: role('nodes') },
  };
}

/**
 * Deletes the network `ensureNetwork` made (found by the cluster's `owned`
 * tag): rules first, since groups refer to each other, then groups, subnets,
 * the route table and the VPC. What is already gone is skipped.
 */
export async function deleteNetwork(aws: AwsClients, clusterName: string, progress: (msg: string) => void = () => undefined): Promise<void> {
  const { ec2 } = aws;
  const network = await findNetwork(aws, clusterName);
  if (!network) return;
  const gone = (err: unknown) => {
    if (!hasCode(err, 'InvalidGroup.NotFound', 'InvalidSubnetID.NotFound', 'InvalidRouteTableID.NotFound', 'InvalidVpcID.NotFound', 'InvalidAssociationID.NotFound')) throw err;
  };
  const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [network.vpcId] }] }))).SecurityGroups ?? [];
  for (const g of groups) {
    if (g.GroupName === 'default' || !g.IpPermissions?.length) continue;
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: g.GroupId, IpPermissions: g.IpPermissions })).catch(gone);
  }
  for (const g of groups) {
    if (g.GroupName === 'default' || !belongs(g.Tags, clusterName)) continue;
    progress(`deleting security group ${g.GroupName}`);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: g.GroupId })).catch(gone);
  }
  const tables = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [network.vpcId] }, clusterFilter(clusterName)] }))).RouteTables ?? [];
  for (const t of tables) {
    for (const a of t.Associations ?? []) if (!a.Main && a.RouteTableAssociationId) await ec2.send(new DisassociateRouteTableCommand({ AssociationId: a.RouteTableAssociationId })).catch(gone);
  }
  for (const s of network.subnets) {
    progress(`deleting subnet ${s.cidr}`);
    await ec2.send(new DeleteSubnetCommand({ SubnetId: s.subnetId })).catch(gone);
  }
  for (const t of tables) await ec2.send(new DeleteRouteTableCommand({ RouteTableId: t.RouteTableId })).catch(gone);
  progress('deleting the VPC');
  await ec2.send(new DeleteVpcCommand({ VpcId: network.vpcId })).catch(gone);
}

const belongs = (tags: { Key?: string; Value?: string }[] | undefined, clusterName: string) => clusterTagKey(clusterName) in tagRecord(tags);
