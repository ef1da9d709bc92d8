import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeVolumesCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { startMotoServer } from '../../localstack/moto-server.js';
import { freePort } from '../helpers/free-port.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'skiff.js');
const home = mkdtempSync(join(tmpdir(), 'skiff-home-'));
// Without AWS_ENDPOINT_URL, up starts moto's server as the cluster's AWS endpoint.
const { AWS_ENDPOINT_URL: _unused, ...inherited } = process.env;
const env: NodeJS.ProcessEnv = { ...inherited, SKIFF_HOME: join(home, '.skiff'), HOME: home };

function run(cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...env, ...extraEnv }, timeout: 240_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

/** The cluster's VPCs in an endpoint, by their cluster tag. */
async function clusterVpcs(endpoint: string): Promise<number> {
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'skiff', secretAccessKey: 'skiff' } });
  try {
    return (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:kubernetes.io/cluster/skiff', Values: ['owned'] }] }))).Vpcs!.length;
  } finally {
    ec2.destroy();
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test.after.always(async () => {
  await run(process.execPath, [bin, 'down']);
  rmSync(home, { recursive: true, force: true });
});

test.serial('skiff up --detach, status, kubeconfig and down', async (t) => {
  const up = await run(process.execPath, [bin, 'up', '--detach', '--workers=0']);
  t.is(up.code, 0, up.stderr);
  t.regex(up.stdout, /etcd ready/);
  t.regex(up.stdout, /API server ready/);

  const status = await run(process.execPath, [bin, 'status', '-o', 'json']);
  t.is(status.code, 0, status.stderr);
  const parsed = JSON.parse(status.stdout);
  t.true(parsed.running);
  const byName = Object.fromEntries(parsed.components.map((c: any) => [c.name, c]));
  t.regex(byName.etcd.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/, 'etcd serves TLS');
  t.regex(byName.apiserver.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
  t.regex(byName['controller-manager'].endpoint, /^https:\/\/127\.0\.0\.1:\d+$/, 'the controller-manager serves its health endpoint');
  t.regex(byName.scheduler.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/, 'the scheduler serves its health endpoint');
  t.true(byName.scheduler.running && byName['controller-manager'].running);
  t.regex(byName.nats.endpoint, /^tls:\/\/127\.0\.0\.1:\d+$/, 'NATS serves TLS');
  t.regex(byName['aws-endpoint'].endpoint, /^http:\/\/127\.0\.0\.1:\d+$/, "moto's server is the embedded AWS endpoint");
  t.deepEqual(parsed.awsEndpoint, { endpoint: byName['aws-endpoint'].endpoint, region: 'us-east-1', clusterName: 'skiff', embedded: true });
  t.true(byName['cloud-controller-manager'].running);
  t.regex(up.stdout, /creating subnet 10\.0\.16\.0\/20 in us-east-1b/);
  t.is(await clusterVpcs(byName['aws-endpoint'].endpoint), 1, "the cluster's VPC is in the endpoint");
  const table = await run('kubectl', ['--kubeconfig', join(home, '.skiff', 'kubeconfig'), 'get', 'storageclass']);
  t.regex(table.stdout, /^gp3 \(default\)\s+ebs\.csi\.aws\.com\s+Delete\s+WaitForFirstConsumer\s+true/m, table.stdout + table.stderr);
  // etcd refuses a client without a certificate from its CA.
  const plain = await run('etcdctl', ['--endpoints', byName.etcd.endpoint, '--insecure-transport=false', '--insecure-skip-tls-verify', '--dial-timeout=2s', 'get', '/registry/', '--prefix', '--keys-only']);
  t.not(plain.code, 0);

  const path = (await run(process.execPath, [bin, 'kubeconfig', '--path'])).stdout.trim();
  const ns = await run('kubectl', ['--kubeconfig', path, 'get', 'namespaces', '-o', 'name']);
  t.is(ns.code, 0, ns.stderr);
  t.regex(ns.stdout, /namespace\/default/);
  t.regex(ns.stdout, /namespace\/kube-system/);
  const printed = await run(process.execPath, [bin, 'kubeconfig']);
  t.regex(printed.stdout, /certificate-authority-data/);
  t.regex(printed.stdout, /client-certificate-data/, 'the admin kubeconfig holds a client certificate');
  t.notRegex(printed.stdout, /token:/);
  const whoami = await run('kubectl', ['--kubeconfig', path, 'auth', 'can-i', '*', '*']);
  t.is(whoami.stdout.trim(), 'yes');

  // A worker joins: a bootstrap token, then its own certificate as system:node:<name>.
  const token = await run(process.execPath, [bin, 'token', 'create', '--ttl=10m']);
  t.is(token.code, 0, token.stderr);
  t.regex(token.stdout.trim(), /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  const nodeConfig = join(home, 'worker-1.kubeconfig');
  const join1 = await run(process.execPath, [bin, 'join', `--server=${byName.apiserver.endpoint}`, `--ca-file=${join(home, '.skiff', 'pki', 'ca.crt')}`,
    `--token=${token.stdout.trim()}`, '--node-name=worker-1', `--kubeconfig-out=${nodeConfig}`]);
  t.is(join1.code, 0, join1.stderr);
  t.regex(join1.stdout, /worker-1 joined as system:node:worker-1/);
  t.is((await run('kubectl', ['--kubeconfig', nodeConfig, 'get', 'nodes'])).code, 0);
  const secrets = await run('kubectl', ['--kubeconfig', nodeConfig, 'get', 'secrets', '-A']);
  t.regex(secrets.stderr, /User "system:node:worker-1" cannot list resource "secrets"/);
  const badJoin = await run(process.execPath, [bin, 'join', `--server=${byName.apiserver.endpoint}`, `--ca-file=${join(home, '.skiff', 'pki', 'ca.crt')}`,
    '--token=abcdef.0123456789abcdef', `--kubeconfig-out=${join(home, 'nope')}`]);
  t.not(badJoin.code, 0);
  t.regex(badJoin.stderr, /Unauthorized/);
  t.is(badJoin.stderr.trim().split('\n').length, 1);

  // Every refused or mutating request is audited with who made it.
  const auditLog = join(home, '.skiff', 'logs', 'audit.log');
  let audit = '';
  for (let i = 0; i < 50 && !/"username":"system:node:worker-1"/.test(audit); i++) {
    audit = (await run('sh', ['-c', `cat ${auditLog} || true`])).stdout;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.regex(audit, /"username":"kubernetes-admin"/);
  t.regex(audit, /"username":"system:node:worker-1".*"code":403/);

  // The cloud path end to end: nodes backed by instances in the endpoint, initialized by the cloud-controller-manager up started.
  const simulator = spawn(process.execPath, [bin, 'simulate-nodes', '--count=2', '--aws', `--kubeconfig=${path}`], { env });
  let simulatorOut = '';
  simulator.stdout.on('data', (d) => { simulatorOut += d; });
  simulator.stderr.on('data', (d) => { simulatorOut += d; });
  const kubectlJson = async (...args: string[]) => JSON.parse((await run('kubectl', ['--kubeconfig', path, ...args, '-o', 'json'])).stdout || '{}');
  let nodes: any[] = [];
  for (let i = 0; i < 300 && !(nodes.length === 2 && nodes.every((n) => n.spec.providerID && !n.spec.taints?.length)); i++) {
    await new Promise((r) => setTimeout(r, 100));
    nodes = (await kubectlJson('get', 'nodes')).items ?? [];
  }
  t.is(nodes.length, 2, simulatorOut);
  for (const n of nodes) {
    t.regex(n.spec.providerID, /^aws:\/\/\/us-east-1[ab]\/i-[0-9a-f]+$/);
    t.is(n.metadata.labels['node.kubernetes.io/instance-type'], 'm5.large');
  }
  t.is((await run('kubectl', ['--kubeconfig', path, 'create', 'service', 'loadbalancer', 'web', '--tcp=80:8080'])).code, 0);
  let hostname = '';
  for (let i = 0; i < 300 && !hostname; i++) {
    await new Promise((r) => setTimeout(r, 100));
    hostname = (await kubectlJson('get', 'service', 'web')).status?.loadBalancer?.ingress?.[0]?.hostname ?? '';
  }
  t.regex(hostname, /^a[0-9a-f]{31}-\S+\.amazonaws\.com$/, 'a Network Load Balancer named after the Service\'s uid');
  // A claim of the default class with a pod: an EBS volume in the pod's node's zone, attached to that node's instance.
  const manifest = join(home, 'db.yaml');
  writeFileSync(manifest, [
    'apiVersion: v1', 'kind: PersistentVolumeClaim', 'metadata: {name: data}',
    'spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}', '---',
    'apiVersion: v1', 'kind: Pod', 'metadata: {name: db}',
    'spec: {containers: [{name: db, image: db, volumeMounts: [{name: data, mountPath: /data}]}], volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]}', '',
  ].join('\n'));
  t.is((await run('kubectl', ['--kubeconfig', path, 'apply', '-f', manifest])).code, 0);
  let pod: any = {};
  for (let i = 0; i < 300 && pod.status?.phase !== 'Running'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    pod = await kubectlJson('get', 'pod', 'db');
  }
  t.is(pod.status?.phase, 'Running', 'the pod runs once its volume is attached');
  const pv = await kubectlJson('get', 'pv', (await kubectlJson('get', 'pvc', 'data')).spec.volumeName);
  const node = nodes.find((n) => n.metadata.name === pod.spec.nodeName);
  t.is(pv.spec.csi.driver, 'ebs.csi.aws.com');
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint: byName['aws-endpoint'].endpoint, credentials: { accessKeyId: 'skiff', secretAccessKey: 'skiff' } });
  try {
    const volume = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [pv.spec.csi.volumeHandle] }))).Volumes![0];
    t.is(volume.Size, 2);
    t.is(volume.AvailabilityZone, node.metadata.labels['topology.kubernetes.io/zone']);
    t.like(volume.Attachments?.[0], { InstanceId: node.spec.providerID.split('/').pop(), Device: '/dev/xvdaa', State: 'attached' });
  } finally {
    ec2.destroy();
  }

  const simulatorExited = new Promise((r) => simulator.once('exit', r));
  simulator.kill('SIGINT');
  await simulatorExited;
  t.regex(simulatorOut, /2 simulated nodes registered/);

  const again = await run(process.execPath, [bin, 'up', '--detach', '--workers=0']);
  t.not(again.code, 0, 'a second up refuses while the cluster runs');

  const down = await run(process.execPath, [bin, 'down']);
  t.is(down.code, 0, down.stderr);
  for (const c of parsed.components) t.false(alive(c.pid), `${c.name} is gone`);
  const after = JSON.parse((await run(process.execPath, [bin, 'status', '-o', 'json'])).stdout);
  t.deepEqual(after.components, []);
});

