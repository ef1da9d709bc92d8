import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { rfc3339 } from '../../api/time.js';
import { CLIENT_SIGNER, conditionOf, KUBELET_CLIENT_SIGNER, parseCertificateRequest } from '../../api/kinds/certificate-signing-request.js';
import type { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest-client.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { CertificateAuthority } from '../../control-plane/pki/certificate-authority.js';
import { issueCertificate } from '../../control-plane/pki/issue-certificate.js';
import { nodeClientRequest } from './csr-approving.js';
import { CSRS } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import { importPrivateKey, x509 } from '../../control-plane/pki/pem.js';
import { enqueueFrom, workersFor, type ControllerDescriptor } from '../controller.js';

const CLIENT_USAGES = new Set(['digital signature', 'key encipherment', 'client auth']);

/** What each signer refuses to issue, as kube's signers check it; undefined when the request fits. */
function signerProblem(csr: Record<string, any>): string | undefined {
  const usages: string[] = csr.spec?.usages ?? [];
  if (csr.spec?.signerName === KUBELET_CLIENT_SIGNER) {
    const node = nodeClientRequest(csr);
    return 'problem' in node ? node.problem : undefined;
  }
  if (!usages.includes('client auth') || usages.some((u) => !CLIENT_USAGES.has(u))) {
    return `invalid usage for client certificate: ${usages.filter((u) => !CLIENT_USAGES.has(u)).join(', ') || 'client auth is required'}`;
  }
  return undefined;
}

const SIGNERS = new Set([KUBELET_CLIENT_SIGNER, CLIENT_SIGNER]);
/** kube-controller-manager's --cluster-signing-duration default: one year. */
const MAX_SECONDS = 365 * 24 * 3600;

/**
 * The CSR signer, as kube-controller-manager's csrsigning with
 * --cluster-signing-cert-file/--cluster-signing-key-file: issues approved
 * requests for the API server client signers with the cluster CA, for the
 * subject and key in the request, client auth only.
 */
export function csrSigningReconciler(client: RestClient, informer: Informer, ca: CertificateAuthority) {
  return async function reconcile(name: string): Promise<ReconcileResult> {
    const csr = informer.store.get(name);
    if (!csr || !SIGNERS.has(csr.spec?.signerName) || csr.status?.certificate) return;
    if (!conditionOf(csr, 'Approved') || conditionOf(csr, 'Denied') || conditionOf(csr, 'Failed')) return;
    const parsed = parseCertificateRequest(csr.spec.request);
    const problem = typeof parsed === 'string' || !(await parsed.verify()) ? 'the request does not parse or its signature is wrong' : signerProblem(csr);
    if (problem) {
      const now = rfc3339(Date.now());
      await client.update(CSRS, { ...csr, status: { ...csr.status, conditions: [...csr.status.conditions, { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: problem, lastUpdateTime: now, lastTransitionTime: now }] } }, { subresource: 'status' });
      return;
    }
    if (typeof parsed === 'string') return;
    const seconds = Math.min(csr.spec.expirationSeconds ?? MAX_SECONDS, MAX_SECONDS);
    const publicKey = await parsed.publicKey.export({ name: 'ECDSA', namedCurve: 'P-256' } as EcKeyImportParams, ['verify']).catch(() => parsed.publicKey.export());
    const { certPem } = await issueCertificate(ca, {
      commonName: parsed.subjectName.getField('CN')[0] ?? '',
      organizations: parsed.subjectName.getField('O'),
      usages: ['client'],
      publicKey,
      notAfter: new Date(Date.now() + seconds * 1000),
    });
    await client.update(CSRS, { ...csr, status: { ...csr.status, certificate: Buffer.from(certPem).toString('base64') } }, { subresource: 'status' });
  };
}

/** Runs only with a signing CA (--cluster-signing-cert-file and --cluster-signing-key-file). */
export const csrSigningController: ControllerDescriptor = {
  name: 'certificatesigningrequest-signing-controller', aliases: ['csrsigning'], enabledByDefault: true,
  async create(ctx) {
    const { clusterSigningCertFile: certFile, clusterSigningKeyFile: keyFile } = ctx.options;
    if (!certFile || !keyFile) return [];
    const certPem = readFileSync(certFile, 'utf8');
    const ca = { cert: new x509.X509Certificate(certPem), certPem, key: await importPrivateKey(readFileSync(keyFile, 'utf8')) };
    const informer = ctx.informers.for(CSRS);
    const queue = new WorkQueue<string>();
    enqueueFrom(informer, queue, undefined, { onDelete: false });
    return [{ name: 'csrsigning', queue, reconcile: csrSigningReconciler(ctx.client, informer, ca), workers: workersFor(ctx, 'csrsigning', 1) }];
  },
};
