import 'reflect-metadata';
import { webcrypto, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;

export interface ServingCerts {
  caFile: string;
  certFile: string;
  keyFile: string;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']) as Promise<CryptoKey>;
}

const serial = () => randomBytes(16).toString('hex').replace(/^[89a-f]/, '1');

/**
 * A cluster CA and an API server serving certificate, made on first start
 * and reused after, as kubeadm lays them out (ca.crt, apiserver.crt).
 */
export async function ensureServingCerts(dir: string, hosts: string[]): Promise<ServingCerts> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caFile = join(dir, 'ca.crt');
  const caKeyFile = join(dir, 'ca.key');
  const certFile = join(dir, 'apiserver.crt');
  const keyFile = join(dir, 'apiserver.key');
  let caCert: x509.X509Certificate;
  let caKey: CryptoKey;
  if (existsSync(caFile) && existsSync(caKeyFile)) {
    caCert = new x509.X509Certificate(readFileSync(caFile, 'utf8'));
    caKey = await importKey(readFileSync(caKeyFile, 'utf8'));
  } else {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(), name: 'CN=skiff-ca', notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 3650 * DAY),
      signingAlgorithm: ALG, keys,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true)],
    });
    caKey = keys.privateKey;
    writeFileSync(caKeyFile, await keyPem(caKey), { mode: 0o600 });
    writeFileSync(caFile, caCert.toString('pem') + '\n');
  }
  if (!existsSync(certFile) || !existsSync(keyFile) || !coversHosts(readFileSync(certFile, 'utf8'), hosts)) {
    const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(), subject: 'CN=kube-apiserver', issuer: caCert.subject,
      notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 365 * DAY),
      signingAlgorithm: ALG, publicKey: keys.publicKey, signingKey: caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(sanEntries(hosts)),
      ],
    });
    writeFileSync(keyFile, await keyPem(keys.privateKey), { mode: 0o600 });
    writeFileSync(certFile, cert.toString('pem') + '\n');
  }
  return { caFile, certFile, keyFile };
}

export function defaultHosts(extra: string[]): string[] {
  return [...new Set(['localhost', '127.0.0.1', hostname(), 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...extra])]
    .filter((h) => h && h !== '0.0.0.0' && h !== '::');
}

const isIp = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':');

function sanEntries(hosts: string[]): x509.JsonGeneralName[] {
  return hosts.map((h) => ({ type: isIp(h) ? 'ip' : 'dns', value: h }) as x509.JsonGeneralName);
}

function coversHosts(pem: string, hosts: string[]): boolean {
  const cert = new x509.X509Certificate(pem);
  if (cert.notAfter.getTime() < Date.now() + DAY) return false;
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = new Set(san?.names.items.map((n) => n.value) ?? []);
  return hosts.every((h) => names.has(h));
}
