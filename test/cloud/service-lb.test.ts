import test from 'ava';
import { CreateTagsCommand, DeleteTagsCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeListenersCommand, DescribeLoadBalancerAttributesCommand, DescribeLoadBalancersCommand, DescribeTagsCommand, DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand, type LoadBalancer, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isMutatingAction } from '../../controllers/aws/aws-clients.js';
import { ElbLoadBalancers, targetGroupName, type DesiredLoadBalancer } from '../../controllers/aws/load-balancers.js';
import { findLoadBalancerSubnets } from '../../controllers/aws/load-balancer-subnets.js';
import { clusterTagKey, TAG_ROLE_INTERNAL_ELB, TAG_SERVICE_NAME, tagRecord } from '../../controllers/aws/tags.js';
import { LOAD_BALANCER_CLEANUP_FINALIZER } from '../../controllers/cloud/service/service-lb-controller.js';
import { EVENTS, NODES, SERVICES } from '../../client/resources.js';
import type { AnyObject } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';
import { isNotFound } from '../../client/api-error.js';
import type { BackingInstance } from '../../node-agent/simulator/backing-instances.js';
import { adminClient } from '../helpers/apiserver.js';
import { startFaultProxy, type FaultProxy } from '../helpers/aws-fault-proxy.js';
import { startAwsNodes, startCloudControllerManager, startCloudTestbed, type AwsNodes, type CloudTestbed, type RunningCloudControllerManager } from '../helpers/cloud.js';
import { eventually } from '../helpers/eventually.js';

let bed: CloudTestbed;
let nodes: AwsNodes;
let ccm: RunningCloudControllerManager;
let admin: RestClient;
/** A pass-through proxy in front of moto, counting every call by action. */
let counter: FaultProxy;
const NS = 'default';
const A = 'service.beta.kubernetes.io/aws-load-balancer-';
const startController = () => startCloudControllerManager(bed, { controllers: ['service-lb-controller'], retryBaseDelayMs: 200, retryMaxDelayMs: 2_000 });

test.before(async () => {
  bed = await startCloudTestbed();
  admin = adminClient(bed.cluster);
  nodes = await startAwsNodes(bed, 3);
  await initialize(nodes.instances[0]);
  await initialize(nodes.instances[1]);
  // Clients find their endpoint on their first call: the cloud-controller-manager's go through the counter (and so do the test's ELBv2 reads).
  counter = await startFaultProxy(bed.endpoint.url, { throttleShare: 0, errorShare: 0, maxLatencyMs: 0 });
  process.env.AWS_ENDPOINT_URL = counter.url;
  ccm = await startController();
});
test.after.always(async () => {
  await ccm?.stop();
  await nodes?.stop();
  admin?.close();
  await counter?.stop();
  await bed?.stop();
});

/** The actions that passed the proxy since it was last cleared, the mutating ones only, each once. */
const mutatingActions = () => [...counter.passedByAction.keys()].filter((a) => a !== 'Unknown' && isMutatingAction(a));

/** What the cloud-node controller does to a node: its providerID set and the uninitialized taint gone. */
async function initialize(inst: BackingInstance): Promise<void> {
  const node = await admin.get(NODES, inst.name);
  const taints = (node.spec.taints ?? []).filter((t: AnyObject) => t.key !== 'node.cloudprovider.kubernetes.io/uninitialized');
  await admin.patch(NODES, inst.name, 'merge', { spec: { providerID: `aws:///${inst.zone}/${inst.instanceId}`, taints } });
}

const lbService = (name: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}) => ({
  metadata: { name, namespace: NS, annotations },
  spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec },
});

const getService = (name: string) => admin.get(SERVICES, name, { namespace: NS });
const hostnameOf = async (name: string) => (await getService(name)).status?.loadBalancer?.ingress?.[0]?.hostname as string | undefined;
const lbName = (svc: AnyObject) => `a${svc.metadata.uid!.replace(/-/g, '')}`.slice(0, 32);

interface Observed {
  lbs: (LoadBalancer & { tags: Record<string, string> })[];
  groups: (TargetGroup & { tags: Record<string, string>; targets: string[] })[];
  listeners: { port: number; protocol: string; targetGroupArn: string }[];
  rules: { protocol: string; from: number; to: number; cidr: string; description: string }[];
}

