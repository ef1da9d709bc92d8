import type { NatsConnection } from 'nats';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { loadOrCreateCA } from '../../control-plane/pki/certificate-authority.js';
import { issueCertificate } from '../../control-plane/pki/issue-certificate.js';
import { connectNats } from '../../control-plane/nats/connect.js';
import { generatePassword } from '../../control-plane/nats/password.js';
import { writeServerConfig, type NatsUser } from '../../control-plane/nats/server-config.js';

/** A user to create: as NatsUser, with a password made up when none is given. */
export type NatsTestUser = Omit<NatsUser, 'password'> & { password?: string };

export interface NatsProcess {
  /** `tls://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** The cluster CA that signed the server's certificate (and the client certificate). */
  caFile: string;
  /** Every user by name, with its password. */
  users: Record<string, NatsUser>;
  /** With `verifyClients`: a client certificate from the cluster CA. */
  clientCert?: { certFile: string; keyFile: string };
  configFile: string;
  pid: number;
  stop(): Promise<void>;
}

/** Resolves once something on `port` speaks NATS (sends INFO). */
function speaksNats(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.once('data', (d) => (socket.destroy(), resolve(d.toString().startsWith('INFO '))));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

async function waitReady(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}: ${output()}`);
    if (await speaksNats(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server on port ${port} did not start: ${output()}`);
}

/**
 * A real nats-server on a free loopback port in a temporary folder, with a
 * CA and serving certificate from the PKI module and the configuration from
 * server-config.ts: TLS only, one password-protected user per entry of
 * `users`. With `verifyClients`, clients must also present a certificate.
 */
export async function startNats(opts: { users: NatsTestUser[]; verifyClients?: boolean; listenAddress?: string; hosts?: string[] }): Promise<NatsProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-nats-'));
  try {
    const ca = await loadOrCreateCA(join(dir, 'pki'), 'nats-ca', 'skiff-nats-ca');
    const file = (name: string, text: string) => (writeFileSync(join(dir, 'pki', name), text, { mode: 0o600 }), join(dir, 'pki', name));
    const server = await issueCertificate(ca, { commonName: 'nats', hosts: ['127.0.0.1', 'localhost', ...(opts.hosts ?? [])], usages: ['server'] });
    let clientCert: NatsProcess['clientCert'];
    if (opts.verifyClients) {
      const client = await issueCertificate(ca, { commonName: 'nats-client', usages: ['client'] });
      clientCert = { certFile: file('client.crt', client.certPem), keyFile: file('client.key', client.keyPem!) };
    }
    const users = opts.users.map((u): NatsUser => ({ ...u, password: u.password ?? generatePassword() }));
    const port = await freePort();
    const configFile = join(dir, 'nats-server.conf');
    writeServerConfig(configFile, {
      serverName: 'skiff-test', host: opts.listenAddress ?? '127.0.0.1', port, users,
      tls: { certFile: file('nats.crt', server.certPem), keyFile: file('nats.key', server.keyPem!), caFile: ca.certFile, verify: opts.verifyClients },
    });
    const child = spawn('nats-server', ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (child.pid === undefined) {
      await new Promise((r) => child.once('error', r));
      throw new Error('nats-server could not be started; is it installed? (npm run bootstrap)');
    }
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
    child.once('error', (err) => { stderr += `\n${err.message}`; });
    // A test process that ends without stopping its nats-server must not leave it running.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.removeListener('exit', reap));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      await waitReady(port, child, () => stderr);
    } catch (err) {
      await stop();
      throw err;
    }
    return {
      url: `tls://127.0.0.1:${port}`, port, caFile: ca.certFile, users: Object.fromEntries(users.map((u) => [u.user, u])),
      clientCert, configFile, pid: child.pid!, stop,
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** A connection to the test server as one of its users, kept in `open` for the test's teardown to close; never reconnects. */
export async function connectAs(nats: NatsProcess, user: string, open: NatsConnection[]): Promise<NatsConnection> {
  const nc = await connectNats({ servers: nats.url, caFile: nats.caFile, user, password: nats.users[user].password, name: `test-${user}`, reconnect: false });
  open.push(nc);
  return nc;
}

/** The next permissions violation the server reports on `nc`; start it before the offending operation. */
export async function nextViolation(nc: NatsConnection): Promise<{ operation: string; subject: string }> {
  for await (const st of nc.status()) {
    if (st.type === 'error' && st.data === 'PERMISSIONS_VIOLATION' && st.permissionContext) return st.permissionContext;
  }
  throw new Error('connection closed without a permissions violation');
}
