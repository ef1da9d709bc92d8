import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get as httpsGet } from 'node:https';
import { connect, createServer } from 'node:net';
import { writeServerConfig } from '../../control-plane/nats/server-config.js';
import { nodeNatsUser } from '../../control-plane/nats/node-subjects.js';
import { ensureLocalPki } from '../local-pki.js';
import { apiserverArgs, CLUSTER_CIDR, CLUSTER_DNS_IP, cloudControllerManagerArgs, controllerManagerArgs, dnsArgs, schedulerArgs } from '../control-plane-args.js';
import { renderKubeconfig } from '../kubeconfig-file.js';
import { isAlive, LOCAL_CLUSTER_NAME, readState, skiffHome, stopProcess, writeState, type ClusterState, type ComponentState } from '../local-cluster.js';
import { ensureAwsEndpoint } from '../aws-endpoint.js';
import { createAwsClients } from '../../controllers/aws/aws-clients.js';
import { ensureNetwork } from '../../infra/sdk/network.js';
import { deleteClusterResources } from '../../infra/sdk/teardown.js';
import { clusterTopology } from '../../infra/topology.js';
import { ensureDefaultStorageClass } from '../default-storage-class.js';
import { deleteLocalVpc, ensureLocalVpc, localVpcOf, type LocalVpcSpec } from '../../infra/local/local-vpc.js';
import { localEbsLayout, localVpcId, removeLocalEbs, startLocalWorkers, stopLocalWorkers, waitForReadyNodes, type NodeNatsCredential, type WorkerState } from '../local-workers.js';
import { parseUpFlags } from '../up-flags.js';
import { pushBusyboxImage, REGISTRY_PORT, writeRegistryConfig } from '../../infra/local/local-registry.js';

const step = (msg: string) => process.stdout.write(`• ${msg}\n`);
const done = (msg: string, since: number) => process.stdout.write(`✓ ${msg} (${((Date.now() - since) / 1000).toFixed(1)}s)\n`);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function pickPort(preferred: number): Promise<number> {
  if (await portFree(preferred)) return preferred;
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, pid: number, log: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error(`${what} exited during start; see ${log}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s; see ${log}`);
}

