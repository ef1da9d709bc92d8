import { DescribeInstancesCommand, ModifyInstanceAttributeCommand, type Filter, type Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import type { AwsClients } from './aws-clients.js';
import { hasCode } from './errors.js';
import { belongsToCluster, tagRecord } from './tags.js';

/** What the cluster needs to know of one EC2 instance. */
export interface Instance {
  instanceId: string;
  zone: string;
  region: string;
  instanceType: string;
  /** pending, running, shutting-down, terminated, stopping, stopped. */
  state: string;
  /** Private IPs, the primary interface's primary address first. */
  privateIps: string[];
  publicIp?: string;
  privateDnsName?: string;
  publicDnsName?: string;
  sourceDestCheck: boolean;
  /** Carries the `kubernetes.io/cluster/<name>` tag of this cluster. */
  ofCluster: boolean;
}

/**
 * What DescribeInstances says of one instance id: the instance, or `gone`
 * when AWS says so for certain (InvalidInstanceID.NotFound, or the state
 * terminated). Errors, timeouts and throttling throw instead: they never
 * mean gone.
 */
export type InstanceAnswer = { instance: Instance; gone?: never } | { gone: true; instance?: Instance };

export interface Instances {
  /** Many instances by id, in as few calls as the filter limits allow; every id gets an answer. */
  byIds(ids: string[]): Promise<Map<string, InstanceAnswer>>;
  /**
   * Many instances by private DNS name (how AWS names nodes); a name no
   * instance carries is missing from the answer. Where a terminated
   * instance and a live one share the name (an IP reused), the live one wins.
   */
  byPrivateDnsNames(names: string[]): Promise<Map<string, Instance>>;
  /** Turns the source/destination check off, so the instance may forward pod traffic; only when it is on. */
  disableSourceDestCheck(instance: Instance): Promise<void>;
}

/** Values per filter in one DescribeInstances: the AWS cloud-controller-manager's filterNodeLimit. */
export const FILTER_VALUE_LIMIT = 150;

const TERMINATED = 'terminated';

/** `aws:///<zone>/<instance-id>`, as the AWS cloud-controller-manager writes spec.providerID. */
export const providerIdOf = (instance: Pick<Instance, 'zone' | 'instanceId'>): string => `aws:///${instance.zone}/${instance.instanceId}`;

/**
 * The instance id in a providerID: `aws:///<zone>/<id>`, `aws:////<id>` or
 * a bare `i-...`, as the AWS cloud-controller-manager accepts them; undefined
 * for anything else (another cloud's id, a Fargate pod's).
 */
export function instanceIdFromProviderId(providerId: string | undefined): string | undefined {
  if (!providerId) return undefined;
  const bare = /^i-[a-z0-9]+$/;
  if (bare.test(providerId)) return providerId;
  const m = /^aws:\/\/\/?[^/]*\/(i-[a-z0-9]+)$/.exec(providerId);
  return m?.[1];
}

/** The EC2 implementation: DescribeInstances with filters, chunked and paged. */
export class Ec2Instances implements Instances {
  constructor(private readonly aws: AwsClients, private readonly clusterName: string) {}

  async byIds(ids: string[]): Promise<Map<string, InstanceAnswer>> {
    const wanted = [...new Set(ids)];
    const out = new Map<string, InstanceAnswer>();
    // A filter, unlike InstanceIds, does not fail the whole call for one unknown id.
    for (const inst of await this.describe('instance-id', wanted)) out.set(inst.instanceId, answer(inst));
    // What the filter did not return is asked for alone: only InvalidInstanceID.NotFound is a definite "gone".
    for (const id of wanted.filter((i) => !out.has(i))) out.set(id, await this.confirm(id));
    return out;
  }

  async byPrivateDnsNames(names: string[]): Promise<Map<string, Instance>> {
    const out = new Map<string, Instance>();
    for (const inst of await this.describe('private-dns-name', [...new Set(names)])) {
      const name = inst.privateDnsName!;
      const prior = out.get(name);
      if (!prior || prior.state === TERMINATED) out.set(name, inst);
    }
    return out;
  }

  async disableSourceDestCheck(instance: Instance): Promise<void> {
    if (!instance.sourceDestCheck) return;
    await this.aws.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instance.instanceId, SourceDestCheck: { Value: false } }));
  }

  private async confirm(id: string): Promise<InstanceAnswer> {
    try {
      const page = await this.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
      const found = page.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === id);
      if (found) return answer(this.toInstance(found));
      throw new Error(`DescribeInstances of ${id} answered without that instance`);
    } catch (err) {
      if (hasCode(err, 'InvalidInstanceID.NotFound')) return { gone: true };
      throw err;
    }
  }

  private async describe(filterName: string, values: string[]): Promise<Instance[]> {
    const out: Instance[] = [];
    for (let i = 0; i < values.length; i += FILTER_VALUE_LIMIT) {
      const Filters: Filter[] = [{ Name: filterName, Values: values.slice(i, i + FILTER_VALUE_LIMIT) }];
      let NextToken: string | undefined;
      do {
        const page = await this.aws.ec2.send(new DescribeInstancesCommand({ Filters, NextToken }));
        for (const r of page.Reservations ?? []) for (const inst of r.Instances ?? []) out.push(this.toInstance(inst));
        NextToken = page.NextToken;
      } while (NextToken);
    }
    return out;
  }

  private toInstance(inst: Ec2Instance): Instance {
    const zone = inst.Placement?.AvailabilityZone ?? '';
    return {
      instanceId: inst.InstanceId!,
      zone,
      region: regionOfZone(zone, this.aws.region),
      instanceType: inst.InstanceType ?? '',
      state: inst.State?.Name ?? '',
      privateIps: privateIps(inst),
      publicIp: inst.PublicIpAddress || undefined,
      privateDnsName: inst.PrivateDnsName || undefined,
      publicDnsName: inst.PublicDnsName || undefined,
      // Unknown counts as on: turning it off once more is harmless, leaving it on breaks pod routes.
      sourceDestCheck: inst.SourceDestCheck !== false,
      ofCluster: belongsToCluster(tagRecord(inst.Tags), this.clusterName),
    };
  }
}

const answer = (instance: Instance): InstanceAnswer => (instance.state === TERMINATED ? { gone: true, instance } : { instance });

/** us-east-1a → us-east-1; a Local Zone (us-east-1-bos-1a) or Wavelength zone is in its parent region too. */
function regionOfZone(zone: string, fallback: string): string {
  const m = /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)/.exec(zone);
  return m?.[1] ?? fallback;
}

/**
 * The instance's private IPs as the AWS cloud-controller-manager lists them:
 * interfaces in use by device index, each one's addresses primary first;
 * the instance's own PrivateIpAddress when it reports no interfaces.
 */
function privateIps(inst: Ec2Instance): string[] {
  const interfaces = (inst.NetworkInterfaces ?? [])
    .filter((n) => !n.Status || n.Status === 'in-use')
    .sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0));
  const ips: string[] = [];
  for (const n of interfaces) {
    const addresses = [...(n.PrivateIpAddresses ?? [])].sort((a, b) => Number(b.Primary ?? false) - Number(a.Primary ?? false));
    for (const a of addresses) if (a.PrivateIpAddress && !ips.includes(a.PrivateIpAddress)) ips.push(a.PrivateIpAddress);
  }
  if (!ips.length && inst.PrivateIpAddress) ips.push(inst.PrivateIpAddress);
  return ips;
}
