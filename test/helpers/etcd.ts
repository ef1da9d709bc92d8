import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { loadOrCreateCA } from '../../control-plane/pki/certificate-authority.js';
import { issueCertificate } from '../../control-plane/pki/issue-certificate.js';

/** Files for reaching an etcd that serves TLS and asks for client certificates. */
export interface EtcdTls {
  caFile: string;
  /** A client certificate etcd accepts (signed by its CA). */
  certFile: string;
  keyFile: string;
}

export interface EtcdProcess {
  url: string;
  tls?: EtcdTls;
  pid: number;
  dataDir: string;
  /** Stops etcd and starts it again on the same ports and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function healthy(url: string, tls?: EtcdTls): Promise<boolean> {
  if (!tls) return fetch(`${url}/health`).then((r) => r.ok);
  return new Promise((resolve, reject) => {
    httpsGet(`${url}/health`, { ca: readFileSync(tls.caFile), cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on('error', reject);
  });
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string, tls?: EtcdTls): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}: ${output()}`);
    try {
      if (await healthy(url, tls)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`etcd at ${url} did not become healthy: ${output()}`);
}

/**
 * A real single-member etcd on free loopback ports in a temporary folder.
 * With `tls`, it serves TLS and refuses clients without a certificate from
 * its own CA; `tls` on the answer has the files a client needs.
 */
export async function startEtcd(opts: { tls?: boolean } = {}): Promise<EtcdProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const args = [
    '--name', 'test', '--data-dir', dataDir,
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-cluster', `test=http://127.0.0.1:${peerPort}`,
    '--unsafe-no-fsync', '--log-level', 'error',
  ];
  let tls: EtcdTls | undefined;
  if (opts.tls) {
    const pki = join(dataDir, '..', `${dataDir.split('/').pop()}-pki`);
    const ca = await loadOrCreateCA(pki, 'etcd-ca', 'etcd-ca');
    const server = await issueCertificate(ca, { commonName: 'etcd', hosts: ['127.0.0.1', 'localhost'], usages: ['server', 'client'] });
    const client = await issueCertificate(ca, { commonName: 'kube-apiserver-etcd-client', usages: ['client'] });
    const file = (name: string, text: string) => (writeFileSync(join(pki, name), text, { mode: 0o600 }), join(pki, name));
    args.push('--cert-file', file('etcd.crt', server.certPem), '--key-file', file('etcd.key', server.keyPem!), '--client-cert-auth', '--trusted-ca-file', ca.certFile);
    tls = { caFile: ca.certFile, certFile: file('client.crt', client.certPem), keyFile: file('client.key', client.keyPem!) };
  }
  let child = await launch(url, args, tls);
  const kill = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const etcd: EtcdProcess = {
    url,
    tls,
    pid: child.pid!,
    dataDir,
    async restart() {
      await kill();
      child = await launch(url, args, tls);
      etcd.pid = child.pid!;
    },
    async stop() {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
      if (tls) rmSync(join(tls.caFile, '..'), { recursive: true, force: true });
    },
  };
  return etcd;
}

async function launch(url: string, args: string[], tls?: EtcdTls): Promise<ChildProcess> {
  const child = spawn('etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  // A test process that ends without stopping its etcd must not leave it running.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.removeListener('exit', reap));
  await waitHealthy(url, child, () => stderr, tls);
  return child;
}
