import { createHash } from 'node:crypto';
import {
  AddTagsCommand, CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeleteListenerCommand, DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand, DeregisterTargetsCommand, DescribeListenersCommand, DescribeLoadBalancerAttributesCommand, DescribeLoadBalancersCommand,
  DescribeTagsCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ModifyListenerCommand, ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupCommand, RegisterTargetsCommand, type Listener as ElbListener, type LoadBalancer as ElbLoadBalancer, type ModifyTargetGroupInput,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from './aws-clients.js';
import { hasCode } from './errors.js';
import type { LoadBalancerScheme, LoadBalancerSubnet } from './load-balancer-subnets.js';
import { NodeSecurityGroupRules } from './node-security-group-rules.js';
import { clusterTagKey, RESOURCE_LIFECYCLE_OWNED, TAG_SERVICE_NAME, tagList, tagRecord, type Tags } from './tags.js';

export interface HealthCheck {
  protocol: 'TCP' | 'HTTP' | 'HTTPS';
  /** A port number, or the traffic port (each target group's own NodePort). */
  port: number | 'traffic-port';
  /** HTTP and HTTPS only. */
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface LoadBalancerListener {
  port: number;
  protocol: 'TCP' | 'UDP';
  /** Where the target group sends the traffic on each instance. */
  nodePort: number;
}

/** A Network Load Balancer as a Service wants it, in the cloud's terms. */
export interface DesiredLoadBalancer {
  name: string;
  /** Who it is for (`<namespace>/<name>`): its `kubernetes.io/service-name` tag, by which it is found and deleted. */
  owner: string;
  scheme: LoadBalancerScheme;
  subnets: LoadBalancerSubnet[];
  listeners: LoadBalancerListener[];
  healthCheck: HealthCheck;
  /** Instance ids registered in every target group. */
  targets: string[];
  /** Tags beyond the cluster's and the owner's. */
  tags: Tags;
  crossZone: boolean;
  /** Who may reach the NodePorts through it. */
  sourceRanges: string[];
}

export interface EnsuredLoadBalancer {
  dnsName: string;
  /** Whether anything was created, changed or deleted. */
  changed: boolean;
}

/**
 * Network Load Balancers for Services: made and kept as wanted, their
 * targets kept to the nodes, and everything of an owner deleted by tags.
 */
export interface LoadBalancers {
  ensure(lb: DesiredLoadBalancer): Promise<EnsuredLoadBalancer>;
  /** Only the targets and the rules that follow them (a node set change); undefined when there is no load balancer yet. */
  updateTargets(lb: DesiredLoadBalancer): Promise<boolean | undefined>;
  /** Everything tagged as the owner's, whatever its name or settings; answers whether anything was there. */
  delete(owner: string, name: string): Promise<boolean>;
}

// ELBv2 takes at most 20 ARNs in one DescribeTags.
const TAGS_PER_CALL = 20;
const TARGETS_PER_CALL = 500;

/**
 * A target group's name: `k8s-<namespace:8>-<name:8>-<hash:10>`, as the AWS
 * cloud-controller-manager names them, hashed over what a target group
 * cannot change (port, NodePort, protocol); so a retry after a crash finds
 * the one it made by name, and a changed NodePort gets a new one.
 */
export function targetGroupName(clusterName: string, owner: string, listener: LoadBalancerListener): string {
  const [namespace, name] = owner.split('/');
  const hash = createHash('sha1').update(`${clusterName}\0${owner}\0${listener.port}\0${listener.nodePort}\0${listener.protocol}\0instance`).digest('hex');
  const clean = (s: string) => s.replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
  return `k8s-${clean(namespace)}-${clean(name)}-${hash.slice(0, 10)}`;
}

export class ElbLoadBalancers implements LoadBalancers {
  private readonly rules: NodeSecurityGroupRules;

  constructor(private readonly aws: AwsClients, private readonly clusterName: string) {
    this.rules = new NodeSecurityGroupRules(aws, clusterName);
  }

  async ensure(want: DesiredLoadBalancer): Promise<EnsuredLoadBalancer> {
    const elb = this.aws.elbv2;
    let changed = false;
    const found = await this.findByName(want);
    let lb: ElbLoadBalancer | undefined;
    const replacedGroups: string[] = [];
    for (const candidate of found) {
      if (!lb && sameShape(candidate, want)) {
        lb = candidate;
        continue;
      }
      // Scheme and subnets are fixed at creation: a load balancer that no longer fits (or a second one of the name) goes.
      replacedGroups.push(...(await this.groupsOfLoadBalancer(candidate.LoadBalancerArn!)).map((g) => g.TargetGroupArn!));
      await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: candidate.LoadBalancerArn }));
      changed = true;
    }
    const fresh = !lb;
    if (!lb) {
      lb = (await elb.send(new CreateLoadBalancerCommand({
        Name: want.name, Type: 'network', Scheme: want.scheme, Subnets: want.subnets.map((s) => s.id), Tags: tagList(this.tags(want)),
      }))).LoadBalancers![0];
      changed = true;
    }
    const arn = lb.LoadBalancerArn!;
    changed = (await this.ensureCrossZone(arn, want.crossZone, fresh)) || changed;
    if (!fresh) changed = (await this.ensureTags([arn], found.find((f) => f.LoadBalancerArn === arn)?.tags ?? {}, want)) || changed;

    const listeners = fresh ? [] : (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? [];
    const attached = fresh ? [] : await this.groupsOfLoadBalancer(arn);
    if (attached.length) changed = (await this.ensureTags(attached.map((g) => g.TargetGroupArn!), await this.tagsOf(attached.map((g) => g.TargetGroupArn!)), want)) || changed;
    // Removed ports' listeners go first: a port may come back with another protocol.
    for (const listener of listeners) {
      if (want.listeners.some((l) => l.port === listener.Port && l.protocol === listener.Protocol)) continue;
      await elb.send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn }));
      changed = true;
    }
    const used = new Set<string>();
    for (const l of want.listeners) {
      const name = targetGroupName(this.clusterName, want.owner, l);
      let group = attached.find((g) => g.TargetGroupName === name);
      if (!group) {
        group = await this.findTargetGroup(name, want.owner);
        if (group) changed = (await this.ensureTags([group.TargetGroupArn!], await this.tagsOf([group.TargetGroupArn!]), want)) || changed;
      }
      if (!group) {
        group = (await elb.send(new CreateTargetGroupCommand({
          Name: name, Protocol: l.protocol, Port: l.nodePort, VpcId: lb.VpcId, TargetType: 'instance', ...healthCheckInput(want.healthCheck), Tags: tagList(this.tags(want)),
        }))).TargetGroups![0];
        changed = true;
        changed = (await this.ensureTargets(group.TargetGroupArn!, l.nodePort, want.targets, [])) || changed;
      } else {
        changed = (await this.ensureHealthCheck(group, want.healthCheck)) || changed;
        changed = (await this.ensureTargets(group.TargetGroupArn!, l.nodePort, want.targets)) || changed;
      }
      used.add(group.TargetGroupArn!);
      const listener = listeners.find((x) => x.Port === l.port && x.Protocol === l.protocol);
      if (!listener) {
        await elb.send(new CreateListenerCommand({
          LoadBalancerArn: arn, Port: l.port, Protocol: l.protocol, DefaultActions: [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }], Tags: tagList(this.tags(want)),
        }));
        changed = true;
      } else if (forwardsTo(listener) !== group.TargetGroupArn) {
        await elb.send(new ModifyListenerCommand({ ListenerArn: listener.ListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }] }));
        changed = true;
      }
    }
    // Target groups no longer forwarded to: the removed ports', a changed NodePort's, the replaced load balancer's.
    for (const groupArn of new Set([...attached.map((g) => g.TargetGroupArn!), ...replacedGroups])) {
      if (used.has(groupArn)) continue;
      await this.deleteTargetGroup(groupArn);
      changed = true;
    }
    changed = (await this.rules.ensure(nodeRules(want))) || changed;
    return { dnsName: lb.DNSName!, changed };
  }

  async updateTargets(want: DesiredLoadBalancer): Promise<boolean | undefined> {
    const [lb] = (await this.findByName(want)).filter((f) => sameShape(f, want));
    if (!lb) return undefined;
    const groups = await this.groupsOfLoadBalancer(lb.LoadBalancerArn!);
    let changed = false;
    for (const g of groups) changed = (await this.ensureTargets(g.TargetGroupArn!, g.Port!, want.targets)) || changed;
    changed = (await this.rules.ensure(nodeRules(want))) || changed;
    return changed;
  }

  async delete(owner: string, name: string): Promise<boolean> {
    const elb = this.aws.elbv2;
    const lbs = await this.ownedBy(owner, await this.allLoadBalancers(), (l) => l.LoadBalancerArn!);
    for (const lb of lbs) await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    const groups = await this.ownedBy(owner, await this.allTargetGroups(), (g) => g.TargetGroupArn!);
    for (const g of groups) await this.deleteTargetGroup(g.TargetGroupArn!);
    const rulesRemoved = await this.rules.remove([...new Set([name, ...lbs.map((l) => l.LoadBalancerName!)])]);
    return lbs.length > 0 || groups.length > 0 || rulesRemoved;
  }

  private tags(want: DesiredLoadBalancer): Tags {
    return { ...want.tags, [clusterTagKey(this.clusterName)]: RESOURCE_LIFECYCLE_OWNED, [TAG_SERVICE_NAME]: want.owner };
  }

  private isOwner(tags: Tags, owner: string): boolean {
    return tags[clusterTagKey(this.clusterName)] === RESOURCE_LIFECYCLE_OWNED && tags[TAG_SERVICE_NAME] === owner;
  }

  /**
   * The load balancers of this name, with their tags. moto makes a second
   * one when asked twice for a name, so there may be several; one of the
   * name that is not the owner's is a conflict nothing here may touch.
   */
  private async findByName(want: DesiredLoadBalancer): Promise<(ElbLoadBalancer & { tags: Tags })[]> {
    let found: ElbLoadBalancer[];
    try {
      found = (await this.aws.elbv2.send(new DescribeLoadBalancersCommand({ Names: [want.name] }))).LoadBalancers ?? [];
    } catch (err) {
      if (hasCode(err, 'LoadBalancerNotFound', 'LoadBalancerNotFoundException')) return [];
      throw err;
    }
    if (!found.length) return [];
    const tags = await this.tagsOf(found.map((l) => l.LoadBalancerArn!));
    const out = found.map((l) => ({ ...l, tags: tags.get(l.LoadBalancerArn!) ?? {} }));
    const foreign = out.find((l) => !this.isOwner(l.tags, want.owner));
    if (foreign) throw new Error(`load balancer ${want.name} (${foreign.LoadBalancerArn}) exists but is not tagged as ${want.owner}'s in cluster ${this.clusterName}`);
    return out;
  }

  private async findTargetGroup(name: string, owner: string): Promise<TargetGroup | undefined> {
    let group: TargetGroup | undefined;
    try {
      group = (await this.aws.elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0];
    } catch (err) {
      if (hasCode(err, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) return undefined;
      throw err;
    }
    if (!group) return undefined;
    if (!this.isOwner((await this.tagsOf([group.TargetGroupArn!])).get(group.TargetGroupArn!) ?? {}, owner)) {
      throw new Error(`target group ${name} exists but is not tagged as ${owner}'s in cluster ${this.clusterName}`);
    }
    return group;
  }

  private async tagsOf(arns: string[]): Promise<Map<string, Tags>> {
    const out = new Map<string, Tags>();
    for (let i = 0; i < arns.length; i += TAGS_PER_CALL) {
      const res = await this.aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + TAGS_PER_CALL) }));
      for (const d of res.TagDescriptions ?? []) out.set(d.ResourceArn!, tagRecord(d.Tags));
    }
    return out;
  }

  /** The Service's extra tags added or corrected on resources made earlier (tags someone else added stay). */
  private async ensureTags(arns: string[], current: Map<string, Tags> | Tags, want: DesiredLoadBalancer): Promise<boolean> {
    const desired = this.tags(want);
    const stale = arns.filter((arn) => {
      const have = current instanceof Map ? current.get(arn) ?? {} : current;
      return Object.entries(desired).some(([k, v]) => have[k] !== v);
    });
    if (!stale.length) return false;
    for (let i = 0; i < stale.length; i += TAGS_PER_CALL) await this.aws.elbv2.send(new AddTagsCommand({ ResourceArns: stale.slice(i, i + TAGS_PER_CALL), Tags: tagList(desired) }));
    return true;
  }

  private async ensureCrossZone(arn: string, enabled: boolean, fresh: boolean): Promise<boolean> {
    const key = 'load_balancing.cross_zone.enabled';
    // A new Network Load Balancer starts with cross-zone off.
    const current = fresh
      ? 'false'
      : (await this.aws.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }))).Attributes?.find((a) => a.Key === key)?.Value ?? 'false';
    if (current === String(enabled)) return false;
    await this.aws.elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: arn, Attributes: [{ Key: key, Value: String(enabled) }] }));
    return true;
  }

  private async ensureHealthCheck(group: TargetGroup, want: HealthCheck): Promise<boolean> {
    const input = healthCheckInput(want);
    const differs = group.HealthCheckProtocol !== input.HealthCheckProtocol || group.HealthCheckPort !== input.HealthCheckPort
      || (want.protocol !== 'TCP' && group.HealthCheckPath !== input.HealthCheckPath)
      || group.HealthCheckIntervalSeconds !== input.HealthCheckIntervalSeconds || group.HealthCheckTimeoutSeconds !== input.HealthCheckTimeoutSeconds
      || group.HealthyThresholdCount !== input.HealthyThresholdCount || group.UnhealthyThresholdCount !== input.UnhealthyThresholdCount;
    if (!differs) return false;
    await this.aws.elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: group.TargetGroupArn, ...input }));
    return true;
  }

  /** Registers and deregisters only the difference (deregistering first, as the AWS cloud-controller-manager does, so a full group can take replacements). */
  private async ensureTargets(groupArn: string, port: number, instances: string[], current?: { id: string; port: number }[]): Promise<boolean> {
    const have = current ?? ((await this.aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: groupArn }))).TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.Reason !== 'Target.DeregistrationInProgress')
      .map((d) => ({ id: d.Target!.Id!, port: d.Target!.Port ?? port }));
    const gone = have.filter((t) => t.port !== port || !instances.includes(t.id));
    const added = instances.filter((id) => !have.some((t) => t.id === id && t.port === port));
    for (let i = 0; i < gone.length; i += TARGETS_PER_CALL) {
      await this.aws.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: groupArn, Targets: gone.slice(i, i + TARGETS_PER_CALL).map((t) => ({ Id: t.id, Port: t.port })) }));
    }
    for (let i = 0; i < added.length; i += TARGETS_PER_CALL) {
      await this.aws.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: groupArn, Targets: added.slice(i, i + TARGETS_PER_CALL).map((Id) => ({ Id, Port: port })) }));
    }
    return gone.length > 0 || added.length > 0;
  }

  /** The target groups a load balancer's listeners forward to (moto answers TargetGroupNotFound where AWS answers none). */
  private async groupsOfLoadBalancer(arn: string): Promise<TargetGroup[]> {
    try {
      return (await this.aws.elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: arn }))).TargetGroups ?? [];
    } catch (err) {
      if (hasCode(err, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) return [];
      throw err;
    }
  }

  /** Deleted, or already gone; one still in use (its load balancer going away) fails and is retried. */
  private async deleteTargetGroup(arn: string): Promise<void> {
    try {
      await this.aws.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
    } catch (err) {
      if (!hasCode(err, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) throw err;
    }
  }

  private async ownedBy<T>(owner: string, items: T[], arnOf: (item: T) => string): Promise<T[]> {
    const tags = await this.tagsOf(items.map(arnOf));
    return items.filter((item) => this.isOwner(tags.get(arnOf(item)) ?? {}, owner));
  }

  private async allLoadBalancers(): Promise<ElbLoadBalancer[]> {
    const out: ElbLoadBalancer[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.aws.elbv2.send(new DescribeLoadBalancersCommand({ Marker }));
      out.push(...(page.LoadBalancers ?? []).filter((l) => l.Type === 'network'));
      Marker = page.NextMarker;
    } while (Marker);
    return out;
  }

  private async allTargetGroups(): Promise<TargetGroup[]> {
    const out: TargetGroup[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.aws.elbv2.send(new DescribeTargetGroupsCommand({ Marker }));
      out.push(...(page.TargetGroups ?? []));
      Marker = page.NextMarker;
    } while (Marker);
    return out;
  }
}

