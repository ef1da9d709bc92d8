/** kube-apiserver's flags, where Skiff's meaning is the same. */
export interface ApiServerOptions {
  etcdServers: string[];
  bindAddress: string;
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
}

export const DEFAULTS = {
  bindAddress: '0.0.0.0',
  securePort: 6443,
  serviceClusterIPRange: '10.96.0.0/12',
  serviceNodePortRange: '30000-32767',
  etcdCompactionIntervalMs: 5 * 60_000,
};

const FLAGS: Record<string, keyof ApiServerOptions> = {
  'etcd-servers': 'etcdServers',
  'bind-address': 'bindAddress',
  'secure-port': 'securePort',
  'service-cluster-ip-range': 'serviceClusterIPRange',
  'service-node-port-range': 'serviceNodePortRange',
  'token-auth-file': 'tokenAuthFile',
  'tls-cert-file': 'tlsCertFile',
  'tls-private-key-file': 'tlsPrivateKeyFile',
  'cert-dir': 'certDir',
  'insecure-serving': 'insecureServing',
  'etcd-compaction-interval': 'etcdCompactionIntervalMs',
};

/** Parses a Go-style duration (5m, 30s, 1h30m, 500ms) into milliseconds. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text.trim();
  if (rest === '0') return 0;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(`invalid duration ${JSON.stringify(text)}`);
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** Parses `--flag=value` / `--flag value` arguments; an unknown flag is an error. */
export function parseApiServerFlags(argv: string[]): ApiServerOptions {
  const opts: Record<string, unknown> = { ...DEFAULTS, certDir: '/var/run/skiff/certs' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1] in FLAGS)) throw new Error(`unknown flag: ${arg}`);
    const key = FLAGS[m[1]];
    let value = m[2];
    if (value === undefined) {
      if (key === 'insecureServing') value = 'true';
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
      case 'insecureServing': opts.insecureServing = value === 'true'; break;
      case 'etcdCompactionIntervalMs': opts.etcdCompactionIntervalMs = parseDuration(value); break;
      default: opts[key] = value;
    }
  }
  if (!Array.isArray(opts.etcdServers) || !opts.etcdServers.length) throw new Error('--etcd-servers must be set');
  return opts as unknown as ApiServerOptions;
}