/** Everything in the endpoint tagged as the Service's (or described as its rules), read with the test's own clients. */
async function observe(owner: string, loadBalancerName?: string): Promise<Observed> {
  const elb = bed.aws.elbv2;
  const allLbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const allGroups = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const arns = [...allLbs.map((l) => l.LoadBalancerArn!), ...allGroups.map((g) => g.TargetGroupArn!)];
  const tags = new Map<string, Record<string, string>>();
  for (let i = 0; i < arns.length; i += 20) {
    for (const d of (await elb.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }))).TagDescriptions ?? []) tags.set(d.ResourceArn!, tagRecord(d.Tags));
  }
  const mine = (arn: string) => tags.get(arn)?.[TAG_SERVICE_NAME] === owner;
  const lbs = allLbs.filter((l) => mine(l.LoadBalancerArn!)).map((l) => ({ ...l, tags: tags.get(l.LoadBalancerArn!)! }));
  const groups = [];
  for (const g of allGroups.filter((x) => mine(x.TargetGroupArn!))) {
    const health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }))).TargetHealthDescriptions ?? [];
    groups.push({ ...g, tags: tags.get(g.TargetGroupArn!)!, targets: health.map((h) => h.Target!.Id!).sort() });
  }
  const listeners = [];
  for (const l of lbs) {
    for (const x of (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: l.LoadBalancerArn }))).Listeners ?? []) {
      listeners.push({ port: x.Port!, protocol: x.Protocol!, targetGroupArn: x.DefaultActions![0].TargetGroupArn! });
    }
  }
  const sg = (await bed.aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [bed.network.securityGroups.nodes] }))).SecurityGroups![0];
  const rules = (sg.IpPermissions ?? []).flatMap((p) => (p.IpRanges ?? []).map((r) => ({ protocol: p.IpProtocol!, from: p.FromPort!, to: p.ToPort!, cidr: r.CidrIp!, description: r.Description ?? '' })))
    .filter((r) => (loadBalancerName ? r.description.endsWith(`=${loadBalancerName}`) : r.description.startsWith('kubernetes.io/rule/nlb/')));
  return { lbs, groups, listeners: listeners.sort((a, b) => a.port - b.port), rules };
}

async function reasons(name: string): Promise<{ type: string; reason: string; message: string; count: number }[]> {
  const events = await admin.list(EVENTS, { namespace: NS, fieldSelector: `involvedObject.name=${name}` });
  return events.items.map((e: AnyObject) => ({ type: e.type, reason: e.reason, message: e.message, count: e.count ?? 1 }));
}

const ensuredCount = async (name: string) => (await reasons(name)).filter((e) => e.reason === 'EnsuredLoadBalancer').reduce((n, e) => n + e.count, 0);

const instanceIds = (...idx: number[]) => idx.map((i) => nodes.instances[i].instanceId).sort();
const nodePorts = (svc: AnyObject) => svc.spec.ports.map((p: AnyObject) => p.nodePort as number).sort();

