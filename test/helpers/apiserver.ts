import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RestClient } from '../../client/rest-client.js';
import type { ClientConfig } from '../../client/kubeconfig.js';
import { SYSTEM_NAMESPACES } from '../../api/kinds/namespace.js';
import { NAMESPACE_NODE_LEASE } from '../../api/well-known.js';
import { CONFIG_MAPS, NAMESPACES, SERVICE_ACCOUNTS } from '../../client/resources.js';
import { runControllerManager } from '../../controllers/controller-manager.js';
import { CONTROLLER_MANAGER_DEFAULTS, type ControllerManagerOptions } from '../../controllers/controller.js';
import { controllerDescriptors, selectControllers } from '../../controllers/registry.js';
import { ApiServer } from '../../control-plane/apiserver/server.js';
import { DEFAULTS, type ApiServerOptions } from '../../control-plane/apiserver/options.js';
import { startEtcd, type EtcdProcess } from './etcd.js';
import { eventually } from './eventually.js';
import { freePort } from './free-port.js';
import { loadOrCreateCA } from '../../control-plane/pki/certificate-authority.js';
import { issueCertificate } from '../../control-plane/pki/issue-certificate.js';

export interface TestCluster {
  etcd: EtcdProcess;
  server: ApiServer;
  url: string;
  token: string;
  caFile?: string;
  dir: string;
  kubeconfig: string;
  /** Restarts the API server on the same port and etcd. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What every test cluster runs, whatever controllers it selects: without the
 * serviceaccount controller a namespace has no `default` account and the API
 * server admits no pod in it, as in any real cluster without it. (A test
 * turns it off with `-serviceaccount`.) Tests whose pods run on a node agent
 * add the root CA publisher: their kube-api-access volumes need
 * kube-root-ca.crt.
 */
const ALWAYS_RUNNING = ['serviceaccount'];

/**
 * A real etcd and a real API server on free ports, with an admin token and a
 * kubeconfig that the machine's kubectl uses as is, and the controller-manager
 * in this process: the controllers every test cluster has (ALWAYS_RUNNING),
 * and with `controllers` more (true for its defaults, or the options to run
 * it with, whose `controllers` list adds to ALWAYS_RUNNING). It answers once
 * the initial namespaces have what those controllers make in them, so no
 * test sees them being made.
 */
export async function startCluster(overrides: Partial<ApiServerOptions> = {}, opts: { controllers?: boolean | Partial<ControllerManagerOptions>; etcdTls?: boolean } = {}): Promise<TestCluster> {
  const etcd = await startEtcd({ tls: opts.etcdTls });
  const dir = mkdtempSync(join(tmpdir(), 'skiff-api-'));
  const token = randomBytes(16).toString('hex');
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, `${token},admin,admin-uid,"system:masters"\n`);
  const options: ApiServerOptions = {
    ...DEFAULTS,
    etcdServers: [etcd.url],
    bindAddress: '127.0.0.1',
    securePort: await freePort(),
    tokenAuthFile: tokenFile,
    certDir: join(dir, 'pki'),
    // The cluster CA, which the server makes in its cert dir, also signs client certificates.
    clientCAFile: join(dir, 'pki', 'ca.crt'),
    ...(etcd.tls ? { etcdCAFile: etcd.tls.caFile, etcdCertFile: etcd.tls.certFile, etcdKeyFile: etcd.tls.keyFile } : {}),
    ...overrides,
  };
  let server = new ApiServer(options);
  await server.start();
  const kubeconfig = join(dir, 'kubeconfig');
  const controllers = new AbortController();
  // The controller-manager runs with its own identity and least privilege, as it does in a cluster.
  const controllerIdentity = !options.insecureServing
    ? await issueCertificate(await loadOrCreateCA(options.certDir), { commonName: 'system:kube-controller-manager', usages: ['client'] })
    : undefined;
  const selected = typeof opts.controllers === 'object' ? opts.controllers : {};
  const controllerList = opts.controllers === true || (typeof opts.controllers === 'object' && !opts.controllers.controllers)
    ? CONTROLLER_MANAGER_DEFAULTS.controllers
    : [...ALWAYS_RUNNING, ...(selected.controllers ?? [])];
  const running = runControllerManager(
    { server: server.url, ca: server.caFile ? readFileSync(server.caFile, 'utf8') : undefined, ...(controllerIdentity ? { cert: controllerIdentity.certPem, key: controllerIdentity.keyPem } : { token }) },
    controllers.signal,
    { clusterSigningCertFile: join(options.certDir, 'ca.crt'), clusterSigningKeyFile: join(options.certDir, 'ca.key'), ...selected, controllers: controllerList },
  );
  const cluster: TestCluster = {
    etcd, server, url: server.url, token, caFile: server.caFile, dir, kubeconfig,
    async restart() {
      await server.stop();
      server = new ApiServer(options);
      await server.start();
      cluster.server = server;
    },
    async stop() {
      controllers.abort();
      await running;
      await server.stop();
      await etcd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: test',
    'clusters:', '- name: test', '  cluster:', `    server: ${server.url}`, ...(server.caFile ? [`    certificate-authority: ${server.caFile}`] : []),
    'users:', '- name: admin', '  user:', `    token: ${token}`,
    'contexts:', '- name: test', '  context:', '    cluster: test', '    user: admin', '',
  ].join('\n'));
  await initialNamespacesFurnished(cluster, selectControllers(controllerList, controllerDescriptors).map((d) => d.name));
  return cluster;
}

