import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateCA } from '../pki/certificate-authority.js';
import { coversHosts, issueCertificate } from '../pki/issue-certificate.js';

export interface ServingCerts {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A cluster CA and an API server serving certificate, made on first start
 * and reused after, as kubeadm lays them out (ca.crt, apiserver.crt).
 */
export async function ensureServingCerts(dir: string, hosts: string[]): Promise<ServingCerts> {
  const ca = await loadOrCreateCA(dir);
  const certFile = join(dir, 'apiserver.crt');
  const keyFile = join(dir, 'apiserver.key');
  if (!existsSync(certFile) || !existsSync(keyFile) || !coversHosts(readFileSync(certFile, 'utf8'), hosts)) {
    const { certPem, keyPem } = await issueCertificate(ca, { commonName: 'kube-apiserver', hosts, usages: ['server'] });
    writeFileSync(keyFile, keyPem!, { mode: 0o600 });
    writeFileSync(certFile, certPem);
  }
  return { caFile: ca.certFile, certFile, keyFile };
}

/**
 * The names and addresses the serving certificate covers, as kube-apiserver's
 * self-signed one: loopback, the host, the `kubernetes` Service's names and,
 * among `extra`, its cluster IP, where in-cluster clients reach it.
 */
export function defaultHosts(extra: string[]): string[] {
  return [...new Set(['localhost', '127.0.0.1', hostname(), 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...extra])]
    .filter((h) => h && h !== '0.0.0.0' && h !== '::');
}