test.serial('a LoadBalancer Service gets a finalizer, a Network Load Balancer with a listener and target group per port, its hostname, and the node rules', async (t) => {
  await admin.create(SERVICES, lbService('web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }] }, { [`${A}additional-resource-tags`]: 'team=web,cost-center=42' }));
  const hostname = await eventually('the hostname', () => hostnameOf('web'));
  const svc = await getService('web');
  t.true(svc.metadata.finalizers!.includes(LOAD_BALANCER_CLEANUP_FINALIZER));
  const seen = await observe('default/web', lbName(svc));
  t.is(seen.lbs.length, 1);
  const [lb] = seen.lbs;
  t.is(lb.LoadBalancerName, lbName(svc));
  t.is(lb.LoadBalancerName!.length, 32);
  t.is(lb.DNSName, hostname);
  t.is(lb.Type, 'network');
  t.is(lb.Scheme, 'internet-facing');
  t.deepEqual(lb.AvailabilityZones!.map((z) => z.SubnetId).sort(), bed.network.subnets.map((s) => s.subnetId).sort());
  t.like(lb.tags, { [clusterTagKey(bed.clusterName)]: 'owned', [TAG_SERVICE_NAME]: 'default/web', team: 'web', 'cost-center': '42' });
  t.is(seen.groups.length, 2);
  t.deepEqual(seen.groups.map((g) => g.Port).sort(), nodePorts(svc));
  for (const g of seen.groups) {
    t.like(g, { Protocol: 'TCP', TargetType: 'instance', HealthCheckProtocol: 'TCP', HealthCheckPort: 'traffic-port', HealthCheckIntervalSeconds: 30, HealthyThresholdCount: 3, UnhealthyThresholdCount: 3 });
    t.like(g.tags, { [clusterTagKey(bed.clusterName)]: 'owned', [TAG_SERVICE_NAME]: 'default/web', team: 'web' });
    t.deepEqual(g.targets, instanceIds(0, 1), 'the initialized nodes are the targets');
  }
  t.deepEqual(seen.listeners.map((l) => [l.port, l.protocol]), [[80, 'TCP'], [443, 'TCP']]);
  const portOf = (arn: string) => seen.groups.find((g) => g.TargetGroupArn === arn)!.Port;
  t.deepEqual(seen.listeners.map((l) => portOf(l.targetGroupArn)), svc.spec.ports.map((p: AnyObject) => p.nodePort));
  const client = seen.rules.filter((r) => r.description === `kubernetes.io/rule/nlb/client=${lb.LoadBalancerName}`);
  t.deepEqual(client.map((r) => [r.protocol, r.from, r.to, r.cidr]).sort(), nodePorts(svc).map((p: number) => ['tcp', p, p, '0.0.0.0/0']));
  t.is(seen.rules.length, 2, 'no health rules: the client rules from everywhere cover the health checks');
  const all = await observe('default/web');
  t.true(all.rules.some((r) => r.description === 'kubernetes.io/rule/nlb/mtu' && r.protocol === 'icmp' && r.from === 3 && r.to === 4 && r.cidr === '0.0.0.0/0'));
  const got = await eventually('the events', async () => {
    const r = await reasons('web');
    return r.some((e) => e.reason === 'EnsuredLoadBalancer') && r;
  });
  t.true(got.some((e) => e.reason === 'EnsuringLoadBalancer' && e.type === 'Normal'));
});

test.serial('a restarted controller, and a change that leaves the load balancer as it is, make no mutating AWS call', async (t) => {
  await eventually('the first sync done', async () => (await ensuredCount('web')) >= 1);
  await ccm.stop();
  counter.passedByAction.clear();
  ccm = await startController();
  await eventually('the Service ensured again after the restart', async () => (await ensuredCount('web')) >= 2);
  t.true(counter.passedByAction.has('DescribeLoadBalancers'), 'the controller looked');
  t.deepEqual(mutatingActions(), [], 'the restart');
  await admin.patch(SERVICES, 'web', 'merge', { metadata: { annotations: { 'example.com/owner': 'team-web' } } }, { namespace: NS });
  await eventually('the Service ensured after the annotation', async () => (await ensuredCount('web')) >= 3);
  t.deepEqual(mutatingActions(), [], 'an annotation the load balancer does not read');
});

test.serial('targets follow the nodes: an initialized node is registered, an excluded one deregistered, and nothing else changes', async (t) => {
  counter.passedByAction.clear();
  await initialize(nodes.instances[2]);
  await eventually('the third node registered', async () => (await observe('default/web')).groups.every((g) => g.targets.join() === instanceIds(0, 1, 2).join()));
  await admin.patch(NODES, nodes.instances[0].name, 'merge', { metadata: { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' } } });
  await eventually('the excluded node deregistered', async () => (await observe('default/web')).groups.every((g) => g.targets.join() === instanceIds(1, 2).join()));
  await admin.patch(NODES, nodes.instances[1].name, 'merge', { spec: { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1', effect: 'NoSchedule' }] } });
  await eventually('the node the autoscaler removes deregistered', async () => (await observe('default/web')).groups.every((g) => g.targets.join() === instanceIds(2).join()));
  await admin.patch(NODES, nodes.instances[0].name, 'merge', { metadata: { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': null } } });
  await admin.patch(NODES, nodes.instances[1].name, 'merge', { spec: { taints: [] } });
  await eventually('all three back', async () => (await observe('default/web')).groups.every((g) => g.targets.join() === instanceIds(0, 1, 2).join()));
  t.true((await reasons('web')).some((e) => e.reason === 'UpdatedLoadBalancer'));
  t.deepEqual(mutatingActions().sort(), ['DeregisterTargets', 'RegisterTargets']);
});

test.serial('ports added and removed add and remove listeners and target groups; the kept one is untouched', async (t) => {
  const before = await observe('default/web');
  const kept = before.listeners.find((l) => l.port === 80)!.targetGroupArn;
  const svc = await getService('web');
  svc.spec.ports = [svc.spec.ports[0], { name: 'admin', port: 9000, targetPort: 9000, protocol: 'TCP' }];
  await admin.update(SERVICES, svc);
  const after = await eventually('listeners 80 and 9000', async () => {
    const o = await observe('default/web');
    return o.listeners.map((l) => l.port).join() === '80,9000' && o.groups.length === 2 && o;
  });
  const updated = await getService('web');
  t.is(after.listeners[0].targetGroupArn, kept);
  t.deepEqual(after.groups.map((g) => g.Port).sort(), nodePorts(updated));
  const client = after.rules.filter((r) => r.description.startsWith('kubernetes.io/rule/nlb/client=')).map((r) => r.from).sort();
  t.deepEqual(client, nodePorts(updated), 'the removed NodePort is no longer let in');
  t.true(after.groups.every((g) => g.targets.join() === instanceIds(0, 1, 2).join()));
});

test.serial('health check annotations change the target groups in place', async (t) => {
  const before = await observe('default/web');
  await admin.patch(SERVICES, 'web', 'merge', { metadata: { annotations: {
    [`${A}healthcheck-protocol`]: 'http', [`${A}healthcheck-path`]: '/ready', [`${A}healthcheck-interval`]: '10',
    [`${A}healthcheck-healthy-threshold`]: '2', [`${A}healthcheck-unhealthy-threshold`]: '4', [`${A}healthcheck-timeout`]: '6',
  } } }, { namespace: NS });
  const after = await eventually('the HTTP health check', async () => {
    const o = await observe('default/web');
    return o.groups.every((g) => g.HealthCheckProtocol === 'HTTP') && o;
  });
  t.deepEqual(after.groups.map((g) => g.TargetGroupArn).sort(), before.groups.map((g) => g.TargetGroupArn).sort(), 'the same target groups');
  for (const g of after.groups) t.like(g, { HealthCheckPath: '/ready', HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, UnhealthyThresholdCount: 4, HealthCheckTimeoutSeconds: 6, HealthCheckPort: 'traffic-port' });
  t.is(after.lbs[0].LoadBalancerArn, before.lbs[0].LoadBalancerArn);
  await admin.patch(SERVICES, 'web', 'merge', { metadata: { annotations: { [`${A}cross-zone-load-balancing-enabled`]: 'true' } } }, { namespace: NS });
  await eventually('cross-zone on', async () => {
    const attrs = (await bed.aws.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: before.lbs[0].LoadBalancerArn }))).Attributes ?? [];
    return attrs.some((a) => a.Key === 'load_balancing.cross_zone.enabled' && a.Value === 'true');
  });
});

test.serial('loadBalancerSourceRanges decide who reaches the NodePorts; health checks then come from the subnets', async (t) => {
  const svc = await getService('web');
  const name = lbName(svc);
  await admin.patch(SERVICES, 'web', 'merge', { spec: { loadBalancerSourceRanges: ['192.168.0.0/24', '172.16.0.0/16'] } }, { namespace: NS });
  const ports = nodePorts(svc);
  const after = await eventually('client rules from the ranges', async () => {
    const o = await observe('default/web', name);
    return o.rules.filter((r) => r.description.includes('/client=')).length === 4 && o;
  });
  t.deepEqual(after.rules.filter((r) => r.description.includes('/client=')).map((r) => `${r.from}:${r.cidr}`).sort(),
    ports.flatMap((p: number) => [`${p}:172.16.0.0/16`, `${p}:192.168.0.0/24`]).sort());
  t.deepEqual(after.rules.filter((r) => r.description.includes('/health=')).map((r) => `${r.from}:${r.cidr}`).sort(),
    ports.flatMap((p: number) => bed.network.subnets.map((s) => `${p}:${s.cidr}`)).sort());
  const mtu = (await observe('default/web')).rules.filter((r) => r.description === 'kubernetes.io/rule/nlb/mtu').map((r) => r.cidr).sort();
  t.deepEqual(mtu, ['172.16.0.0/16', '192.168.0.0/24'], 'path MTU discovery from the client ranges only');
  await admin.patch(SERVICES, 'web', 'merge', { spec: { loadBalancerSourceRanges: null } }, { namespace: NS });
  await eventually('back to everywhere', async () => {
    const o = await observe('default/web', name);
    return o.rules.length === 2 && o.rules.every((r) => r.cidr === '0.0.0.0/0');
  });
});

test.serial('internal without internal-elb subnets warns with the tags to add; once tagged, the load balancer is replaced and nothing leaks', async (t) => {
  const before = await observe('default/web');
  await admin.patch(SERVICES, 'web', 'merge', { metadata: { annotations: { [`${A}internal`]: 'true' } } }, { namespace: NS });
  const warning = await eventually('the warning', async () => (await reasons('web')).find((e) => e.reason === 'SyncLoadBalancerFailed'));
  t.is(warning.type, 'Warning');
  t.regex(warning.message, new RegExp(`${TAG_ROLE_INTERNAL_ELB}=1`));
  t.regex(warning.message, new RegExp(clusterTagKey(bed.clusterName)));
  t.is((await observe('default/web')).lbs[0].LoadBalancerArn, before.lbs[0].LoadBalancerArn, 'nothing touched');
  await bed.aws.ec2.send(new CreateTagsCommand({ Resources: bed.network.subnets.map((s) => s.subnetId), Tags: [{ Key: TAG_ROLE_INTERNAL_ELB, Value: '1' }] }));
  try {
    const after = await eventually('an internal load balancer', async () => {
      const o = await observe('default/web');
      return o.lbs.length === 1 && o.lbs[0].Scheme === 'internal' && o.listeners.length === 2 && o;
    });
    t.not(after.lbs[0].LoadBalancerArn, before.lbs[0].LoadBalancerArn);
    t.is(after.groups.length, 2, 'no target group left over');
    t.true(after.listeners.every((l) => after.groups.some((g) => g.TargetGroupArn === l.targetGroupArn)));
    await eventually('the new hostname', async () => (await hostnameOf('web')) === after.lbs[0].DNSName);
  } finally {
    await bed.aws.ec2.send(new DeleteTagsCommand({ Resources: bed.network.subnets.map((s) => s.subnetId), Tags: [{ Key: TAG_ROLE_INTERNAL_ELB }] }));
  }
});

test.serial('naming subnets by Name tag replaces the load balancer in those subnets only', async (t) => {
  const before = await observe('default/web');
  const [first] = bed.network.subnets;
  await admin.patch(SERVICES, 'web', 'merge', { metadata: { annotations: { [`${A}internal`]: null, [`${A}subnets`]: `${bed.clusterName}-public-${first.zone}` } } }, { namespace: NS });
  const after = await eventually('a load balancer in one subnet', async () => {
    const o = await observe('default/web');
    return o.lbs.length === 1 && o.lbs[0].LoadBalancerArn !== before.lbs[0].LoadBalancerArn && o.listeners.length === 2 && o;
  });
  t.deepEqual(after.lbs[0].AvailabilityZones!.map((z) => z.SubnetId), [first.subnetId]);
  t.is(after.lbs[0].Scheme, 'internet-facing');
  t.is(after.groups.length, 2);
  const health = after.rules.filter((r) => r.description.includes('/health='));
  t.deepEqual(health, [], 'no health rules while clients come from everywhere');
});

test.serial('a type change to ClusterIP deletes everything of the Service and removes the finalizer', async (t) => {
  await admin.delete(SERVICES, 'web', { namespace: NS });
  // A Service of its own: the events of one object are rate limited (25, then one per 5 minutes), and web has had its share.
  await admin.create(SERVICES, lbService('switch'));
  await eventually('the hostname', () => hostnameOf('switch'));
  const svc = await getService('switch');
  t.is((await observe('default/switch')).lbs.length, 1);
  await admin.patch(SERVICES, 'switch', 'merge', { spec: { type: 'ClusterIP' } }, { namespace: NS });
  await eventually('the finalizer removed', async () => !(await getService('switch')).metadata.finalizers?.includes(LOAD_BALANCER_CLEANUP_FINALIZER));
  const left = await observe('default/switch', lbName(svc));
  t.deepEqual([left.lbs.length, left.groups.length, left.rules.length], [0, 0, 0]);
  const got = await eventually('the deletion events', async () => {
    const r = await reasons('switch');
    return r.some((e) => e.reason === 'DeletedLoadBalancer') && r;
  });
  t.true(got.some((e) => e.reason === 'DeletingLoadBalancer'));
  t.is((await getService('switch')).status?.loadBalancer?.ingress, undefined);
  await admin.delete(SERVICES, 'switch', { namespace: NS });
});

test.serial('externalTrafficPolicy Local checks health over HTTP on the healthCheckNodePort, let in from the subnets', async (t) => {
  await admin.create(SERVICES, lbService('local', { externalTrafficPolicy: 'Local' }));
  await eventually('the hostname', () => hostnameOf('local'));
  const svc = await getService('local');
  t.true(svc.spec.healthCheckNodePort > 0);
  const seen = await observe('default/local', lbName(svc));
  t.like(seen.groups[0], { HealthCheckProtocol: 'HTTP', HealthCheckPort: String(svc.spec.healthCheckNodePort), HealthCheckPath: '/healthz', HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 });
  t.deepEqual(seen.rules.filter((r) => r.description.includes('/health=')).map((r) => `${r.from}:${r.cidr}`).sort(),
    bed.network.subnets.map((s) => `${svc.spec.healthCheckNodePort}:${s.cidr}`).sort());
});

test.serial('deleting a Service deletes its load balancer, target groups and rules before the Service goes', async (t) => {
  const svc = await getService('local');
  await admin.delete(SERVICES, 'local', { namespace: NS });
  await eventually('the Service gone', async () => {
    try {
      await getService('local');
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  });
  const left = await observe('default/local', lbName(svc));
  t.deepEqual([left.lbs.length, left.groups.length, left.rules.length], [0, 0, 0]);
});

test.serial('a load balancer type this controller does not make gets a Warning and nothing else', async (t) => {
  await admin.create(SERVICES, lbService('external', {}, { [`${A}type`]: 'external', [`${A}nlb-target-type`]: 'ip' }));
  const warning = await eventually('the warning', async () => (await reasons('external')).find((e) => e.reason === 'UnsupportedLoadBalancer'));
  t.is(warning.type, 'Warning');
  t.regex(warning.message, /not implemented/);
  const svc = await getService('external');
  t.falsy(svc.metadata.finalizers?.includes(LOAD_BALANCER_CLEANUP_FINALIZER));
  t.is((await observe('default/external')).lbs.length, 0);
  await admin.delete(SERVICES, 'external', { namespace: NS });
});

test.serial('a Service whose type annotation turns to one not implemented has its load balancer deleted, not leaked', async (t) => {
  await admin.create(SERVICES, lbService('flip'));
  await eventually('the hostname', () => hostnameOf('flip'));
  const svc = await getService('flip');
  await admin.patch(SERVICES, 'flip', 'merge', { metadata: { annotations: { [`${A}type`]: 'external' } } }, { namespace: NS });
  await eventually('the finalizer removed', async () => !(await getService('flip')).metadata.finalizers?.includes(LOAD_BALANCER_CLEANUP_FINALIZER));
  const left = await observe('default/flip', lbName(svc));
  t.deepEqual([left.lbs.length, left.groups.length, left.rules.length], [0, 0, 0]);
  t.is((await getService('flip')).status?.loadBalancer?.ingress, undefined, 'no hostname of a load balancer that is gone');
  await eventually('the warning', async () => (await reasons('flip')).some((e) => e.reason === 'UnsupportedLoadBalancer'));
  await admin.delete(SERVICES, 'flip', { namespace: NS });
});

test.serial('in the steady state ensuring again makes no mutating AWS call; a node change only registers the difference', async (t) => {
  const lbs = new ElbLoadBalancers(bed.aws, bed.clusterName);
  const subnets = await findLoadBalancerSubnets(bed.aws, bed.clusterName, 'internet-facing');
  const want: DesiredLoadBalancer = {
    name: 'steady-state-lb', owner: 'other/steady', scheme: 'internet-facing', subnets,
    listeners: [{ port: 80, protocol: 'TCP', nodePort: 31111 }, { port: 53, protocol: 'UDP', nodePort: 31112 }],
    healthCheck: { protocol: 'TCP', port: 'traffic-port', intervalSeconds: 30, timeoutSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3 },
    targets: instanceIds(0, 1), tags: {}, crossZone: false, sourceRanges: ['10.9.0.0/16'],
  };
  const first = await lbs.ensure(want);
  t.true(first.changed);
  const mutating: string[] = [];
  const stop = bed.aws.calls.onCall((action) => { if (isMutatingAction(action)) mutating.push(action); });
  try {
    const again = await lbs.ensure(want);
    t.false(again.changed);
    t.is(again.dnsName, first.dnsName);
    t.false(await lbs.updateTargets(want));
    t.deepEqual(mutating, []);
    t.true(await lbs.updateTargets({ ...want, targets: instanceIds(0, 1, 2) }));
    t.deepEqual(mutating.sort(), ['RegisterTargets', 'RegisterTargets'], 'one registration per target group, nothing else');
  } finally {
    stop();
  }
  t.true(await lbs.delete('other/steady', 'steady-state-lb'));
  const left = await observe('other/steady', 'steady-state-lb');
  t.deepEqual([left.lbs.length, left.groups.length, left.rules.length], [0, 0, 0]);
  t.false(await lbs.delete('other/steady', 'steady-state-lb'), 'nothing left to delete');
});

test.serial('what an interrupted attempt made is found and used: the load balancer and a target group not yet forwarded to', async (t) => {
  await ccm.stop();
  try {
    const svc: AnyObject = await admin.create(SERVICES, lbService('retry'));
    const owner = 'default/retry';
    const tags = [{ Key: clusterTagKey(bed.clusterName), Value: 'owned' }, { Key: TAG_SERVICE_NAME, Value: owner }];
    const subnets = bed.network.subnets.map((s) => s.subnetId);
    // What a controller killed after these creates left: no listener, no targets, no status.
    const lb = (await bed.aws.elbv2.send(new CreateLoadBalancerCommand({ Name: lbName(svc), Type: 'network', Scheme: 'internet-facing', Subnets: subnets, Tags: tags }))).LoadBalancers![0];
    const listener = { port: 80, protocol: 'TCP' as const, nodePort: svc.spec.ports[0].nodePort };
    const group = (await bed.aws.elbv2.send(new CreateTargetGroupCommand({
      Name: targetGroupName(bed.clusterName, owner, listener), Protocol: 'TCP', Port: listener.nodePort, VpcId: bed.network.vpcId, TargetType: 'instance', Tags: tags,
    }))).TargetGroups![0];
    ccm = await startController();
    await eventually('the hostname', () => hostnameOf('retry'));
    const seen = await observe(owner);
    t.deepEqual(seen.lbs.map((l) => l.LoadBalancerArn), [lb.LoadBalancerArn]);
    t.deepEqual(seen.groups.map((g) => g.TargetGroupArn), [group.TargetGroupArn]);
    t.deepEqual(seen.listeners.map((l) => l.targetGroupArn), [group.TargetGroupArn]);
    t.deepEqual(seen.groups[0].targets, instanceIds(0, 1, 2));
  } finally {
    await admin.delete(SERVICES, 'retry', { namespace: NS });
  }
  await eventually('the Service gone', async () => {
    try {
      await getService('retry');
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  });
});

test.serial('nothing of any Service is left in the endpoint', async (t) => {
  const lbsLeft = (await bed.aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const groupsLeft = (await bed.aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const rulesLeft = (await observe('none')).rules;
  t.deepEqual([lbsLeft.length, groupsLeft.length, rulesLeft.length], [0, 0, 0]);
});
