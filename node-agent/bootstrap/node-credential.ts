import { RestClient } from '../../client/rest-client.js';
import { CSRS } from '../../client/resources.js';
import { conditionOf, KUBELET_CLIENT_SIGNER } from '../../api/kinds/certificate-signing-request.js';
import { ALG, generateKeys, privateKeyPem, x509 } from '../../control-plane/pki/pem.js';
import { subjectName } from '../../control-plane/pki/issue-certificate.js';

export interface NodeBootstrap {
  /** The API server, and the cluster CA its certificate chains to. */
  server: string;
  ca: string;
  /** A bootstrap token (`<id>.<secret>`), good for joining only. */
  bootstrapToken: string;
  nodeName: string;
  timeoutMs?: number;
}

/**
 * A joining node's own credential, the way kubelet TLS bootstrap gets it:
 * with the short-lived bootstrap token, the node asks (a
 * CertificateSigningRequest to the kubelet client signer) for a client
 * certificate for `system:node:<name>` in `system:nodes`; the
 * controller-manager approves and signs it. Answers the certificate and
 * the key, which never left this machine.
 */
export async function bootstrapNodeCredential(b: NodeBootstrap): Promise<{ cert: string; key: string }> {
  const keys = await generateKeys();
  const request = await x509.Pkcs10CertificateRequestGenerator.create({ name: subjectName(`system:node:${b.nodeName}`, ['system:nodes']), keys, signingAlgorithm: ALG });
  const client = new RestClient({ server: b.server, ca: b.ca, token: b.bootstrapToken }, { qps: 0 });
  try {
    const csr = await client.create(CSRS, {
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest',
      metadata: { generateName: 'node-csr-' } as { name?: string; generateName: string },
      spec: { request: Buffer.from(request.toString('pem')).toString('base64'), signerName: KUBELET_CLIENT_SIGNER, usages: ['digital signature', 'client auth'] },
    });
    const deadline = Date.now() + (b.timeoutMs ?? 60_000);
    for (;;) {
      const current = await client.get(CSRS, csr.metadata!.name!);
      if (current.status?.certificate) {
        return { cert: Buffer.from(current.status.certificate, 'base64').toString(), key: await privateKeyPem(keys.privateKey) };
      }
      for (const type of ['Denied', 'Failed']) {
        const c = conditionOf(current, type);
        if (c) throw new Error(`certificate request ${current.metadata!.name} was ${type.toLowerCase()}: ${c.message ?? c.reason ?? ''}`);
      }
      if (Date.now() > deadline) throw new Error(`certificate request ${current.metadata!.name} was not signed within ${(b.timeoutMs ?? 60_000) / 1000}s; is the controller-manager running with a signing CA?`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}
