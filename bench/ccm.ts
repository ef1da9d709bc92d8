import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachVolumeCommand, AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVolumeCommand, DeleteSecurityGroupCommand,
  DeleteVolumeCommand, DescribeInstancesCommand, DescribeVolumesCommand, DetachVolumeCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeleteLoadBalancerCommand, DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsClients, isMutatingAction, type AwsClients } from '../controllers/aws/aws-clients.js';
import { findNetwork } from '../infra/sdk/network.js';
import { useEndpoint } from '../cli/aws-endpoint.js';
import type { ClusterState } from '../cli/local-cluster.js';
import { adminPool, main, scrape, skiff, stopChild, waitUntil, writeReport, type Component } from './local-cluster.js';
import { round, runConcurrently } from './stats.js';

/**
 * 50, not the 100 the issue names: each Service's NodePort rule goes in the
 * nodes' security group, as the AWS cloud-controller-manager puts it, and a
 * group holds 60 inbound rules (AWS's default quota, fixed in moto). The
 * target keeps its rate: 100 Services in 30 s is 50 in 15 s.
 */
const SERVICES = Number(process.env.BENCH_SERVICES ?? 50);
/** Seconds within which every Service must have its hostname: the rate of 100 Services in 30 s. */
const SERVICES_TARGET_SECONDS = (SERVICES * 30) / 100;
const CLAIMS = Number(process.env.BENCH_CLAIMS ?? 50);
const NODES = Number(process.env.BENCH_NODES ?? 10);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 300);
const IN_FLIGHT = 64;
/** What a single-port Service needs at the least: CreateLoadBalancer, CreateTargetGroup, RegisterTargets, CreateListener, one security group rule, one lookup. */
const SERVICE_MINIMUM = 6;
/** What a volume needs at the least: CreateVolume, AttachVolume, one DescribeVolumes. */
const VOLUME_MINIMUM = 3;

/** The cloud-controller-manager's AWS calls so far, by action, from its own /metrics (one count per HTTP attempt). */
async function ccmCalls(endpoint: string): Promise<Record<string, number>> {
  const text = await scrape(`${endpoint}/metrics`);
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^cloudprovider_aws_api_request_duration_seconds_count\{request="([^"]+)"\} (\S+)$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) out[k] = v - (before[k] ?? 0);
  return out;
}

const sum = (calls: Record<string, number>, filter: (action: string) => boolean = () => true) =>
  Object.entries(calls).filter(([k]) => filter(k)).reduce((n, [, v]) => n + v, 0);
const per = (calls: Record<string, number>, n: number) => Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, round(v / n, 2)]));

/**
 * The limit for Services: the minimum calls of a single-port NLB made
 * straight to the same endpoint, as many at once, for instances of the
 * cluster. Deleted afterwards; tagged with another cluster so the
 * cloud-controller-manager never looks at them.
 */
async function serviceLimit(aws: AwsClients, vpcId: string, subnets: string[], instanceIds: string[]): Promise<number> {
  const tags = [{ Key: 'kubernetes.io/cluster/bench-limit', Value: 'owned' }];
  // A security group holds 60 inbound rules (AWS's default quota, fixed in moto): one group per 50 load balancers.
  const groups: string[] = [];
  for (let g = 0; g * 50 < SERVICES; g++) {
    groups.push((await aws.ec2.send(new CreateSecurityGroupCommand({ GroupName: `bench-limit-${g}`, Description: 'bench limit', VpcId: vpcId }))).GroupId!);
  }
  const made: { lb: string; tg: string }[] = [];
  const { elapsedMs } = await runConcurrently(SERVICES, IN_FLIGHT, async (i) => {
    const name = `limit-${i}`;
    await aws.elbv2.send(new DescribeLoadBalancersCommand({ Names: [name] })).catch(() => undefined);
    const lb = (await aws.elbv2.send(new CreateLoadBalancerCommand({ Name: name, Type: 'network', Scheme: 'internet-facing', Subnets: subnets, Tags: tags }))).LoadBalancers![0];
    const tg = (await aws.elbv2.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'TCP', Port: 30000 + i, VpcId: vpcId, TargetType: 'instance', Tags: tags }))).TargetGroups![0];
    await aws.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: instanceIds.map((Id) => ({ Id, Port: 30000 + i })) }));
    await aws.elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'TCP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }));
    await aws.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groups[Math.floor(i / 50)], IpPermissions: [{ IpProtocol: 'tcp', FromPort: 30000 + i, ToPort: 30000 + i, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    made.push({ lb: lb.LoadBalancerArn!, tg: tg.TargetGroupArn! });
  });
  for (const m of made) {
    await aws.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: m.lb }));
    await aws.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: m.tg }));
  }
  for (const g of groups) await aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId: g }));
  return elapsedMs;
}

