import { hostname } from 'node:os';
import { generateKeys, privateKeyPem, x509, ALG } from './pem.js';
import { serialNumber } from './certificate-authority.js';

const DAY = 24 * 3600 * 1000;

/**
 * A serving certificate signed by its own key, made in memory when a
 * component is given no --tls-cert-file (as kube's components make one), for
 * its health and metrics endpoints.
 */
export async function selfSignedServingCertificate(hosts: string[]): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateKeys();
  const names = [...new Set(['localhost', '127.0.0.1', hostname(), ...hosts])].filter((h) => h && h !== '0.0.0.0' && h !== '::');
  const isIp = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(), name: `CN=${hostname()}@${Math.floor(Date.now() / 1000)}`,
    notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: ALG, keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((h) => ({ type: isIp(h) ? 'ip' : 'dns', value: h }) as x509.JsonGeneralName)),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) };
}
