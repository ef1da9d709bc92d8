import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateCA, type CertificateAuthority } from '../control-plane/pki/certificate-authority.js';
import { coversHosts, issueCertificate, type CertificateRequest } from '../control-plane/pki/issue-certificate.js';
import { generatePassword } from '../control-plane/nats/password.js';

/** Where a local cluster keeps its credentials, kubeadm-style, under $SKIFF_HOME/pki. */
export interface LocalPki {
  dir: string;
  /** The cluster CA: signs the API server's certificate, client certificates and node certificates. */
  caFile: string;
  caKeyFile: string;
  etcd: { caFile: string; certFile: string; keyFile: string; clientCertFile: string; clientKeyFile: string };
  admin: { certFile: string; keyFile: string };
  controllerManager: { certFile: string; keyFile: string };
  scheduler: { certFile: string; keyFile: string };
  cloudControllerManager: { certFile: string; keyFile: string };
  dns: { certFile: string; keyFile: string };
  nats: { certFile: string; keyFile: string; password: string; passwordFile: string };
  /** Encryption at rest for secrets: an AES-GCM key made once. */
  encryptionConfig: string;
}

type Pair = { certFile: string; keyFile: string };

async function ensurePair(ca: CertificateAuthority, dir: string, name: string, req: CertificateRequest): Promise<Pair> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  if (!existsSync(certFile) || !existsSync(keyFile) || !coversHosts(readFileSync(certFile, 'utf8'), req.hosts ?? [])) {
    const { certPem, keyPem } = await issueCertificate(ca, req);
    writeFileSync(keyFile, keyPem!, { mode: 0o600 });
    writeFileSync(certFile, certPem);
  }
  return { certFile, keyFile };
}

function ensureSecretFile(path: string, make: () => string): string {
  if (!existsSync(path)) writeFileSync(path, make(), { mode: 0o600 });
  return readFileSync(path, 'utf8');
}

/**
 * Every certificate and key a local cluster needs, made on first start and
 * reused after: etcd's own CA with its serving certificate and the API
 * server's client certificate; the cluster CA; an identity per component
 * (admin in system:masters, the controller-manager, the scheduler, the cloud-controller-manager, cluster DNS, NATS); the key that
 * encrypts secrets at rest.
 */
export async function ensureLocalPki(home: string, natsHosts: string[] = []): Promise<LocalPki> {
  const dir = join(home, 'pki');
  const etcdDir = join(dir, 'etcd');
  mkdirSync(etcdDir, { recursive: true, mode: 0o700 });
  const hosts = ['127.0.0.1', 'localhost'];
  const etcdCA = await loadOrCreateCA(etcdDir, 'ca', 'etcd-ca');
  const etcdServer = await ensurePair(etcdCA, etcdDir, 'server', { commonName: 'etcd', hosts, usages: ['server', 'client'] });
  const etcdClient = await ensurePair(etcdCA, dir, 'apiserver-etcd-client', { commonName: 'kube-apiserver-etcd-client', usages: ['client'] });
  const ca = await loadOrCreateCA(dir);
  const admin = await ensurePair(ca, dir, 'admin', { commonName: 'kubernetes-admin', organizations: ['system:masters'], usages: ['client'] });
  const controllerManager = await ensurePair(ca, dir, 'controller-manager', { commonName: 'system:kube-controller-manager', usages: ['client'] });
  const scheduler = await ensurePair(ca, dir, 'scheduler', { commonName: 'system:kube-scheduler', usages: ['client'] });
  const cloudControllerManager = await ensurePair(ca, dir, 'cloud-controller-manager', { commonName: 'system:cloud-controller-manager', usages: ['client'] });
  const dns = await ensurePair(ca, dir, 'dns', { commonName: 'system:skiff-dns', usages: ['client'] });
  // The workers reach NATS at the master's address on the local VPC.
  const nats = await ensurePair(ca, dir, 'nats', { commonName: 'nats', hosts: [...hosts, ...natsHosts], usages: ['server'] });
  const passwordFile = join(dir, 'nats-control-plane.password');
  const password = ensureSecretFile(passwordFile, generatePassword).trim();
  const encryptionConfig = join(dir, 'encryption-config.yaml');
  ensureSecretFile(encryptionConfig, () => [
    'apiVersion: apiserver.config.k8s.io/v1', 'kind: EncryptionConfiguration', 'resources:', '  - resources: [secrets]', '    providers:',
    '      - aesgcm:', '          keys:', '            - name: key1', `              secret: ${randomBytes(32).toString('base64')}`, '      - identity: {}', '',
  ].join('\n'));
  return {
    dir, caFile: ca.certFile, caKeyFile: ca.keyFile,
    etcd: { caFile: etcdCA.certFile, ...etcdServer, clientCertFile: etcdClient.certFile, clientKeyFile: etcdClient.keyFile },
    admin, controllerManager, scheduler, cloudControllerManager, dns, nats: { ...nats, password, passwordFile }, encryptionConfig,
  };
}