/** The limit for volumes: CreateVolume, AttachVolume and one DescribeVolumes each, straight to the endpoint; detached and deleted afterwards. */
async function volumeLimit(aws: AwsClients, instances: { id: string; zone: string }[]): Promise<number> {
  const made: { volume: string; instance: string }[] = [];
  const { elapsedMs } = await runConcurrently(CLAIMS, IN_FLIGHT, async (i) => {
    const instance = instances[i % instances.length];
    const volume = (await aws.ec2.send(new CreateVolumeCommand({ AvailabilityZone: instance.zone, Size: 1, VolumeType: 'gp3' }))).VolumeId!;
    // One device per volume on its instance, past what the cluster's attachments use.
    const device = `/dev/xvd${String.fromCharCode(98 + Math.floor(i / instances.length / 26))}${String.fromCharCode(97 + (Math.floor(i / instances.length) % 26))}`;
    await aws.ec2.send(new AttachVolumeCommand({ VolumeId: volume, InstanceId: instance.id, Device: device }));
    await aws.ec2.send(new DescribeVolumesCommand({ VolumeIds: [volume] }));
    made.push({ volume, instance: instance.id });
  });
  for (const m of made) {
    await aws.ec2.send(new DetachVolumeCommand({ VolumeId: m.volume, InstanceId: m.instance }));
    await aws.ec2.send(new DeleteVolumeCommand({ VolumeId: m.volume }));
  }
  return elapsedMs;
}

/**
 * The cloud-controller-manager on the cluster `skiff up` starts, against its
 * embedded endpoint (moto's server), with NODES simulated nodes backed by
 * instances: SERVICES LoadBalancer Services at once until each has a
 * hostname, then CLAIMS claims with a pod each until every volume is
 * attached, then a steady state. AWS calls are counted by the
 * cloud-controller-manager's own metrics; the limits are the minimum calls
 * made straight to the same endpoint.
 */
