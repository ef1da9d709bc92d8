// Protobuf field-number tables for k8s.io/api certificates/v1 (CSRs) and authentication/v1 (TokenRequest).
// Facts transcribed from the upstream generated.proto definitions (see field-table.ts for provenance).
import type { MessageTable } from './field-table.js';

export const certificatesMessages: Record<string, MessageTable> = {
  'certificates.CertificateSigningRequest': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'certificates.CertificateSigningRequestSpec' } },
    3: { name: 'status', type: { message: 'certificates.CertificateSigningRequestStatus' } },
  },
  'certificates.CertificateSigningRequestList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'certificates.CertificateSigningRequest' }, repeated: true },
  },
  'certificates.CertificateSigningRequestSpec': {
    1: { name: 'request', type: 'bytes', always: true },
    2: { name: 'username', type: 'string' },
    3: { name: 'uid', type: 'string' },
    4: { name: 'groups', type: 'string', repeated: true },
    5: { name: 'usages', type: 'string', repeated: true },
    6: { name: 'extra', type: { map: ['string', { message: 'certificates.ExtraValue' }] } },
    7: { name: 'signerName', type: 'string', always: true },
    8: { name: 'expirationSeconds', type: 'int32', pointer: true },
  },
  'certificates.CertificateSigningRequestStatus': {
    1: { name: 'conditions', type: { message: 'certificates.CertificateSigningRequestCondition' }, repeated: true },
    2: { name: 'certificate', type: 'bytes' },
  },
  'certificates.CertificateSigningRequestCondition': {
    1: { name: 'type', type: 'string', always: true },
    2: { name: 'reason', type: 'string' },
    3: { name: 'message', type: 'string' },
    4: { name: 'lastUpdateTime', type: { message: 'meta.Time' } },
    5: { name: 'lastTransitionTime', type: { message: 'meta.Time' } },
    6: { name: 'status', type: 'string', always: true },
  },
  // A Go `[]string` type: in JSON the bare list (see LIST_WRAPPERS).
  'certificates.ExtraValue': {
    1: { name: 'items', type: 'string', repeated: true },
  },
  'authentication.SelfSubjectReview': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'status', type: { message: 'authentication.SelfSubjectReviewStatus' } },
  },
  'authentication.SelfSubjectReviewStatus': {
    1: { name: 'userInfo', type: { message: 'authentication.UserInfo' } },
  },
  'authentication.UserInfo': {
    1: { name: 'username', type: 'string' },
    2: { name: 'uid', type: 'string' },
    3: { name: 'groups', type: 'string', repeated: true },
    4: { name: 'extra', type: { map: ['string', { message: 'authentication.ExtraValue' }] } },
  },
  // A Go `[]string` type: in JSON the bare list (see LIST_WRAPPERS).
  'authentication.ExtraValue': {
    1: { name: 'items', type: 'string', repeated: true },
  },
  'authentication.TokenRequest': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'authentication.TokenRequestSpec' } },
    3: { name: 'status', type: { message: 'authentication.TokenRequestStatus' } },
  },
  'authentication.TokenRequestSpec': {
    1: { name: 'audiences', type: 'string', repeated: true },
    3: { name: 'boundObjectRef', type: { message: 'authentication.BoundObjectReference' } },
    4: { name: 'expirationSeconds', type: 'int64', pointer: true },
  },
  'authentication.BoundObjectReference': {
    1: { name: 'kind', type: 'string' },
    2: { name: 'apiVersion', type: 'string' },
    3: { name: 'name', type: 'string' },
    4: { name: 'uid', type: 'string' },
  },
  'authentication.TokenRequestStatus': {
    1: { name: 'token', type: 'string', always: true },
    2: { name: 'expirationTimestamp', type: { message: 'meta.Time' } },
  },
};
