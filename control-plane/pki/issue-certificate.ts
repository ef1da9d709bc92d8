import { generateKeys, privateKeyPem, x509, ALG } from './pem.js';
import { serialNumber, type CertificateAuthority } from './certificate-authority.js';

const DAY = 24 * 3600 * 1000;

export type Usage = 'server' | 'client';

/** What a certificate is for: the subject (CN user, O groups), its names and how it may be used. */
export interface CertificateRequest {
  commonName: string;
  organizations?: string[];
  /** DNS names and IP addresses, for serving certificates. */
  hosts?: string[];
  usages: Usage[];
  validDays?: number;
  /** Sign this public key instead of making a new key pair (a CSR's key). */
  publicKey?: CryptoKey;
  /** Backdate or expire, for tests of expired certificates. */
  notBefore?: Date;
  notAfter?: Date;
}

const isIp = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':');

/** An X.509 distinguished name with CN and any number of O, escaped for @peculiar/x509. */
export function subjectName(commonName: string, organizations: string[] = []): x509.Name {
  return new x509.Name([...organizations.map((o) => ({ O: [o] })), { CN: [commonName] }]);
}

/** Signs a certificate with `ca`; answers it with its new private key unless a public key was given. */
export async function issueCertificate(ca: CertificateAuthority, req: CertificateRequest): Promise<{ certPem: string; keyPem?: string }> {
  const keys = req.publicKey ? undefined : await generateKeys();
  const extended = req.usages.map((u) => (u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth));
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(extended),
  ];
  if (req.hosts?.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(req.hosts.map((h) => ({ type: isIp(h) ? 'ip' : 'dns', value: h }) as x509.JsonGeneralName)));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(), subject: subjectName(req.commonName, req.organizations), issuer: ca.cert.subjectName,
    notBefore: req.notBefore ?? new Date(Date.now() - 3600_000), notAfter: req.notAfter ?? new Date(Date.now() + (req.validDays ?? 365) * DAY),
    signingAlgorithm: ALG, publicKey: req.publicKey ?? keys!.publicKey, signingKey: ca.key, extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: keys ? await privateKeyPem(keys.privateKey) : undefined };
}

/** The hosts a serving certificate names, and whether it is still good for a day. */
export function coversHosts(pem: string, hosts: string[]): boolean {
  const cert = new x509.X509Certificate(pem);
  if (cert.notAfter.getTime() < Date.now() + DAY) return false;
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = new Set(san?.names.items.map((n) => n.value) ?? []);
  return hosts.every((h) => names.has(h));
}
