import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { log } from '../../client/log.js';
import { bootstrapNodeCredential } from '../../node-agent/bootstrap/node-credential.js';
import { writeNodeKubeconfig } from '../../node-agent/bootstrap/node-kubeconfig.js';
import { connectNats } from '../../control-plane/nats/connect.js';
import { nodeNatsUserName } from '../../control-plane/nats/node-subjects.js';
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { stopOnSignals, untilAborted } from '../../component-base/component.js';
import { parseTypedFlags } from '../../component-base/flags.js';
import { startSecureServing } from '../../component-base/secure-serving.js';
import { instanceMetadata } from '../../controllers/aws/region.js';
import { parseClusterDNS, parseNodeLabels, parseTaints } from '../../node-agent/agent-flags.js';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { NODE_AGENT_DEFAULTS, NodeAgent } from '../../node-agent/node-agent.js';

const FLAGS = {
  kubeconfig: 'string', 'bootstrap-kubeconfig': 'string', 'container-runtime-endpoint': 'string', 'cloud-provider': 'string',
  'provider-id': 'string', 'node-ip': 'string', 'hostname-override': 'string', 'node-labels': 'list', 'register-with-taints': 'list',
  'max-pods': 'int', 'root-dir': 'string', 'device-dir': 'string', address: 'string', port: 'int', 'tls-cert-file': 'string', 'tls-private-key-file': 'string',
  'node-status-update-frequency': 'duration', 'kube-api-qps': 'int', 'kube-api-burst': 'int',
  'nats-servers': 'list', 'nats-ca-file': 'string', 'nats-user': 'string', 'nats-password-file': 'string',
  'cluster-dns': 'list', 'cluster-domain': 'string', 'resolv-conf': 'string-or-empty',
} as const;

/**
 * `skiff node-agent --kubeconfig=PATH --container-runtime-endpoint=unix:///...`:
 * the kubelet's role on a worker, with its flag names, until SIGTERM.
 */
export async function nodeAgentCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, FLAGS);
  const endpoint = flags['container-runtime-endpoint'];
  if (!endpoint) throw new Error('--container-runtime-endpoint is required (unix:///var/run/crio/crio.sock for CRI-O)');
  const cloud = flags['cloud-provider'] ?? '';
  if (cloud !== '' && cloud !== 'external') throw new Error(`--cloud-provider=${cloud}: only external (or none) is supported`);
  const maxPods = flags['max-pods'] ?? NODE_AGENT_DEFAULTS.maxPods;
  if (maxPods < 1) throw new Error('--max-pods must be at least 1');
  const rootDir = flags['root-dir'] ?? '/var/lib/skiff/agent';
  mkdirSync(rootDir, { recursive: true });
  // On EC2 with an external cloud provider, the provider ID comes from the instance metadata, as the AWS docs tell kubelets to set it.
  let providerID = flags['provider-id'];
  if (!providerID && cloud === 'external' && process.env.AWS_EC2_METADATA_DISABLED !== 'true') {
    providerID = await Promise.all([instanceMetadata('placement/availability-zone'), instanceMetadata('instance-id')])
      .then(([zone, id]) => `aws:///${zone}/${id}`, () => undefined);
  }
  const nodeName = (flags['hostname-override'] ?? hostname()).toLowerCase();
  if (flags['bootstrap-kubeconfig']) await bootstrapKubeconfig(flags['bootstrap-kubeconfig'], flags.kubeconfig, nodeName);
  // The kubelet's defaults: a node starting many pods at once asks for tokens, config maps and status writes for each.
  const client = new RestClient(loadKubeconfig({ path: flags.kubeconfig }), { qps: flags['kube-api-qps'] ?? 50, burst: flags['kube-api-burst'] ?? 100 });
  const runtime = new RuntimeClient(endpoint);
  const registry = new Registry();
  const serving = await startSecureServing({
    bindAddress: flags.address ?? '0.0.0.0', securePort: flags.port ?? 10250, registry,
    tlsCertFile: flags['tls-cert-file'], tlsPrivateKeyFile: flags['tls-private-key-file'],
  });
  const nats = flags['nats-servers']?.length ? await connectAgentNats(flags, nodeName) : undefined;
  const agent = new NodeAgent(client, runtime, {
    ...NODE_AGENT_DEFAULTS, nodeName, nodeIP: flags['node-ip'], providerID, externalCloudProvider: cloud === 'external',
    labels: parseNodeLabels(flags['node-labels'] ?? []), taints: parseTaints(flags['register-with-taints'] ?? []), maxPods, rootDir,
    deviceDir: flags['device-dir'] ?? '/dev',
    // The kubelet's defaults: no cluster DNS and no cluster domain unless told (skiff up tells it cluster.local).
    clusterDNS: parseClusterDNS(flags['cluster-dns'] ?? []), clusterDomain: flags['cluster-domain'] ?? NODE_AGENT_DEFAULTS.clusterDomain,
    resolvConf: flags['resolv-conf'] ?? NODE_AGENT_DEFAULTS.resolvConf,
    nodeStatusUpdateFrequencyMs: flags['node-status-update-frequency'] ?? NODE_AGENT_DEFAULTS.nodeStatusUpdateFrequencyMs, registry,
  }, nats);
  const signal = stopOnSignals('node-agent');
  try {
    await agent.start();
    await untilAborted(signal);
  } finally {
    await agent.stop();
    await serving?.close();
    await nats?.close();
    runtime.close();
    client.close();
  }
}

/**
 * The node's NATS connection, as its own user (node-<name>, which may only
 * use this node's subjects), waiting for the server if it is not up yet.
 */
async function connectAgentNats(flags: { 'nats-servers'?: string[]; 'nats-ca-file'?: string; 'nats-user'?: string; 'nats-password-file'?: string }, nodeName: string) {
  if (!flags['nats-ca-file'] || !flags['nats-password-file']) throw new Error('--nats-servers needs --nats-ca-file and --nats-password-file');
  return connectNats({
    servers: flags['nats-servers']!, caFile: flags['nats-ca-file'], user: flags['nats-user'] ?? nodeNatsUserName(nodeName),
    password: readFileSync(flags['nats-password-file'], 'utf8').trim(), name: `node-agent ${nodeName}`,
    waitOnFirstConnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 500,
  });
}

/**
 * TLS bootstrap, as the kubelet does it with --bootstrap-kubeconfig: when
 * --kubeconfig does not exist yet, the bootstrap token in the bootstrap
 * kubeconfig asks for the node's own client certificate (a CSR the
 * controller-manager approves and signs), and --kubeconfig is written with
 * it; the token is used for nothing else.
 */
async function bootstrapKubeconfig(bootstrapPath: string, kubeconfig: string | undefined, nodeName: string): Promise<void> {
  if (!kubeconfig) throw new Error('--bootstrap-kubeconfig needs --kubeconfig: where the node\'s own credentials are written');
  if (existsSync(kubeconfig)) return;
  const bootstrap = loadKubeconfig({ path: bootstrapPath });
  if (!bootstrap.token) throw new Error(`--bootstrap-kubeconfig ${bootstrapPath} holds no bootstrap token`);
  if (!bootstrap.ca) throw new Error(`--bootstrap-kubeconfig ${bootstrapPath} holds no certificate authority for the API server`);
  const { cert, key } = await bootstrapNodeCredential({ server: bootstrap.server, ca: bootstrap.ca, bootstrapToken: bootstrap.token, nodeName });
  writeNodeKubeconfig(kubeconfig, { server: bootstrap.server, ca: bootstrap.ca, cert, key, nodeName });
  log.info('node credentials bootstrapped', { node: nodeName, kubeconfig });
}