/**
 * Waits for the serviceaccount controller's `default` account in a namespace
 * just made, as kube's e2e framework does before it makes pods there: the API
 * server admits no pod before, and on a busy machine the controller may take
 * longer than the second or two admission waits for it.
 */
export async function defaultServiceAccount(client: RestClient, namespace: string): Promise<void> {
  await eventually(`the default service account in ${namespace}`, () => client.get(SERVICE_ACCOUNTS, 'default', { namespace }), 30_000, 20);
}

/** Makes a namespace for a test's pods and answers its name once its `default` account is there. */
export async function podNamespace(client: RestClient, name: string): Promise<string> {
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await defaultServiceAccount(client, name);
  return name;
}

/** Waits for the default account and kube-root-ca.crt in the namespaces the API server made, as far as their controllers run. */
async function initialNamespacesFurnished(cluster: TestCluster, running: string[]): Promise<void> {
  const wanted = [
    ...(running.includes('serviceaccount-controller') ? [{ ref: SERVICE_ACCOUNTS, name: 'default' }] : []),
    ...(running.includes('root-ca-certificate-publisher-controller') ? [{ ref: CONFIG_MAPS, name: 'kube-root-ca.crt' }] : []),
  ];
  const client = adminClient(cluster);
  try {
    for (const namespace of [...SYSTEM_NAMESPACES, NAMESPACE_NODE_LEASE]) {
      for (const { ref, name } of wanted) await eventually(`${ref.resource} ${namespace}/${name}`, () => client.get(ref, name, { namespace }), 20_000, 20);
    }
  } finally {
    client.close();
  }
}

/** A client certificate from the test cluster's CA: CN the user, O the groups. */
export async function clientCertificate(cluster: TestCluster, user: string, groups: string[] = [], validity: { notBefore?: Date; notAfter?: Date } = {}): Promise<{ cert: string; key: string }> {
  const ca = await loadOrCreateCA(join(cluster.dir, 'pki'));
  const issued = await issueCertificate(ca, { commonName: user, organizations: groups, usages: ['client'], ...validity });
  return { cert: issued.certPem, key: issued.keyPem! };
}

/** A RestClient for the test cluster as its admin (system:masters), without client-side rate limits. */
export function adminClient(cluster: TestCluster): RestClient {
  return new RestClient({ server: cluster.url, ca: cluster.caFile ? readFileSync(cluster.caFile, 'utf8') : undefined, token: cluster.token }, { qps: 0 });
}

/** A client config for the test cluster as `user` in `groups`, with a client certificate from its CA. */
export async function identityConfig(cluster: TestCluster, user: string, groups: string[] = []): Promise<ClientConfig> {
  const { cert, key } = await clientCertificate(cluster, user, groups);
  return { server: cluster.url, ca: cluster.caFile ? readFileSync(cluster.caFile, 'utf8') : undefined, cert, key };
}