export async function run(): Promise<boolean> {
  const home = mkdtempSync(join(tmpdir(), 'skiff-bench-ccm-'));
  const { AWS_ENDPOINT_URL: _ignored, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, SKIFF_HOME: join(home, '.skiff'), HOME: home };
  let simulator: ChildProcess | undefined;
  let aws: AwsClients | undefined;
  let pool: Awaited<ReturnType<typeof adminPool>>['pool'] | undefined;
  try {
    process.stderr.write('starting a cluster with skiff up (its AWS endpoint: moto\'s server)\n');
    await skiff(['up', '--detach'], env);
    const state = JSON.parse(readFileSync(join(home, '.skiff', 'state.json'), 'utf8')) as { components: Component[]; kubeconfig: string; aws: NonNullable<ClusterState['aws']> };
    const byName = Object.fromEntries(state.components.map((c) => [c.name, c]));
    const admin = adminPool(byName.apiserver.endpoint, join(home, '.skiff', 'pki'));
    pool = admin.pool;
    const { call } = admin;
    useEndpoint(state.aws);
    aws = createAwsClients(state.aws.region);

    process.stderr.write(`simulate-nodes --aws: ${NODES} nodes backed by instances\n`);
    simulator = spawn(process.execPath, [main, 'simulate-nodes', `--count=${NODES}`, '--aws', `--kubeconfig=${state.kubeconfig}`], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const initialized = async () => {
      const nodes = (await call('GET', '/api/v1/nodes')).items as any[];
      return nodes.length >= NODES && nodes.every((n) => n.spec?.providerID && !(n.spec.taints ?? []).some((t: any) => t.key === 'node.cloudprovider.kubernetes.io/uninitialized'));
    };
    const nodeInitMs = await waitUntil('the nodes to be initialized by the cloud-controller-manager', initialized, 120_000);
    const network = (await findNetwork(aws, state.aws.clusterName))!;
    const reservations = (await aws.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }, { Name: 'tag-key', Values: ['skiff.dev/simulated-node'] }] }))).Reservations ?? [];
    const instances = reservations.flatMap((r) => r.Instances ?? []).map((i) => ({ id: i.InstanceId!, zone: i.Placement!.AvailabilityZone! }));

    process.stderr.write(`limits: ${SERVICES} minimal load balancers and ${CLAIMS} minimal volumes straight to the endpoint\n`);
    const serviceLimitMs = await serviceLimit(aws, network.vpcId, network.subnets.map((s) => s.subnetId), instances.map((i) => i.id));
    const volumeLimitMs = await volumeLimit(aws, instances);

    process.stderr.write(`services: ${SERVICES} LoadBalancer Services at once\n`);
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'bench-lb' } });
    const beforeServices = await ccmCalls(byName['cloud-controller-manager'].endpoint);
    const servicesStarted = performance.now();
    await runConcurrently(SERVICES, IN_FLIGHT, async (i) => {
      await call('POST', '/api/v1/namespaces/bench-lb/services', {
        metadata: { name: `web-${i}` },
        spec: { type: 'LoadBalancer', selector: { app: `web-${i}` }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
      });
    });
    const withHostname = async () => ((await call('GET', '/api/v1/namespaces/bench-lb/services')).items as any[])
      .filter((s) => s.status?.loadBalancer?.ingress?.[0]?.hostname).length;
    await waitUntil('every Service to have a hostname', async () => (await withHostname()) >= SERVICES, 600_000);
    const servicesMs = performance.now() - servicesStarted;
    // Let the updates the status writes cause settle before counting.
    await new Promise((r) => setTimeout(r, 3_000));
    const serviceCalls = delta(beforeServices, await ccmCalls(byName['cloud-controller-manager'].endpoint));

    process.stderr.write(`volumes: ${CLAIMS} claims (default class gp3, WaitForFirstConsumer) with a pod each\n`);
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'bench-ebs' } });
    const beforeVolumes = await ccmCalls(byName['cloud-controller-manager'].endpoint);
    const volumesStarted = performance.now();
    await runConcurrently(CLAIMS, IN_FLIGHT, async (i) => {
      await call('POST', '/api/v1/namespaces/bench-ebs/persistentvolumeclaims', {
        metadata: { name: `data-${i}` }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
      await call('POST', '/api/v1/namespaces/bench-ebs/pods', {
        metadata: { name: `db-${i}` },
        spec: { containers: [{ name: 'db', image: 'registry.local/db:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `data-${i}` } }] },
      });
    });
    const attached = async () => ((await call('GET', '/apis/storage.k8s.io/v1/volumeattachments')).items as any[]).filter((a) => a.status?.attached).length;
    await waitUntil('every volume to be attached', async () => (await attached()) >= CLAIMS, 600_000);
    const volumesMs = performance.now() - volumesStarted;
    await new Promise((r) => setTimeout(r, 3_000));
    const volumeCalls = delta(beforeVolumes, await ccmCalls(byName['cloud-controller-manager'].endpoint));

    process.stderr.write(`steady state: ${STEADY_SECONDS} s with nothing changing\n`);
    const beforeSteady = await ccmCalls(byName['cloud-controller-manager'].endpoint);
    await new Promise((r) => setTimeout(r, STEADY_SECONDS * 1000));
    const steadyCalls = delta(beforeSteady, await ccmCalls(byName['cloud-controller-manager'].endpoint));

    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      endpoint: 'moto_server (embedded default of skiff up)',
      nodes: NODES,
      nodeInitializationSeconds: round(nodeInitMs / 1000, 2),
      services: SERVICES,
      servicesAllHostnameSeconds: round(servicesMs / 1000, 2),
      serviceLimitSeconds: round(serviceLimitMs / 1000, 2),
      servicesRatioToLimit: round(serviceLimitMs / servicesMs, 3),
      callsPerService: round(sum(serviceCalls) / SERVICES, 2),
      callsPerServiceToMinimum: round(sum(serviceCalls) / SERVICES / SERVICE_MINIMUM, 2),
      callsPerServiceByAction: per(serviceCalls, SERVICES),
      claims: CLAIMS,
      volumesAllAttachedSeconds: round(volumesMs / 1000, 2),
      volumeLimitSeconds: round(volumeLimitMs / 1000, 2),
      volumesRatioToLimit: round(volumeLimitMs / volumesMs, 3),
      callsPerVolume: round(sum(volumeCalls) / CLAIMS, 2),
      callsPerVolumeToMinimum: round(sum(volumeCalls) / CLAIMS / VOLUME_MINIMUM, 2),
      callsPerVolumeByAction: per(volumeCalls, CLAIMS),
      steadyStateSeconds: STEADY_SECONDS,
      steadyStateCalls: steadyCalls,
      steadyStateMutatingCalls: sum(steadyCalls, isMutatingAction),
    };
    const checks = {
      [`${SERVICES} Services with a hostname within ${SERVICES_TARGET_SECONDS} s (100 in 30 s)`]: results.servicesAllHostnameSeconds <= SERVICES_TARGET_SECONDS,
      'calls per Service at most 1.5 times the minimum': results.callsPerServiceToMinimum <= 1.5,
      'calls per volume at most 1.5 times the minimum': results.callsPerVolumeToMinimum <= 1.5,
      'no mutating call in steady state': results.steadyStateMutatingCalls === 0,
    };
    return writeReport('ccm', 'cloud-controller-manager benchmark', `The cluster \`skiff up\` starts, its embedded AWS endpoint (moto's server), ${NODES} simulated nodes backed by instances. Calls are the cloud-controller-manager's own (its /metrics, one per HTTP attempt); the limits are the minimum calls made straight to the same endpoint, as many at once (${IN_FLIGHT} in flight).`, results, checks);
  } finally {
    await pool?.close();
    if (simulator) await stopChild(simulator);
    aws?.destroy();
    await skiff(['down'], env).catch((err) => process.stderr.write(`${err.message}\n`));
    rmSync(home, { recursive: true, force: true });
  }
}
