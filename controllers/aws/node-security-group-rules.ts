import {
  AuthorizeSecurityGroupIngressCommand, DescribeInstancesCommand, DescribeSecurityGroupsCommand, RevokeSecurityGroupIngressCommand,
  type IpPermission, type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { maskTo, tryParseCidr } from '../../api/net.js';
import type { AwsClients } from './aws-clients.js';
import { clusterFilter } from './tags.js';

/**
 * The rules a Network Load Balancer needs on its targets' security group,
 * described as the AWS cloud-controller-manager describes them, so they are
 * found again by description (security group rules carry no tags there):
 * `kubernetes.io/rule/nlb/client=<lb name>` lets clients reach the NodePorts,
 * `kubernetes.io/rule/nlb/health=<lb name>` lets the load balancer's nodes
 * in the subnets probe the health check ports. One ICMP rule per client
 * CIDR, `kubernetes.io/rule/nlb/mtu`, lets "fragmentation needed" back in for
 * path MTU discovery; several load balancers may need the same one, so it
 * is shared and goes when no client rule needs it.
 */
export const CLIENT_RULE = 'kubernetes.io/rule/nlb/client';
export const HEALTH_RULE = 'kubernetes.io/rule/nlb/health';
export const MTU_RULE = 'kubernetes.io/rule/nlb/mtu';

export interface NodeRules {
  /** The load balancer's name: it names its rules. */
  loadBalancerName: string;
  /** The instances behind it: their cluster-tagged security group gets the rules. */
  instanceIds: string[];
  /** NodePorts and their protocol, from `clientCidrs`. */
  trafficPorts: { port: number; protocol: 'tcp' | 'udp' }[];
  clientCidrs: string[];
  /** Health check ports, over TCP from `healthCheckCidrs` (the load balancer's subnets). */
  healthCheckPorts: number[];
  healthCheckCidrs: string[];
}

/** One ingress rule, flattened: one protocol, port range and CIDR. */
interface Rule {
  protocol: string;
  from: number;
  to: number;
  cidr: string;
  description: string;
}

const ruleKey = (r: Omit<Rule, 'description'>) => `${r.protocol}/${r.from}/${r.to}/${r.cidr}`;
const clientDescription = (lb: string) => `${CLIENT_RULE}=${lb}`;
const healthDescription = (lb: string) => `${HEALTH_RULE}=${lb}`;

/** One load balancer's wish: its rules as given, or none (`wanted` undefined: removed). */
interface Request {
  names: string[];
  wanted?: NodeRules;
  resolve(changed: boolean): void;
  reject(err: unknown): void;
}

/** Which security groups instances are in never changes for an instance: remembered for the process. */
const instanceGroups = new Map<string, string[]>();

/**
 * The node security group rules of load balancers, kept in line with what
 * each wants. `ensure` makes one load balancer's rules exactly `rules`
 * (adding and revoking only the difference; no call when nothing differs);
 * `remove` revokes every rule of the named load balancers in every
 * cluster-tagged group.
 *
 * Reads and writes of the rules go one at a time in a process: two load
 * balancers sharing an MTU rule must not both decide from the same reading.
 * The wishes that arrive while one sync runs are made together in the next,
 * with one reading of the groups and one grant and one revoke per group, so
 * a hundred new Services do not read the groups a hundred times. A combined
 * sync that fails is tried again one wish at a time, so one load balancer
 * that cannot have its rules does not hold the others back.
 */
export class NodeSecurityGroupRules {
  private queue: Request[] = [];
  private running = false;

  constructor(private readonly aws: AwsClients, private readonly clusterName: string) {}

  ensure(rules: NodeRules): Promise<boolean> {
    return this.enqueue([rules.loadBalancerName], rules);
  }

  remove(loadBalancerNames: string[]): Promise<boolean> {
    return this.enqueue(loadBalancerNames);
  }

  private enqueue(names: string[], wanted?: NodeRules): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ names, wanted, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      try {
        const changed = await this.sync(batch);
        batch.forEach((r, i) => r.resolve(changed[i]));
      } catch (err) {
        if (batch.length === 1) {
          batch[0].reject(err);
          continue;
        }
        for (const r of batch) {
          try {
            r.resolve((await this.sync([r]))[0]);
          } catch (alone) {
            r.reject(alone);
          }
        }
      }
    }
    this.running = false;
  }

  /** Makes every request's rules so in one reading; answers, per request, whether its rules changed. */
  private async sync(requests: Request[]): Promise<boolean[]> {
    const groups = (await this.aws.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [clusterFilter(this.clusterName)] }))).SecurityGroups ?? [];
    // A later wish for the same load balancer replaces an earlier one.
    const latest = new Map<string, NodeRules | undefined>();
    for (const r of requests) for (const n of r.names) latest.set(n, r.wanted?.loadBalancerName === n ? r.wanted : undefined);
    const wishes = [...latest.values()].filter((w): w is NodeRules => w !== undefined);
    await this.learnGroups(wishes.flatMap((w) => w.instanceIds));
    const tagged = new Set(groups.map((g) => g.GroupId!));
    const owned = new Set([...latest.keys()].flatMap((n) => [clientDescription(n), healthDescription(n)]));
    const touched = new Set<string>();
    let mtuChanged = false;
    for (const group of groups) {
      const current = flatten(group);
      const desired = dedupe(wishes.filter((w) => this.groupsOf(w.instanceIds, tagged).has(group.GroupId!)).flatMap(desiredRules));
      const desiredKeys = new Set(desired.map(ruleKey));
      const revoke = current.filter((r) => owned.has(r.description) && !desiredKeys.has(ruleKey(r)));
      const present = new Set(current.map(ruleKey));
      // A rule already there under another description lets the same traffic in: adding it again is a duplicate.
      const grant = desired.filter((r) => !present.has(ruleKey(r)));
      for (const r of [...revoke, ...grant]) touched.add(r.description);
      const after = [...current.filter((r) => !revoke.includes(r)), ...grant];
      const mtu = mtuRules(after);
      const mtuKeys = new Set(mtu.map(ruleKey));
      const mtuRevoke = current.filter((r) => r.description === MTU_RULE && !mtuKeys.has(ruleKey(r)));
      const mtuGrant = mtu.filter((r) => !present.has(ruleKey(r)));
      mtuChanged ||= mtuRevoke.length + mtuGrant.length > 0;
      revoke.push(...mtuRevoke);
      grant.push(...mtuGrant);
      if (revoke.length) await this.aws.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: group.GroupId, IpPermissions: revoke.map(permission) }));
      if (grant.length) await this.aws.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: group.GroupId, IpPermissions: grant.map(permission) }));
    }
    return requests.map((r) => mtuChanged || r.names.some((n) => touched.has(clientDescription(n)) || touched.has(healthDescription(n))));
  }

  /** Learns the security groups of instances not seen before, many per call. */
  private async learnGroups(instanceIds: string[]): Promise<void> {
    const unknown = [...new Set(instanceIds.filter((id) => !instanceGroups.has(id)))];
    for (let i = 0; i < unknown.length; i += 200) {
      // A filter, not InstanceIds: an instance that is gone is left out instead of failing the whole call.
      let NextToken: string | undefined;
      do {
        const page = await this.aws.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: unknown.slice(i, i + 200) }], NextToken }));
        for (const r of page.Reservations ?? []) {
          for (const inst of r.Instances ?? []) instanceGroups.set(inst.InstanceId!, (inst.SecurityGroups ?? []).map((g) => g.GroupId!));
        }
        NextToken = page.NextToken;
      } while (NextToken);
    }
  }

  /**
   * The cluster-tagged security group of each instance, as the AWS
   * cloud-controller-manager picks it; an instance in two tagged groups is
   * an error (which one would it be?), one in none is left out.
   */
  private groupsOf(instanceIds: string[], tagged: Set<string>): Set<string> {
    const out = new Set<string>();
    for (const id of instanceIds) {
      const mine = (instanceGroups.get(id) ?? []).filter((g) => tagged.has(g));
      if (mine.length > 1) throw new Error(`instance ${id} is in more than one security group tagged for the cluster (${mine.join(', ')}): the load balancer's rules would not know which to go in`);
      if (mine.length) out.add(mine[0]);
    }
    return out;
  }
}

