import { parseDuration } from '../../api/time.js';

/** kube-apiserver's flags, where Skiff's meaning is the same. */
export interface ApiServerOptions {
  etcdServers: string[];
  bindAddress: string;
  /** The address members of the cluster reach this server at: in its serving certificate and the `kubernetes` Endpoints (kube's --advertise-address). */
  advertiseAddress?: string;
  securePort: number;
  serviceClusterIPRange: string;
  serviceNodePortRange: string;
  tokenAuthFile?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Where a generated CA and serving certificate are kept (kube's --cert-dir). */
  certDir: string;
  /** Serve plain HTTP; for tests only. */
  insecureServing?: boolean;
  /** How often old etcd revisions are compacted (kube's --etcd-compaction-interval). */
  etcdCompactionIntervalMs: number;
  /** TLS to etcd: the CA that signed etcd's certificate, and this server's client certificate and key. */
  etcdCAFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
  /** Client certificates signed by this CA authenticate: CN the user, O the groups. */
  clientCAFile?: string;
  /** Requests without credentials are system:anonymous instead of 401. */
  anonymousAuth: boolean;
  /** RBAC (with the Node restriction on node identities), or AlwaysAllow. */
  authorizationMode: 'RBAC' | 'AlwaysAllow';
  /** Bootstrap tokens (kube-system Secrets) authenticate joining nodes. */
  enableBootstrapTokenAuth: boolean;
  /** Keys that verify service account tokens; the signing key's public half when none are given. */
  serviceAccountKeyFiles: string[];
  /** The key that signs service account tokens; made in --cert-dir (sa.key) when not given. */
  serviceAccountSigningKeyFile?: string;
  serviceAccountIssuer: string;
  apiAudiences?: string[];
  /** One JSON line per mutating or denied request. */
  auditLogPath?: string;
  /** Encryption at rest (an EncryptionConfiguration file). */
  encryptionProviderConfig?: string;
  /** The cluster's NATS, where the nodes' agents serve logs, exec, attach and port-forward; with its CA, this server's user and the file holding its password. */
  natsServers?: string[];
  natsCAFile?: string;
  natsUser?: string;
  natsPasswordFile?: string;
}

export const DEFAULTS = {
  bindAddress: '0.0.0.0',
  securePort: 6443,
  serviceClusterIPRange: '10.96.0.0/12',
  serviceNodePortRange: '30000-32767',
  etcdCompactionIntervalMs: 5 * 60_000,
  anonymousAuth: false,
  authorizationMode: 'RBAC' as const,
  enableBootstrapTokenAuth: false,
  serviceAccountKeyFiles: [] as string[],
  serviceAccountIssuer: 'https://kubernetes.default.svc.cluster.local',
};

const FLAGS: Record<string, keyof ApiServerOptions> = {
  'etcd-servers': 'etcdServers',
  'bind-address': 'bindAddress',
  'advertise-address': 'advertiseAddress',
  'secure-port': 'securePort',
  'service-cluster-ip-range': 'serviceClusterIPRange',
  'service-node-port-range': 'serviceNodePortRange',
  'token-auth-file': 'tokenAuthFile',
  'tls-cert-file': 'tlsCertFile',
  'tls-private-key-file': 'tlsPrivateKeyFile',
  'cert-dir': 'certDir',
  'insecure-serving': 'insecureServing',
  'etcd-compaction-interval': 'etcdCompactionIntervalMs',
  'etcd-cafile': 'etcdCAFile',
  'etcd-certfile': 'etcdCertFile',
  'etcd-keyfile': 'etcdKeyFile',
  'client-ca-file': 'clientCAFile',
  'anonymous-auth': 'anonymousAuth',
  'authorization-mode': 'authorizationMode',
  'enable-bootstrap-token-auth': 'enableBootstrapTokenAuth',
  'service-account-key-file': 'serviceAccountKeyFiles',
  'service-account-signing-key-file': 'serviceAccountSigningKeyFile',
  'service-account-issuer': 'serviceAccountIssuer',
  'api-audiences': 'apiAudiences',
  'audit-log-path': 'auditLogPath',
  'encryption-provider-config': 'encryptionProviderConfig',
  'nats-servers': 'natsServers',
  'nats-ca-file': 'natsCAFile',
  'nats-user': 'natsUser',
  'nats-password-file': 'natsPasswordFile',
};

const BOOLEANS = new Set<keyof ApiServerOptions>(['insecureServing', 'anonymousAuth', 'enableBootstrapTokenAuth']);

function parseBool(flag: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`invalid --${flag} ${value}: must be true or false`);
}

/** kube's --authorization-mode list, of which Skiff serves RBAC (Node is folded in) and AlwaysAllow. */
function parseAuthorizationMode(value: string): 'RBAC' | 'AlwaysAllow' {
  const modes = value.split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of modes) if (!['RBAC', 'Node', 'AlwaysAllow'].includes(m)) throw new Error(`invalid --authorization-mode ${m}: supported modes are Node, RBAC and AlwaysAllow`);
  if (modes.includes('RBAC') || modes.includes('Node')) return 'RBAC';
  if (modes.includes('AlwaysAllow')) return 'AlwaysAllow';
  throw new Error('--authorization-mode must name a mode');
}

/** Parses `--flag=value` / `--flag value` arguments; an unknown flag is an error. */
export function parseApiServerFlags(argv: string[]): ApiServerOptions {
  const opts: Record<string, unknown> = { ...DEFAULTS, serviceAccountKeyFiles: [], certDir: '/var/run/skiff/certs' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1] in FLAGS)) throw new Error(`unknown flag: ${arg}`);
    const key = FLAGS[m[1]];
    let value = m[2];
    if (value === undefined) {
      if (BOOLEANS.has(key)) value = 'true';
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new Error(`flag needs an argument: --${m[1]}`);
    }
    switch (key) {
      case 'etcdServers': opts.etcdServers = value.split(',').filter(Boolean); break;
      case 'securePort': {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --secure-port ${value}`);
        opts.securePort = port;
        break;
      }
      case 'insecureServing':
      case 'anonymousAuth':
      case 'enableBootstrapTokenAuth': opts[key] = parseBool(m[1], value); break;
      case 'authorizationMode': opts.authorizationMode = parseAuthorizationMode(value); break;
      case 'serviceAccountKeyFiles': (opts.serviceAccountKeyFiles as string[]).push(...value.split(',').filter(Boolean)); break;
      case 'apiAudiences': opts.apiAudiences = value.split(',').filter(Boolean); break;
      case 'natsServers': opts.natsServers = value.split(',').filter(Boolean); break;
      case 'etcdCompactionIntervalMs': opts.etcdCompactionIntervalMs = parseDuration(value); break;
      default: opts[key] = value;
    }
  }
  if (!Array.isArray(opts.etcdServers) || !opts.etcdServers.length) throw new Error('--etcd-servers must be set');
  const etcdTls = [opts.etcdCertFile, opts.etcdKeyFile].filter(Boolean).length;
  if (etcdTls === 1) throw new Error('--etcd-certfile and --etcd-keyfile must be given together');
  return opts as unknown as ApiServerOptions;
}
