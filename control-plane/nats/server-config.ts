import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { validatePassword } from './password.js';
import { INBOX_ROOT, inboxPrefix, validateSubject } from './subject.js';

/** One component's account on the cluster's NATS: its credentials and what it may touch. */
export interface NatsUser {
  /** One subject token (letters, digits, `_`, `-`), e.g. `control-plane` or `node-ip-10-0-1-5`. */
  user: string;
  /** A random secret; see generatePassword(). */
  password: string;
  /** Subjects it may publish to; nothing else. */
  publish?: string[];
  /** Subjects it may subscribe to, besides its own inbox, which every user gets. */
  subscribe?: string[];
  /** May answer each request it receives once, on that request's reply subject. */
  respond?: boolean;
}

export interface NatsTlsFiles {
  /** The server's certificate (serverAuth, naming the hosts clients dial) and its key. */
  certFile: string;
  keyFile: string;
  /** The cluster CA; with `verify`, client certificates must chain to it. */
  caFile: string;
  /** Also require every client to present a certificate from `caFile` (mutual TLS). */
  verify?: boolean;
  /** Seconds a client has to finish the TLS handshake; default 2. */
  timeoutSeconds?: number;
}

export interface NatsServerConfig {
  serverName?: string;
  host: string;
  port: number;
  tls: NatsTlsFiles;
  users: NatsUser[];
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const HOST = /^[A-Za-z0-9.:-]+$/;

/** A double-quoted string for nats-server's configuration, refusing anything that would need escaping. */
function quote(what: string, value: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`NATS config: ${what} must be a non-empty string`);
  // `$` starts a variable reference in nats-server's syntax; quotes, backslashes and control characters need escapes.
  if (/["\\$\p{Cc}]/u.test(value)) throw new Error(`NATS config: ${what} ${JSON.stringify(value)} must not contain quotes, backslashes, '$' or control characters`);
  return `"${value}"`;
}

function quoteFile(what: string, file: string): string {
  if (typeof file !== 'string' || !isAbsolute(file)) throw new Error(`NATS config: ${what} must be an absolute path, got ${JSON.stringify(file)}`);
  return quote(what, file);
}

/** Validated, quoted subjects a user is granted; a grant may not reach the inboxes the config hands out itself. */
function grants(user: string, subjects: string[]): string[] {
  return subjects.map((s) => {
    validateSubject(s);
    const first = s.split('.')[0];
    if (first === INBOX_ROOT || first === '*' || first === '>') {
      throw new Error(`NATS user ${JSON.stringify(user)}: subject ${JSON.stringify(s)} would reach other users' inboxes; start it with a fixed token other than ${INBOX_ROOT}`);
    }
    return `"${s}"`;
  });
}

function renderUser(u: NatsUser): string[] {
  if (typeof u.user !== 'string' || !NAME.test(u.user)) throw new Error(`NATS user name ${JSON.stringify(u.user)} must be 1-64 letters, digits, '_' or '-'`);
  validatePassword(u.user, u.password);
  const publish = grants(u.user, u.publish ?? []);
  const subscribe = [`"${inboxPrefix(u.user)}.>"`, ...grants(u.user, u.subscribe ?? [])];
  return [
    '    {',
    `      user: ${quote('user', u.user)}`,
    `      password: ${quote('password', u.password)}`,
    '      permissions {',
    // Nothing to publish is said as an explicit deny-all rather than an empty allow list.
    `        publish { ${publish.length ? `allow: [${publish.join(', ')}]` : 'deny: [">"]'} }`,
    `        subscribe { allow: [${subscribe.join(', ')}] }`,
    ...(u.respond ? ['        allow_responses: true'] : []),
    '      }',
    '    }',
  ];
}

/**
 * nats-server's configuration for the cluster: one TLS listener (no
 * plaintext), and one user per component with password and subject
 * permissions, so a client needs both the cluster CA's trust and its
 * credentials. Throws a one-line error on any invalid input.
 */
export function renderServerConfig(config: NatsServerConfig): string {
  const { tls } = config;
  if (!Number.isInteger(config.port) || config.port < 1 || config.port > 65535) throw new Error(`NATS config: port must be an integer in 1-65535, got ${config.port}`);
  if (typeof config.host !== 'string' || !HOST.test(config.host)) throw new Error(`NATS config: host ${JSON.stringify(config.host)} must be an IP address or host name`);
  if (config.serverName !== undefined && !NAME.test(config.serverName)) throw new Error(`NATS config: server name ${JSON.stringify(config.serverName)} must be 1-64 letters, digits, '_' or '-'`);
  if (!tls) throw new Error('NATS config: tls is required; Skiff never serves NATS in plaintext');
  const timeout = tls.timeoutSeconds ?? 2;
  if (!(Number.isFinite(timeout) && timeout > 0)) throw new Error(`NATS config: tls timeoutSeconds must be a positive number, got ${timeout}`);
  if (!Array.isArray(config.users) || !config.users.length) throw new Error('NATS config: at least one user is required; nats-server without users lets anyone in');
  const seen = new Set<string>();
  for (const u of config.users) {
    if (seen.has(u.user)) throw new Error(`NATS config: user ${JSON.stringify(u.user)} is listed twice`);
    seen.add(u.user);
  }
  return [
    '# nats-server configuration rendered by Skiff. It holds passwords: keep it mode 0600.',
    ...(config.serverName ? [`server_name: ${quote('server name', config.serverName)}`] : []),
    `host: ${quote('host', config.host)}`,
    `port: ${config.port}`,
    '',
    '# With a top-level tls block every client connection must upgrade to TLS.',
    'tls {',
    `  cert_file: ${quoteFile('tls certFile', tls.certFile)}`,
    `  key_file: ${quoteFile('tls keyFile', tls.keyFile)}`,
    `  ca_file: ${quoteFile('tls caFile', tls.caFile)}`,
    `  verify: ${tls.verify === true}`,
    `  timeout: ${timeout}`,
    '}',
    '',
    'authorization {',
    '  users = [',
    ...config.users.flatMap(renderUser),
    '  ]',
    '}',
    '',
  ].join('\n');
}

/**
 * Writes the rendered configuration to `path` with mode 0600, through a
 * temporary file renamed over it, so the passwords are never readable by
 * others, not even for a moment, and a reader never sees half a file.
 */
export function writeServerConfig(path: string, config: NatsServerConfig): void {
  const text = renderServerConfig(config);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
