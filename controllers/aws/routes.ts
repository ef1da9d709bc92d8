import { CreateRouteCommand, DeleteRouteCommand, DescribeRouteTablesCommand, type Route as Ec2Route, type RouteTable } from '@aws-sdk/client-ec2';
import type { AwsClients } from './aws-clients.js';
import { hasCode } from './errors.js';
import type { Instances } from './instances.js';
import { clusterFilter, clusterTagKey, RESOURCE_LIFECYCLE_OWNED, tagRecord } from './tags.js';

/** A route of the cluster's route table that sends a CIDR to one of the cluster's instances. */
export interface InstanceRoute {
  destinationCidr: string;
  instanceId: string;
  /** The target is gone: AWS keeps the route as a blackhole. */
  blackhole: boolean;
}

export interface Routes {
  /**
   * The routes of the cluster's route table that target the cluster's own
   * instances. Every other route (the local route, gateways, peering,
   * instances of no cluster or of another) is left out, so nothing acts on it.
   */
  list(): Promise<InstanceRoute[]>;
  /** Sends `destinationCidr` to the instance; a blackhole route at that destination is replaced, any other route there is an error. */
  create(destinationCidr: string, instanceId: string): Promise<void>;
  /** Deletes the route at `destinationCidr`; one already gone is fine. */
  delete(destinationCidr: string): Promise<void>;
}

/**
 * The EC2 implementation on the cluster's route table: the one table that
 * carries the cluster tag (the `owned` one when several do), as the AWS
 * cloud-controller-manager finds it.
 */
export class Ec2Routes implements Routes {
  constructor(private readonly aws: AwsClients, private readonly clusterName: string, private readonly instances: Instances) {}

  async list(): Promise<InstanceRoute[]> {
    const table = await this.table();
    const routes = (table.Routes ?? []).filter((r) => r.DestinationCidrBlock && r.InstanceId);
    if (!routes.length) return [];
    const answers = await this.instances.byIds(routes.map((r) => r.InstanceId!));
    // An instance AWS no longer describes at all cannot be shown to be the cluster's: its route is left alone.
    return routes
      .filter((r) => answers.get(r.InstanceId!)?.instance?.ofCluster)
      .map((r) => ({ destinationCidr: r.DestinationCidrBlock!, instanceId: r.InstanceId!, blackhole: r.State === 'blackhole' }));
  }

  async create(destinationCidr: string, instanceId: string): Promise<void> {
    const table = await this.table();
    const existing = (table.Routes ?? []).find((r) => r.DestinationCidrBlock === destinationCidr);
    if (existing?.InstanceId === instanceId && existing.State !== 'blackhole') return;
    if (existing) {
      // A blackhole route goes nowhere; the AWS cloud-controller-manager replaces it too.
      if (existing.State !== 'blackhole') throw new Error(`route table ${table.RouteTableId} already routes ${destinationCidr} to ${describeTarget(existing)}`);
      await this.deleteFrom(table.RouteTableId!, destinationCidr);
    }
    await this.aws.ec2.send(new CreateRouteCommand({ RouteTableId: table.RouteTableId, DestinationCidrBlock: destinationCidr, InstanceId: instanceId }));
  }

  async delete(destinationCidr: string): Promise<void> {
    await this.deleteFrom((await this.table()).RouteTableId!, destinationCidr);
  }

  private async deleteFrom(RouteTableId: string, destinationCidr: string): Promise<void> {
    await this.aws.ec2.send(new DeleteRouteCommand({ RouteTableId, DestinationCidrBlock: destinationCidr })).catch((err) => {
      if (!hasCode(err, 'InvalidRoute.NotFound')) throw err;
    });
  }

  private async table(): Promise<RouteTable> {
    const tables = (await this.aws.ec2.send(new DescribeRouteTablesCommand({ Filters: [clusterFilter(this.clusterName)] }))).RouteTables ?? [];
    const key = clusterTagKey(this.clusterName);
    const candidates = tables.length > 1 ? tables.filter((t) => tagRecord(t.Tags)[key] === RESOURCE_LIFECYCLE_OWNED) : tables;
    if (candidates.length === 1) return candidates[0];
    if (!tables.length) throw new Error(`no route table tagged ${key} in the AWS endpoint`);
    throw new Error(`found ${tables.length} route tables tagged ${key} and ${candidates.length} of them owned: tag exactly one as the cluster's`);
  }
}

function describeTarget(r: Ec2Route): string {
  return r.InstanceId ?? r.GatewayId ?? r.NatGatewayId ?? r.NetworkInterfaceId ?? r.VpcPeeringConnectionId ?? r.TransitGatewayId ?? 'another target';
}
