import type { KObject } from '../../../api/kind.js';
import { conditionOf } from '../../../api/kinds/certificate-signing-request.js';
import type { Attributes, UserAttributes } from '../auth/rbac/attributes.js';

const GROUP = 'certificates.k8s.io';

/**
 * kube's CertificateApproval and CertificateSigning admission: approving or
 * denying a request takes the `approve` verb, and issuing its certificate
 * the `sign` verb, on the `signers` resource named after the request's
 * signer (or `<domain>/*`). Answers why a change is refused, or undefined.
 */
export function signerPermission(
  user: UserAttributes,
  csr: KObject,
  old: KObject | undefined,
  subresource: string | undefined,
  allowed: (attrs: Attributes) => boolean,
): string | undefined {
  const signer: string = old?.spec?.signerName ?? csr.spec?.signerName ?? '';
  const may = (verb: string) => [signer, `${signer.split('/')[0]}/*`].some((name) =>
    allowed({ user, verb, isResourceRequest: true, namespace: '', apiGroup: GROUP, resource: 'signers', name }));
  if (subresource === 'approval') {
    const decided = (o: KObject | undefined) => ['Approved', 'Denied'].filter((t) => o && conditionOf(o, t)).join(',');
    if (decided(csr) !== decided(old) && !may('approve')) return `user not permitted to approve requests with signerName "${signer}"`;
  }
  if (subresource === 'status' && csr.status?.certificate && csr.status.certificate !== old?.status?.certificate && !may('sign')) {
    return `user not permitted to sign requests with signerName "${signer}"`;
  }
  return undefined;
}