function sameShape(lb: ElbLoadBalancer, want: DesiredLoadBalancer): boolean {
  const subnets = (lb.AvailabilityZones ?? []).map((z) => z.SubnetId!).sort();
  const wanted = want.subnets.map((s) => s.id).sort();
  return lb.Scheme === want.scheme && subnets.length === wanted.length && subnets.every((s, i) => s === wanted[i]);
}

const forwardsTo = (l: ElbListener): string | undefined => l.DefaultActions?.find((a) => a.Type === 'forward')?.TargetGroupArn;

function healthCheckInput(hc: HealthCheck): Omit<ModifyTargetGroupInput, 'TargetGroupArn'> {
  return {
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: String(hc.port),
    ...(hc.protocol === 'TCP' ? {} : { HealthCheckPath: hc.path ?? '/' }),
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
  };
}

function nodeRules(want: DesiredLoadBalancer) {
  return {
    loadBalancerName: want.name,
    instanceIds: want.targets,
    trafficPorts: want.listeners.map((l) => ({ port: l.nodePort, protocol: l.protocol === 'UDP' ? 'udp' as const : 'tcp' as const })),
    clientCidrs: want.sourceRanges.length ? want.sourceRanges : ['0.0.0.0/0'],
    healthCheckPorts: want.healthCheck.port === 'traffic-port' ? want.listeners.map((l) => l.nodePort) : [want.healthCheck.port],
    healthCheckCidrs: want.subnets.map((s) => s.cidr),
  };
}
