import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALG, generateKeys, importPrivateKey, privateKeyPem, x509 } from './pem.js';

const DAY = 24 * 3600 * 1000;

/** A positive 128-bit serial number, as hex. */
export const serialNumber = () => randomBytes(16).toString('hex').replace(/^[89a-f]/, '1');

/** A CA: its certificate and the key that signs with it. */
export interface CertificateAuthority {
  cert: x509.X509Certificate;
  key: CryptoKey;
  certPem: string;
}

/**
 * The CA in `dir` (`<name>.crt`, `<name>.key`, kubeadm's layout), made on
 * first use and reused after.
 */
export async function loadOrCreateCA(dir: string, name = 'ca', commonName = 'skiff-ca'): Promise<CertificateAuthority & { certFile: string; keyFile: string }> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  if (existsSync(certFile) && existsSync(keyFile)) {
    const certPem = readFileSync(certFile, 'utf8');
    return { cert: new x509.X509Certificate(certPem), key: await importPrivateKey(readFileSync(keyFile, 'utf8')), certPem, certFile, keyFile };
  }
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(), name: `CN=${commonName}`, notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 3650 * DAY),
    signingAlgorithm: ALG, keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const certPem = cert.toString('pem') + '\n';
  writeFileSync(keyFile, await privateKeyPem(keys.privateKey), { mode: 0o600 });
  writeFileSync(certFile, certPem);
  return { cert, key: keys.privateKey, certPem, certFile, keyFile };
}