function desiredRules(w: NodeRules): Rule[] {
  const client: Rule[] = [];
  for (const { port, protocol } of w.trafficPorts) {
    for (const cidr of w.clientCidrs) client.push({ protocol, from: port, to: port, cidr, description: clientDescription(w.loadBalancerName) });
  }
  const health: Rule[] = [];
  for (const port of new Set(w.healthCheckPorts)) {
    for (const cidr of w.healthCheckCidrs) {
      // A client rule that already lets the probes in (0.0.0.0/0 on that port, say) makes a health rule redundant.
      if (client.some((c) => c.protocol === 'tcp' && c.from === port && contains(c.cidr, cidr))) continue;
      health.push({ protocol: 'tcp', from: port, to: port, cidr, description: healthDescription(w.loadBalancerName) });
    }
  }
  return dedupe([...client, ...health]);
}

/** ICMP type 3 code 4 ("fragmentation needed") from every IPv4 CIDR a client rule lets in. */
function mtuRules(rules: Rule[]): Rule[] {
  const cidrs = new Set(rules.filter((r) => r.description.startsWith(`${CLIENT_RULE}=`) && !r.cidr.includes(':')).map((r) => r.cidr));
  return [...cidrs].map((cidr) => ({ protocol: 'icmp', from: 3, to: 4, cidr, description: MTU_RULE }));
}

/** `outer` holds every address of `inner`. */
function contains(outer: string, inner: string): boolean {
  const o = tryParseCidr(outer);
  const i = tryParseCidr(inner);
  return !!o && !!i && o.family === i.family && o.prefix <= i.prefix && maskTo(i.base, i.family, o.prefix) === o.base;
}

function dedupe(rules: Rule[]): Rule[] {
  const seen = new Map<string, Rule>();
  for (const r of rules) if (!seen.has(ruleKey(r))) seen.set(ruleKey(r), r);
  return [...seen.values()];
}

function flatten(group: SecurityGroup): Rule[] {
  const out: Rule[] = [];
  for (const p of group.IpPermissions ?? []) {
    const base = { protocol: p.IpProtocol ?? '-1', from: p.FromPort ?? -1, to: p.ToPort ?? -1 };
    for (const r of p.IpRanges ?? []) out.push({ ...base, cidr: r.CidrIp!, description: r.Description ?? '' });
    for (const r of p.Ipv6Ranges ?? []) out.push({ ...base, cidr: r.CidrIpv6!, description: r.Description ?? '' });
  }
  return out;
}

function permission(r: Rule): IpPermission {
  const range = r.cidr.includes(':') ? { Ipv6Ranges: [{ CidrIpv6: r.cidr, Description: r.description }] } : { IpRanges: [{ CidrIp: r.cidr, Description: r.description }] };
  return { IpProtocol: r.protocol, FromPort: r.from, ToPort: r.to, ...range };
}