test.serial('bad flags get a one-line error', async (t) => {
  const r = await run(process.execPath, [bin, 'status', '-o', 'xml']);
  t.not(r.code, 0);
  t.is(r.stderr.trim().split('\n').length, 1);
  t.regex(r.stderr, /unsupported output format/);
  const unknown = await run(process.execPath, [bin, 'frobnicate']);
  t.is(unknown.code, 2);
  const help = await run(process.execPath, [bin, 'simulate-nodes', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /^usage: skiff simulate-nodes --count N/);
  t.regex(help.stdout, /TEST TOOL in the spirit of kwok/, 'the simulator says what it is');
  const badCount = await run(process.execPath, [bin, 'simulate-nodes', '--count=many']);
  t.is(badCount.stderr.trim(), 'skiff: invalid value "many" for --count: must be an integer');
  const badProvider = await run(process.execPath, [bin, 'cloud-controller-manager', '--cloud-provider=gce']);
  t.is(badProvider.code, 1);
  t.is(badProvider.stderr.trim(), 'skiff: --cloud-provider=gce: only aws is supported');
  const zonesAndAws = await run(process.execPath, [bin, 'simulate-nodes', '--count=1', '--aws', '--zones=us-east-1a']);
  t.regex(zonesAndAws.stderr.trim(), /^skiff: --zones and --aws do not go together/);
  const badWorkers = await run(process.execPath, [bin, 'up', '--workers=lots']);
  t.is(badWorkers.stderr.trim(), 'skiff: invalid --workers "lots": a number from 0 to 20');
  const badVpc = await run(process.execPath, [bin, 'up', '--vpc-cidr=10.0.0.0/24']);
  t.regex(badVpc.stderr.trim(), /^skiff: invalid --vpc-cidr "10\.0\.0\.0\/24": an IPv4 range of \/16 or wider/);
  const ccmHelp = await run(process.execPath, [bin, 'cloud-controller-manager', '--help']);
  t.regex(ccmHelp.stdout, /^usage: skiff cloud-controller-manager --cloud-provider=aws --cluster-name=NAME/);
});

test.serial('skiff up in the foreground stops everything on Ctrl-C', async (t) => {
  await run(process.execPath, [bin, 'down']); // whatever an earlier failure left running
  const child = spawn(process.execPath, [bin, 'up', '--workers=0'], { env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const deadline = Date.now() + 60_000;
  while (!out.includes('Press Ctrl-C') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  t.regex(out, /Press Ctrl-C/, err);
  const pids = JSON.parse((await run(process.execPath, [bin, 'status', '-o', 'json'])).stdout).components.map((c: any) => c.pid);
  t.is(pids.length, 7, "the AWS endpoint, etcd, the API server, the controller-manager, the scheduler, the cloud-controller-manager and NATS");
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
  t.regex(out, /local cluster stopped/);
  for (const pid of pids) t.false(alive(pid));
});

test.serial('with AWS_ENDPOINT_URL, up uses that endpoint, status lists it, and down deletes what up made there', async (t) => {
  await run(process.execPath, [bin, 'down']);
  const endpoint = await startMotoServer({ port: await freePort() });
  try {
    const aws = { AWS_ENDPOINT_URL: endpoint.url, AWS_ACCESS_KEY_ID: 'skiff', AWS_SECRET_ACCESS_KEY: 'skiff' };
    const up = await run(process.execPath, [bin, 'up', '--detach', '--workers=0'], aws);
    t.is(up.code, 0, up.stderr);
    t.regex(up.stdout, new RegExp(`AWS endpoint: ${endpoint.url} \\(AWS_ENDPOINT_URL\\)`));
    const status = await run(process.execPath, [bin, 'status'], aws);
    t.regex(status.stdout, new RegExp(`^aws-endpoint\\s+External\\s+${endpoint.url}`, 'm'));
    t.is(await clusterVpcs(endpoint.url), 1);
    const down = await run(process.execPath, [bin, 'down'], aws);
    t.is(down.code, 0, down.stderr);
    t.regex(down.stdout, /deleting the VPC/);
    t.is(await clusterVpcs(endpoint.url), 0, 'nothing of the cluster is left in the endpoint');
  } finally {
    await endpoint.stop();
  }
});

test.serial('skiff up --workers=2 runs pods on real containers in two workers, each an instance of the endpoint with its own address, with EBS claims as loop devices; down leaves nothing behind', async (t) => {
  // The whole cluster, two workers and their teardown: a minute or two on an idle machine.
  t.timeout(300_000);
  await run(process.execPath, [bin, 'down']);
  const vpcCidr = `10.${100 + Math.floor(Math.random() * 90)}.0.0/16`;
  const prefix = vpcCidr.split('.').slice(0, 2).join('.');
  const up = await run(process.execPath, [bin, 'up', '--detach', '--workers=2', `--vpc-cidr=${vpcCidr}`]);
  t.is(up.code, 0, up.stdout + up.stderr);
  t.regex(up.stdout, /2 worker\(s\) Ready/);
  const state = JSON.parse((await run(process.execPath, [bin, 'status', '-o', 'json'])).stdout);
  t.true(state.running);
  const names = state.components.map((c: any) => c.name);
  for (const name of ['vpc-router', 'ebs-devices', 'registry', 'dns', 'containerd-0', 'node-agent-0', 'proxy-0', 'containerd-1', 'node-agent-1', 'proxy-1']) t.true(names.includes(name), name);
  const registry = `${prefix}.255.10:5000`;
  t.is(state.components.find((c: any) => c.name === 'registry').endpoint, `http://${registry}`);
  const path = join(home, '.skiff', 'kubeconfig');
  const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', path, ...args]);
  const nodes = JSON.parse((await kubectl('get', 'nodes', '-o', 'json')).stdout).items;
  t.is(nodes.length, 2);
  for (const n of nodes) {
    t.regex(n.spec.providerID, /^aws:\/\/\/us-east-1[ab]\/i-[0-9a-f]+$/);
    t.true(n.status.addresses.find((a: any) => a.type === 'InternalIP').address.startsWith(`${prefix}.`));
    t.regex(n.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
  }
  t.is((await kubectl('create', 'deployment', 'web', '--image=skiff.local/busybox:1', '--replicas=4', '--', 'httpd', '-f', '-p', '8080')).code, 0);
  let pods: any[] = [];
  for (let i = 0; i < 300 && !(pods.length === 4 && pods.every((p) => p.status.phase === 'Running')); i++) {
    await new Promise((r) => setTimeout(r, 200));
    pods = JSON.parse((await kubectl('get', 'pods', '-l', 'app=web', '-o', 'json')).stdout || '{"items":[]}').items;
  }
  t.is(pods.filter((p) => p.status.phase === 'Running').length, 4);
  t.is(new Set(pods.map((p) => p.spec.nodeName)).size, 2, 'spread over both workers');
  for (const p of pods) t.regex(p.status.podIP, /^10\.244\.\d+\.\d+$/);
  // The workers' proxies carry a NodePort from outside them on every worker, and cluster DNS answers pods behind kube-dns.
  // (The first test's objects are still in the cluster's etcd: this Service has a name of its own.)
  const exposed = await kubectl('expose', 'deployment', 'web', '--name=web-nodeport', '--type=NodePort', '--port=80', '--target-port=8080');
  t.is(exposed.code, 0, exposed.stdout + exposed.stderr);
  const nodePort = JSON.parse((await kubectl('get', 'service', 'web-nodeport', '-o', 'json')).stdout).spec.ports[0].nodePort;
  for (const n of nodes) {
    const address = n.status.addresses.find((a: any) => a.type === 'InternalIP').address;
    let status = 0;
    for (let i = 0; i < 50 && status !== 404; i++) {
      // busybox httpd with no index answers 404: an answer from a pod all the same.
      status = await fetch(`http://${address}:${nodePort}/`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 0);
      if (status !== 404) await new Promise((r) => setTimeout(r, 200));
    }
    t.is(status, 404, `NodePort ${nodePort} on ${address}`);
  }
  const resolved = await kubectl('exec', pods[0].metadata.name, '--', 'nslookup', 'web-nodeport.default.svc.cluster.local');
  t.regex(resolved.stdout, /Name:\s+web-nodeport\.default\.svc\.cluster\.local/, resolved.stdout + resolved.stderr);
  // logs and exec reach the workers' agents over NATS, each agent as its node's own NATS user.
  const exec = await kubectl('exec', pods[0].metadata.name, '--', 'sh', '-c', 'hostname; echo to the log > /proc/1/fd/1');
  t.is(exec.stdout, `${pods[0].metadata.name}\n`, exec.stderr);
  const logs = await kubectl('logs', pods[0].metadata.name);
  t.is(logs.stdout, 'to the log\n', logs.stderr);
  // The local registry holds busybox, pushed by up; workers pull from it over the VPC.
  t.is((await kubectl('run', 'pulled', `--image=${registry}/busybox:1`, '--restart=Never', '--', 'echo', 'pulled')).code, 0);
  let pulled: any = {};
  for (let i = 0; i < 150 && pulled.status?.phase !== 'Succeeded'; i++) {
    await new Promise((r) => setTimeout(r, 200));
    pulled = JSON.parse((await kubectl('get', 'pod', 'pulled', '-o', 'json')).stdout || '{}');
  }
  t.is(pulled.status?.phase, 'Succeeded', JSON.stringify(pulled.status));
  t.regex(pulled.status.containerStatuses[0].imageID, new RegExp(`^${registry.replace(/\./g, '\\.')}/busybox@sha256:`));
  // A claim of the default class: its EBS volume is a loop device on a file under the cluster's home, mounted into the pod.
  // (The first test's claim and pod are still in the cluster's etcd: these have names of their own.)
  const manifest = join(home, 'claim.yaml');
  writeFileSync(manifest, [
    'apiVersion: v1', 'kind: PersistentVolumeClaim', 'metadata: {name: ebs-data}',
    'spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}', '---',
    'apiVersion: v1', 'kind: Pod', 'metadata: {name: ebs-db}',
    'spec: {containers: [{name: db, image: "skiff.local/busybox:1", command: [sleep, "3600"], volumeMounts: [{name: data, mountPath: /data}]}],',
    '  volumes: [{name: data, persistentVolumeClaim: {claimName: ebs-data}}]}', '',
  ].join('\n'));
  const applied = await kubectl('apply', '-f', manifest);
  t.is(applied.code, 0, applied.stdout + applied.stderr);
  let db: any = {};
  for (let i = 0; i < 300 && db.status?.phase !== 'Running'; i++) {
    await new Promise((r) => setTimeout(r, 200));
    db = JSON.parse((await kubectl('get', 'pod', 'ebs-db', '-o', 'json')).stdout || '{}');
  }
  t.is(db.status?.phase, 'Running', 'the pod runs with its volume mounted');
  t.true((await run('losetup', ['-a'])).stdout.includes(join(home, '.skiff', 'volumes')), 'the volume is a loop device on its file');

  const saved = JSON.parse(readFileSync(join(home, '.skiff', 'state.json'), 'utf8'));
  const owned = [`skiff-vpc-${saved.localVpc.id}`, `skiff-${saved.localVpc.id}`, ...saved.workers.map((w: any) => w.netns)];
  t.is(owned.length, 4);
  for (const w of saved.workers) {
    t.is((await run('nsenter', [`--net=/run/netns/${w.netns}`, '/usr/sbin/nft', 'list', 'table', 'ip', 'skiff-proxy'])).code, 0, `${w.netns} has the proxy's table`);
  }
  t.true((await run('ip', ['rule', 'show'])).stdout.includes(`from ${prefix}.255.10 `), 'what leaves from the master goes to the VPC router');
  const down = await run(process.execPath, [bin, 'down']);
  t.is(down.code, 0, down.stdout + down.stderr);
  for (const c of state.components) t.false(alive(c.pid), `${c.name} is gone`);
  const links = (await run('sh', ['-c', 'ip netns list; ip -br link'])).stdout.split('\n').map((l) => l.split(/[\s@]/)[0]);
  for (const name of owned) t.false(links.includes(name), `${name} is gone`);
  t.false((await run('ip', ['rule', 'show'])).stdout.includes(`from ${prefix}.255.10 `), 'the master\'s routing rule is gone');
  t.false((await run('/usr/sbin/nft', ['list', 'tables'])).stdout.includes('skiff-proxy'), 'no proxy table anywhere: the workers\' went with their namespaces, and the host never had one');
  t.false(readFileSync('/proc/self/mounts', 'utf8').includes(home), 'no mount of the cluster is left');
  t.false((await run('losetup', ['-a'])).stdout.includes(home), 'no loop device of the cluster is left');
  t.false(existsSync(join(home, '.skiff', 'volumes')), 'no volume file is left');
  const processes = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => {
    try {
      return readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      return '';
    }
  });
  t.deepEqual(processes.filter((cmd) => cmd.includes(home)), [], 'no process of the cluster is left');
});
