import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { Kind, KObject } from '../kind.js';
import { ageColumn, humanDuration, nameColumn } from '../printers.js';
import { arr, enumOf, int32, map, named, obj, str, time } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { deepEqual } from '../deep-equal.js';
import { now } from '../time.js';
import { invalid, notSupported, required, type Cause } from '../validation/field-errors.js';

/**
 * Conditions written without times get them, as kube's CSR strategies stamp
 * them: lastUpdateTime now, lastTransitionTime carried over while the
 * condition keeps its status and now when it is new or changed
 * (`kubectl certificate approve` sends only lastUpdateTime).
 */
function stampConditions(csr: KObject, old: KObject): void {
  const at = now();
  for (const c of csr.status?.conditions ?? []) {
    c.lastUpdateTime ??= at;
    if (c.lastTransitionTime) continue;
    const before = (old.status?.conditions ?? []).find((o: KObject) => o.type === c.type);
    c.lastTransitionTime = before?.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : at;
  }
}

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

const USAGES = ['signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign',
  'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system',
  'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc'];
const CONDITION_TYPES = ['Approved', 'Denied', 'Failed'];

/** The PKCS#10 request in spec.request (base64 of PEM), or why it is not one. */
export function parseCertificateRequest(request: unknown): x509.Pkcs10CertificateRequest | string {
  if (typeof request !== 'string' || !request) return 'PEM block type must be CERTIFICATE REQUEST';
  const pem = Buffer.from(request, 'base64').toString();
  const m = /-----BEGIN CERTIFICATE REQUEST-----([\s\S]*?)-----END CERTIFICATE REQUEST-----/.exec(pem);
  if (!m) return 'PEM block type must be CERTIFICATE REQUEST';
  try {
    return new x509.Pkcs10CertificateRequest(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  } catch {
    return 'asn1: structure error: the CERTIFICATE REQUEST block is not a PKCS#10 request';
  }
}

/** The condition of a type, if the CSR has it. */
export const conditionOf = (csr: KObject, type: string): KObject | undefined =>
  (csr.status?.conditions ?? []).find((c: KObject) => c.type === type && c.status !== 'False');

function validate(csr: KObject, old?: KObject): Cause[] {
  const causes: Cause[] = [];
  const spec: KObject = csr.spec ?? {};
  if (!old) {
    const parsed = parseCertificateRequest(spec.request);
    if (typeof parsed === 'string') causes.push(invalid('spec.request', '<request>', parsed));
  }
  if (!spec.signerName) causes.push(required('spec.signerName'));
  else if (!/^[a-z0-9.-]+\/[A-Za-z0-9._~/-]+$/.test(spec.signerName)) causes.push(invalid('spec.signerName', spec.signerName, 'must be a fully qualified domain and path of the form \'example.com/signer-name\''));
  if (!old && !(spec.usages ?? []).length) causes.push(required('spec.usages'));
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds < 600) causes.push(invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  (spec.usages ?? []).forEach((u: string, i: number) => {
    if (!USAGES.includes(u)) causes.push(notSupported(`spec.usages[${i}]`, u, USAGES));
  });
  const seen = new Set<string>();
  for (const c of csr.status?.conditions ?? []) {
    if (!CONDITION_TYPES.includes(c.type) && !c.type) causes.push(required('status.conditions[].type'));
    if (c.type === 'Approved' || c.type === 'Denied') {
      if (seen.has(c.type)) causes.push(invalid('status.conditions', c.type, 'duplicate condition'));
      seen.add(c.type);
    }
  }
  if (conditionOf(csr, 'Approved') && conditionOf(csr, 'Denied')) causes.push(invalid('status.conditions', 'Approved', 'Approved and Denied conditions are mutually exclusive'));
  if (old) {
    if (!deepEqual(spec, old.spec ?? {})) causes.push(invalid('spec', '', 'field is immutable'));
    for (const type of ['Approved', 'Denied']) {
      if (conditionOf(old, type) && !conditionOf(csr, type)) causes.push(invalid('status.conditions', type, `updates may not remove a condition of type "${type}"`));
    }
    if (old.status?.certificate && csr.status?.certificate !== old.status.certificate) causes.push(invalid('status.certificate', '', 'updates may not modify existing certificate content'));
  }
  if (csr.status?.certificate) {
    if (!conditionOf(csr, 'Approved')) causes.push(invalid('status.certificate', '', 'certificate may only be set once the request is Approved'));
    const text = Buffer.from(csr.status.certificate, 'base64').toString();
    if (!text.includes('-----BEGIN CERTIFICATE-----')) causes.push(invalid('status.certificate', '<certificate data>', 'must contain at least one CERTIFICATE PEM block'));
  }
  return causes;
}

function conditionColumn(csr: KObject): string {
  const types = (csr.status?.conditions ?? []).filter((c: KObject) => c.status !== 'False').map((c: KObject) => c.type as string);
  if (csr.status?.certificate && types.includes('Approved')) types.push('Issued');
  return types.length ? types.join(',') : 'Pending';
}

export const certificateSigningRequest: Kind = {
  group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', singular: 'certificatesigningrequest',
  shortNames: ['csr'],
  namespaced: false,
  subresources: { status: true, approval: true },
  schema: named('io.k8s.api.certificates.v1.CertificateSigningRequest', obj({
    ...typeMeta,
    spec: named('io.k8s.api.certificates.v1.CertificateSigningRequestSpec', obj({
      request: str('Base64 of a PEM-encoded PKCS#10 certificate request.', { format: 'byte' }),
      signerName: str('The signer asked to sign, e.g. kubernetes.io/kube-apiserver-client-kubelet.'),
      expirationSeconds: int32('The requested validity of the certificate, at least 600 seconds.'),
      usages: arr(enumOf(USAGES), { description: 'Key usages requested in the certificate.' }),
      username: str('Who created the request; set by the API server.'),
      uid: str('The uid of who created the request; set by the API server.'),
      groups: arr(str(), { description: 'The groups of who created the request; set by the API server.' }),
      extra: map(arr(str()), 'Extra attributes of who created the request; set by the API server.'),
    }, { required: ['request', 'signerName'], description: 'The certificate request and who made it. Immutable.' })),
    status: named('io.k8s.api.certificates.v1.CertificateSigningRequestStatus', obj({
      conditions: arr(named('io.k8s.api.certificates.v1.CertificateSigningRequestCondition', obj({
        type: str('Approved, Denied or Failed.'),
        status: str('True, False or Unknown.'),
        reason: str('A brief reason.'),
        message: str('A human readable message.'),
        lastUpdateTime: time('When the condition was last updated.'),
        lastTransitionTime: time('When the condition last changed status.'),
      }, { required: ['type', 'status'] })), { description: 'Approval and failure conditions.' }),
      certificate: str('Base64 of the issued PEM certificate, set by the signer once approved.', { format: 'byte' }),
    }, { description: 'Whether the request was approved, and the certificate issued.' })),
  }, { required: ['spec'], description: 'A request for a certificate from a named signer.' })),
  prepareForCreate(csr) {
    delete csr.status;
  },
  prepareForUpdate(csr, old, subresource) {
    // The spec never changes after create; updates to it are dropped, as kube's strategy drops them.
    csr.spec = old.spec;
    // Approved and Denied change only through /approval; everything else in status only through /status.
    const decided = (c: KObject) => c.type === 'Approved' || c.type === 'Denied';
    const conditions = (o: KObject, keep: (c: KObject) => boolean): KObject[] => (o.status?.conditions ?? []).filter(keep);
    if (subresource === 'approval') {
      csr.status = { ...(old.status ?? {}), conditions: [...conditions(old, (c) => !decided(c)), ...conditions(csr, decided)] };
    } else if (subresource === 'status') {
      csr.status = { ...(csr.status ?? {}), conditions: [...conditions(old, decided), ...conditions(csr, (c) => !decided(c))] };
    }
    stampConditions(csr, old);
  },
  validate,
  columns: [
    nameColumn,
    ageColumn,
    { name: 'SignerName', type: 'string', description: 'The signer asked to sign.', priority: 0, cell: (o) => o.spec?.signerName ?? '' },
    { name: 'Requestor', type: 'string', description: 'Who made the request.', priority: 0, cell: (o) => o.spec?.username ?? '' },
    { name: 'RequestedDuration', type: 'string', description: 'The requested validity.', priority: 0, cell: (o) => (o.spec?.expirationSeconds ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>') },
    { name: 'Condition', type: 'string', description: 'Pending, Approved, Denied or Issued.', priority: 0, cell: conditionColumn },
  ],
};
