import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyObject } from '../../client/resource.js';
import { DEPLOYMENTS, LEASES, PODS } from '../../client/resources.js';
import { renderKubeconfig } from '../../cli/kubeconfig-file.js';
import { adminClient, clientCertificate, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { startSimulatedNodes } from '../helpers/simulated-nodes.js';
import type { SimulatedNodes } from '../../node-agent/simulator/simulated-nodes.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'main.js');
const REPLICAS = 40;

let cluster: TestCluster;
let sim: SimulatedNodes;
const children: ChildProcess[] = [];

test.before(async () => {
  cluster = await startCluster();
  sim = await startSimulatedNodes(cluster, { count: 4 });
});
test.after.always(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await sim?.stop();
  await cluster?.stop();
});

async function kubeconfigFor(user: string): Promise<string> {
  const { cert, key } = await clientCertificate(cluster, user);
  const certFile = join(cluster.dir, `${user.replace(/:/g, '-')}.crt`);
  const keyFile = join(cluster.dir, `${user.replace(/:/g, '-')}.key`);
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key, { mode: 0o600 });
  const path = join(cluster.dir, `${user.replace(/:/g, '-')}.kubeconfig`);
  writeFileSync(path, renderKubeconfig({ server: cluster.url, caFile: cluster.caFile, certFile, keyFile, user }));
  return path;
}

/** A component process as `skiff up` runs it, with kube's default leader election timing; answers its identity once it has one. */
function launch(args: string[]) {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let log = '';
  child.stderr!.on('data', (d) => { log += d; });
  return {
    child,
    get log() {
      return log;
    },
    leads: () => /"msg":"became leader"/.test(log),
  };
}

test.serial('SIGKILL of the leading controller-manager and scheduler: the standbys take over within 15 s and no pod is made twice', async (t) => {
  const client = adminClient(cluster);
  const cm = await kubeconfigFor('system:kube-controller-manager');
  const sched = await kubeconfigFor('system:kube-scheduler');
  const managers = [0, 1].map(() => launch(['controller-manager', `--kubeconfig=${cm}`, '--leader-elect=true', '--secure-port=0']));
  const schedulers = [0, 1].map(() => launch(['scheduler', `--kubeconfig=${sched}`, '--leader-elect=true', '--secure-port=0']));
  const leaderOf = (group: typeof managers) => eventually('a leader', () => {
    const leading = group.filter((c) => c.leads());
    return leading.length === 1 ? leading[0] : undefined;
  }, 30_000);
  const cmLeader = await leaderOf(managers);
  const schedLeader = await leaderOf(schedulers);
  const holder = async (name: string) => (await client.get(LEASES, name, { namespace: 'kube-system' })).spec.holderIdentity as string;
  const [cmHolder, schedHolder] = [await holder('kube-controller-manager'), await holder('kube-scheduler')];

  // Every pod ever made for the Deployment, by name: a second create would show as one more.
  const seen = new Set<string>();
  const record = setInterval(() => {
    void client.list(PODS, { namespace: 'default', labelSelector: 'app=failover' }).then((l) => l.items.forEach((p) => seen.add(p.metadata.name!)), () => undefined);
  }, 100);
  try {
    await client.create(DEPLOYMENTS, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'failover', namespace: 'default' },
      spec: {
        replicas: REPLICAS, selector: { matchLabels: { app: 'failover' } },
        template: { metadata: { labels: { app: 'failover' } }, spec: { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu: '10m' } } }] } },
      },
    });
    // Kill both leaders while the ReplicaSet is still being filled and pods are still being placed.
    await eventually('the first pods', async () => (await client.list(PODS, { namespace: 'default', labelSelector: 'app=failover' })).items.length >= 3, 20_000, 20);
    const killedAt = Date.now();
    cmLeader.child.kill('SIGKILL');
    schedLeader.child.kill('SIGKILL');
    const takeover = async (name: string, old: string) => {
      await eventually(`a new ${name} leader`, async () => (await holder(name)) !== old, 30_000, 50);
      return Date.now() - killedAt;
    };
    const [cmTakeoverMs, schedTakeoverMs] = await Promise.all([takeover('kube-controller-manager', cmHolder), takeover('kube-scheduler', schedHolder)]);
    t.log(`takeover after SIGKILL: controller-manager ${cmTakeoverMs} ms, scheduler ${schedTakeoverMs} ms`);
    t.true(cmTakeoverMs <= 15_500, `controller-manager took ${cmTakeoverMs} ms`);
    t.true(schedTakeoverMs <= 15_500, `scheduler took ${schedTakeoverMs} ms`);
    t.true(managers.find((c) => c !== cmLeader)!.leads());
    t.true(schedulers.find((c) => c !== schedLeader)!.leads());

    await eventually('the Deployment available', async () => {
      const d = await client.get(DEPLOYMENTS, 'failover', { namespace: 'default' });
      return d.status?.availableReplicas === REPLICAS;
    }, 60_000);
    const pods: AnyObject[] = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=failover' })).items;
    pods.forEach((p) => seen.add(p.metadata.name!));
    t.is(pods.length, REPLICAS);
    t.true(pods.every((p) => p.spec.nodeName && p.status.phase === 'Running'));
    t.is(seen.size, REPLICAS, 'no pod was created twice across the failover');
  } finally {
    clearInterval(record);
    client.close();
  }
});
