import { DescribeInstancesCommand, DescribeRouteTablesCommand } from '@aws-sdk/client-ec2';
import { setTimeout as delay } from 'node:timers/promises';
import type { AwsClients } from '../../controllers/aws/aws-clients.js';
import { clusterFilter } from '../../controllers/aws/tags.js';
import { log, logError } from '../../client/log.js';
import type { LocalVpc } from './local-vpc.js';
import { applyVpcRoutes, type VpcRoute } from './vpc-routes.js';

/**
 * The routes of the cluster's route table in the AWS endpoint that go to an
 * instance, with the instance's private address: what the VPC router does
 * with them on AWS. Blackhole routes (their instance gone) route nothing.
 */
export async function routeTableRoutes(aws: AwsClients, clusterName: string): Promise<VpcRoute[]> {
  const tables = (await aws.ec2.send(new DescribeRouteTablesCommand({ Filters: [clusterFilter(clusterName)] }))).RouteTables ?? [];
  const targets = tables.flatMap((t) => t.Routes ?? []).filter((r) => r.DestinationCidrBlock && r.InstanceId && r.State !== 'blackhole');
  if (!targets.length) return [];
  const addresses = new Map<string, string>();
  const reservations = (await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [...new Set(targets.map((r) => r.InstanceId!))] }))).Reservations ?? [];
  for (const inst of reservations.flatMap((r) => r.Instances ?? [])) {
    if (inst.PrivateIpAddress && inst.State?.Name === 'running') addresses.set(inst.InstanceId!, inst.PrivateIpAddress);
  }
  return targets.filter((r) => addresses.has(r.InstanceId!)).map((r) => ({ destinationCidr: r.DestinationCidrBlock!, via: addresses.get(r.InstanceId!)! }));
}

/** Keeps the local router's routes equal to the cluster's route table, looked at every `periodMs`, until `signal` aborts. */
export async function runVpcRouter(aws: AwsClients, clusterName: string, vpc: LocalVpc, signal: AbortSignal, periodMs = 2_000): Promise<void> {
  while (!signal.aborted) {
    try {
      const changed = applyVpcRoutes(vpc, await routeTableRoutes(aws, clusterName));
      if (changed.added.length || changed.removed.length) log.info('vpc routes applied', { netns: vpc.netns, ...changed });
    } catch (err) {
      if (!signal.aborted) logError(err, { component: 'vpc-router' });
    }
    await delay(periodMs, undefined, { signal }).catch(() => undefined);
  }
}