function launch(name: string, command: string, args: string[], logDir: string): ComponentState & { endpoint: string } {
  const log = join(logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  return { name, pid: child.pid!, endpoint: '', log, command: [command, ...args] };
}

function httpsOk(url: string, tls: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(url, { ...tls, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function httpOk(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function commandExists(command: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', `command -v ${command}`], (err) => resolve(!err));
  });
}

/** A component's /readyz over its self-signed health endpoint (what is checked is that it answers ready, not who it is). */
function insecureReady(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(`${url}/readyz`, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function httpsReady(url: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(`${url}/readyz`, { ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/**
 * `skiff up [--detach]`: the AWS endpoint and the cluster's network in it, etcd, the API server, the controllers, the scheduler, the cloud-controller-manager and NATS on
 * this machine, TLS on every connection and each component with its own
 * identity; writes an admin kubeconfig (a client certificate in
 * system:masters).
 */
export async function upCommand(argv: string[]): Promise<void> {
  const { detach, workers: workerCount, vpcCidr } = parseUpFlags(argv);
  const existing = readState();
  if (existing && existing.components.some((c) => isAlive(c.pid))) {
    throw new Error(`a local cluster is already running (skiff status); stop it with skiff down`);
  }
  const home = skiffHome();
  const logDir = join(home, 'logs');
  mkdirSync(logDir, { recursive: true });
  let pki = await ensureLocalPki(home);
  const components: ComponentState[] = [];
  const kubeconfig = join(home, 'kubeconfig');
  let aws: ClusterState['aws'];
  let localVpc: LocalVpcSpec | undefined;
  const workers: WorkerState[] = [];
  const save = () => writeState({ startedAt: new Date().toISOString(), components, kubeconfig, aws, localVpc, workers });
  let networkMade = false;
  const abort = async () => {
    // An endpoint that outlives this run keeps nothing of a start that failed half-way.
    if (networkMade && aws && !aws.embedded) {
      const clients = createAwsClients(aws.region);
      await deleteClusterResources(clients, aws.clusterName).catch((err) => process.stderr.write(`skiff: could not delete the cluster's AWS resources: ${(err as Error).message}\n`));
      clients.destroy();
    }
    if (localVpc) await stopLocalWorkers(localVpcOf(localVpc), workers, step).catch((err) => process.stderr.write(`skiff: could not stop the workers: ${(err as Error).message}\n`));
    for (const c of components.reverse()) await stopProcess(c.pid);
    if (localVpc) deleteLocalVpc(localVpcOf(localVpc));
    removeLocalEbs(localEbsLayout(home));
  };
  try {
    let t = Date.now();
    const endpoint = await ensureAwsEndpoint(logDir, LOCAL_CLUSTER_NAME, await pickPort(4566));
    aws = endpoint.aws;
    if (endpoint.component) components.push(endpoint.component);
    save();
    done(endpoint.component ? `AWS endpoint: moto's server on ${aws.endpoint}` : `AWS endpoint: ${aws.endpoint} (AWS_ENDPOINT_URL)`, t);
    t = Date.now();
    step(`creating the cluster's network in ${aws.region} (VPC, subnets in two zones, route table, security groups)`);
    const clients = createAwsClients(aws.region);
    const topology = clusterTopology({ clusterName: LOCAL_CLUSTER_NAME, region: aws.region, vpcCidr });
    try {
      networkMade = true;
      await ensureNetwork(clients, topology, (msg) => step(msg));
    } finally {
      clients.destroy();
    }
    if (workerCount > 0) {
      localVpc = { id: localVpcId(home), vpcCidr: topology.vpc.cidr, subnets: topology.subnets.map((s) => s.cidr) };
      save();
      const vpc = ensureLocalVpc(localVpc);
      pki = await ensureLocalPki(home, [vpc.masterAddress]);
      step(`local VPC: namespace ${vpc.netns} routes between the workers; the master is ${vpc.masterAddress} on it`);
    }
    done('network ready', t);

    t = Date.now();
    const etcdPort = await pickPort(2379);
    const peerPort = await pickPort(2380);
    const etcdUrl = `https://127.0.0.1:${etcdPort}`;
    step(`starting etcd on ${etcdUrl} (TLS, client certificates required)`);
    const etcd = launch('etcd', 'etcd', [
      '--name', 'skiff', '--data-dir', join(home, 'etcd'),
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `skiff=http://127.0.0.1:${peerPort}`,
      '--cert-file', pki.etcd.certFile, '--key-file', pki.etcd.keyFile, '--client-cert-auth', '--trusted-ca-file', pki.etcd.caFile,
    ], logDir);
    etcd.endpoint = etcdUrl;
    components.push(etcd);
    save();
    const etcdTls = { ca: readFileSync(pki.etcd.caFile), cert: readFileSync(pki.etcd.clientCertFile), key: readFileSync(pki.etcd.clientKeyFile) };
    await waitFor('etcd', () => httpsOk(`${etcdUrl}/health`, etcdTls), etcd.pid, etcd.log);
    done('etcd ready', t);

    t = Date.now();
    const apiPort = await pickPort(6443);
    const natsPort = await commandExists('nats-server') ? await pickPort(4222) : undefined;
    const master = localVpc ? localVpcOf(localVpc).masterAddress : undefined;
    step(`starting the API server on https://127.0.0.1:${apiPort}${master ? ` and https://${master}:${apiPort} for the workers` : ''}`);
    const main = fileURLToPath(new URL('../main.js', import.meta.url));
    const api = launch('apiserver', process.execPath, [main, ...apiserverArgs({
      etcdUrl, etcdCAFile: pki.etcd.caFile, etcdCertFile: pki.etcd.clientCertFile, etcdKeyFile: pki.etcd.clientKeyFile,
      bindAddress: master ? '0.0.0.0' : '127.0.0.1', advertiseAddress: master, securePort: apiPort, certDir: pki.dir, clientCAFile: pki.caFile,
      auditLogPath: join(logDir, 'audit.log'), encryptionConfig: pki.encryptionConfig,
      nats: natsPort ? { url: `tls://127.0.0.1:${natsPort}`, caFile: pki.caFile, passwordFile: pki.nats.passwordFile } : undefined,
    })], logDir);
    api.endpoint = `https://127.0.0.1:${apiPort}`;
    components.push(api);
    save();
    const caFile = pki.caFile;
    await waitFor('the API server', async () => httpsReady(api.endpoint, readFileSync(caFile)), api.pid, api.log);
    done('API server ready', t);

    writeFileSync(kubeconfig, renderKubeconfig({ server: api.endpoint, caFile, certFile: pki.admin.certFile, keyFile: pki.admin.keyFile }), { mode: 0o600 });
    const cmKubeconfig = join(pki.dir, 'controller-manager.kubeconfig');
    writeFileSync(cmKubeconfig, renderKubeconfig({ server: api.endpoint, caFile, ...pki.controllerManager, user: 'system:kube-controller-manager' }), { mode: 0o600 });

    t = Date.now();
    step('starting the controller-manager (as system:kube-controller-manager, leader-elected)');
    const cmPort = await pickPort(10257);
    const cm = launch('controller-manager', process.execPath, [main, ...controllerManagerArgs({
      kubeconfig: cmKubeconfig, bindAddress: '127.0.0.1', securePort: cmPort, signingCertFile: pki.caFile, signingKeyFile: pki.caKeyFile, rootCaFile: pki.caFile,
    })], logDir);
    cm.endpoint = `https://127.0.0.1:${cmPort}`;
    components.push(cm);
    save();
    await waitFor('the controller-manager', async () => readFileSync(cm.log, 'utf8').includes('controller-manager started'), cm.pid, cm.log);
    done('controller-manager running', t);

    t = Date.now();
    step('starting the scheduler (as system:kube-scheduler, leader-elected)');
    const schedulerKubeconfig = join(pki.dir, 'scheduler.kubeconfig');
    writeFileSync(schedulerKubeconfig, renderKubeconfig({ server: api.endpoint, caFile, ...pki.scheduler, user: 'system:kube-scheduler' }), { mode: 0o600 });
    const schedulerPort = await pickPort(10259);
    const scheduler = launch('scheduler', process.execPath, [main, ...schedulerArgs({ kubeconfig: schedulerKubeconfig, bindAddress: '127.0.0.1', securePort: schedulerPort })], logDir);
    scheduler.endpoint = `https://127.0.0.1:${schedulerPort}`;
    components.push(scheduler);
    save();
    await waitFor('the scheduler', async () => insecureReady(scheduler.endpoint), scheduler.pid, scheduler.log);
    done('scheduler running', t);

    t = Date.now();
    step(`starting the cloud-controller-manager (as system:cloud-controller-manager, leader-elected, cluster ${LOCAL_CLUSTER_NAME})`);
    const ccmKubeconfig = join(pki.dir, 'cloud-controller-manager.kubeconfig');
    writeFileSync(ccmKubeconfig, renderKubeconfig({ server: api.endpoint, caFile, ...pki.cloudControllerManager, user: 'system:cloud-controller-manager' }), { mode: 0o600 });
    const ccmPort = await pickPort(10258);
    const ccm = launch('cloud-controller-manager', process.execPath, [main, ...cloudControllerManagerArgs({
      kubeconfig: ccmKubeconfig, bindAddress: '127.0.0.1', securePort: ccmPort, clusterName: LOCAL_CLUSTER_NAME,
    })], logDir);
    ccm.endpoint = `https://127.0.0.1:${ccmPort}`;
    components.push(ccm);
    save();
    await waitFor('the cloud-controller-manager', async () => insecureReady(ccm.endpoint), ccm.pid, ccm.log);
    await ensureDefaultStorageClass(kubeconfig);
    done('cloud-controller-manager running; default StorageClass gp3 (ebs.csi.aws.com, WaitForFirstConsumer)', t);

    const natsConfig = join(pki.dir, 'nats.conf');
    let natsPid: number | undefined;
    /** The NATS users: the control plane, and one per worker's node with only its own subjects; a reload applies a change. */
    const writeNatsConfig = (nodes: NodeNatsCredential[]) => writeServerConfig(natsConfig, {
      serverName: 'skiff', host: master ? '0.0.0.0' : '127.0.0.1', port: natsPort!,
      tls: { certFile: pki.nats.certFile, keyFile: pki.nats.keyFile, caFile: pki.caFile },
      users: [
        { user: 'control-plane', password: pki.nats.password, publish: ['skiff.>'], subscribe: ['skiff.>'], respond: true },
        ...nodes.map((n) => nodeNatsUser(n.nodeName, readFileSync(n.passwordFile, 'utf8').trim())),
      ],
    });
    if (natsPort) {
      t = Date.now();
      step(`starting NATS on tls://127.0.0.1:${natsPort}${master ? ` and tls://${master}:${natsPort} for the workers` : ''} (TLS and credentials required)`);
      writeNatsConfig([]);
      const nats = launch('nats', 'nats-server', ['-c', natsConfig], logDir);
      nats.endpoint = `tls://127.0.0.1:${natsPort}`;
      natsPid = nats.pid;
      components.push(nats);
      save();
      await waitFor('NATS', () => portOpen(natsPort), nats.pid, nats.log);
      done('NATS ready', t);
    }

    let registry: string | undefined;
    if (localVpc && master && await commandExists('docker-registry') && await commandExists('skopeo')) {
      t = Date.now();
      registry = `${master}:${REGISTRY_PORT}`;
      step(`starting the local registry on http://${registry} (push your images there with skopeo)`);
      const reg = launch('registry', 'docker-registry', ['serve', writeRegistryConfig(join(home, 'registry'), master)], logDir);
      reg.endpoint = `http://${registry}`;
      components.push(reg);
      save();
      await waitFor('the registry', () => httpOk(`http://${registry}/v2/`), reg.pid, reg.log);
      const image = pushBusyboxImage(registry, home);
      done(`registry ready; ${image} pushed`, t);
    }

    if (localVpc && master) {
      t = Date.now();
      step(`starting cluster DNS on ${master}:53 (as system:skiff-dns), behind the kube-dns Service at ${CLUSTER_DNS_IP}`);
      const dnsKubeconfig = join(pki.dir, 'dns.kubeconfig');
      writeFileSync(dnsKubeconfig, renderKubeconfig({ server: api.endpoint, caFile, ...pki.dns, user: 'system:skiff-dns' }), { mode: 0o600 });
      const dns = launch('dns', process.execPath, [main, ...dnsArgs({ kubeconfig: dnsKubeconfig, bindAddress: master, port: 53, securePort: 9153, advertiseAddress: master })], logDir);
      dns.endpoint = `udp://${master}:53`;
      components.push(dns);
      save();
      await waitFor('cluster DNS', async () => insecureReady(`https://${master}:9153`), dns.pid, dns.log);
      done('cluster DNS ready', t);
    }

    if (localVpc && master) {
      t = Date.now();
      const router = launch('vpc-router', process.execPath, [main, 'vpc-router', `--cluster-name=${LOCAL_CLUSTER_NAME}`, `--vpc-id=${localVpc.id}`,
        `--vpc-cidr=${localVpc.vpcCidr}`, `--subnets=${localVpc.subnets.join(',')}`], logDir);
      router.endpoint = localVpcOf(localVpc).netns;
      components.push(router);
      save();
      const ebs = localEbsLayout(home);
      const devices = launch('ebs-devices', process.execPath, [main, 'ebs-devices', `--volumes-dir=${ebs.volumesDir}`, `--device-root=${ebs.deviceRoot}`], logDir);
      devices.endpoint = ebs.deviceRoot;
      components.push(devices);
      save();
      const clients = createAwsClients(aws.region);
      try {
        await startLocalWorkers({
          aws: clients, clusterName: LOCAL_CLUSTER_NAME, vpc: localVpcOf(localVpc), count: workerCount, home, pkiDir: pki.dir, caFile,
          apiServer: `https://${master}:${apiPort}`, logDir, ebs, progress: step, registry, clusterCidr: CLUSTER_CIDR, agentFlags: [`--cluster-dns=${CLUSTER_DNS_IP}`],
          nats: natsPort ? {
            url: `tls://${master}:${natsPort}`, caFile: pki.caFile,
            // The nodes' NATS users exist before their agents connect: nats-server reloads its configuration on SIGHUP.
            grant: (nodes) => {
              writeNatsConfig(nodes);
              process.kill(natsPid!, 'SIGHUP');
            },
          } : undefined,
          started: (worker, started) => {
            workers.push(worker);
            components.push(...started);
            save();
          },
        });
      } finally {
        clients.destroy();
      }
      await waitForReadyNodes(kubeconfig, workers.map((w) => w.instance.privateDnsName), step);
      done(`${workerCount} worker(s) Ready`, t);
    }

    const userConfig = join(homedir(), '.kube', 'config');
    if (!existsSync(userConfig)) {
      mkdirSync(join(homedir(), '.kube'), { recursive: true });
      writeFileSync(userConfig, readFileSync(kubeconfig), { mode: 0o600 });
      step(`wrote ${userConfig}`);
    }
    save();
    process.stdout.write(`\nThe cluster is up. Use it with:\n  export KUBECONFIG=${kubeconfig}\n  kubectl get namespaces\n`);
  } catch (err) {
    await abort();
    throw err;
  }
  if (detach) {
    process.stdout.write('Stop it with: skiff down\n');
    return;
  }
  process.stdout.write('Press Ctrl-C to stop it.\n');
  // Signal handlers alone do not keep Node running; this does, until a signal comes.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolve) => {
    const stop = async () => {
      clearInterval(keepAlive);
      process.stdout.write('\nstopping the local cluster\n');
      const { downCommand } = await import('./down.js');
      await downCommand([]);
      resolve();
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });
}
