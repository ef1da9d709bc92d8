import { readFileSync } from 'node:fs';
import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { inboxPrefix } from './subject.js';

/** Connection tuning a caller may choose; security settings are not among them. */
const TUNING = ['timeout', 'reconnect', 'maxReconnectAttempts', 'reconnectTimeWait', 'waitOnFirstConnect', 'pingInterval', 'maxPingOut'] as const;
type Tuning = Pick<ConnectionOptions, (typeof TUNING)[number]>;

export interface ConnectNatsOptions extends Tuning {
  /** `tls://host:port` or `nats://host:port` (either way the connection is TLS), or several. */
  servers: string | string[];
  /** The cluster CA that the server's certificate must chain to. */
  caFile: string;
  user: string;
  password: string;
  /** The connection's name, shown in nats-server's monitoring and logs. */
  name: string;
  /** A client certificate and key, for a server that verifies clients (mutual TLS). */
  certFile?: string;
  keyFile?: string;
}

const SCHEME = /^(?:(tls|nats):\/\/)?[^/\s]+$/;

/**
 * Connects to the cluster's NATS over TLS only, trusting the cluster CA alone
 * and authenticating as `user`. Requests receive their replies under the
 * user's own inbox (see inboxPrefix), which is what the server config grants.
 */
export async function connectNats(opts: ConnectNatsOptions): Promise<NatsConnection> {
  const { servers, caFile, user, password, name, certFile, keyFile } = opts;
  // Only the tuning keys are passed on, so no stray option (tls: null, an authenticator) can slip past from untyped callers.
  const tuning = Object.fromEntries(TUNING.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]])) as Tuning;
  const list = Array.isArray(servers) ? servers : [servers];
  if (!list.length) throw new Error('connectNats: at least one server is required');
  for (const s of list) {
    if (!SCHEME.test(s)) throw new Error(`connectNats: server ${JSON.stringify(s)} must be tls://host:port (NATS is only reached over TLS)`);
  }
  if (!caFile) throw new Error('connectNats: caFile is required; NATS is only reached over TLS, verified against the cluster CA');
  if (!user || !password) throw new Error('connectNats: user and password are required');
  if (Boolean(certFile) !== Boolean(keyFile)) throw new Error('connectNats: certFile and keyFile go together');
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new Error(`connectNats: cannot read caFile ${caFile}: ${(err as Error).message}`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`connectNats: caFile ${caFile} holds no PEM certificate`);
  return connect({
    ...tuning,
    servers: list,
    name,
    user,
    pass: password,
    inboxPrefix: inboxPrefix(user),
    // A TLS object makes the client refuse any server that does not upgrade to TLS. `ca` replaces the system roots,
    // so only the cluster CA is trusted.
    tls: { ca, ...(certFile && keyFile ? { certFile, keyFile } : {}) },
  });
}
