// Protobuf field-number tables for k8s.io/api rbac/v1 and authorization/v1 (28 messages).
// Facts transcribed from the upstream generated.proto definitions (see field-table.ts for provenance).
import type { MessageTable } from './field-table.js';

export const authzMessages: Record<string, MessageTable> = {
  'rbac.AggregationRule': {
    1: { name: 'clusterRoleSelectors', type: { message: 'meta.LabelSelector' }, repeated: true },
  },
  'rbac.ClusterRole': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'rules', type: { message: 'rbac.PolicyRule' }, repeated: true },
    3: { name: 'aggregationRule', type: { message: 'rbac.AggregationRule' } },
  },
  'rbac.ClusterRoleBinding': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'subjects', type: { message: 'rbac.Subject' }, repeated: true },
    3: { name: 'roleRef', type: { message: 'rbac.RoleRef' } },
  },
  'rbac.ClusterRoleBindingList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'rbac.ClusterRoleBinding' }, repeated: true },
  },
  'rbac.ClusterRoleList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'rbac.ClusterRole' }, repeated: true },
  },
  'rbac.PolicyRule': {
    1: { name: 'verbs', type: 'string', repeated: true },
    2: { name: 'apiGroups', type: 'string', repeated: true },
    3: { name: 'resources', type: 'string', repeated: true },
    4: { name: 'resourceNames', type: 'string', repeated: true },
    5: { name: 'nonResourceURLs', type: 'string', repeated: true },
  },
  'rbac.Role': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'rules', type: { message: 'rbac.PolicyRule' }, repeated: true },
  },
  'rbac.RoleBinding': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'subjects', type: { message: 'rbac.Subject' }, repeated: true },
    3: { name: 'roleRef', type: { message: 'rbac.RoleRef' } },
  },
  'rbac.RoleBindingList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'rbac.RoleBinding' }, repeated: true },
  },
  'rbac.RoleList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'rbac.Role' }, repeated: true },
  },
  'rbac.RoleRef': {
    1: { name: 'apiGroup', type: 'string', always: true },
    2: { name: 'kind', type: 'string', always: true },
    3: { name: 'name', type: 'string', always: true },
  },
  'rbac.Subject': {
    1: { name: 'kind', type: 'string', always: true },
    2: { name: 'apiGroup', type: 'string' },
    3: { name: 'name', type: 'string', always: true },
    4: { name: 'namespace', type: 'string' },
  },
  // A Go `[]string` type: in JSON the bare list (see LIST_WRAPPERS).
  'authorization.ExtraValue': {
    1: { name: 'items', type: 'string', repeated: true },
  },
  'authorization.FieldSelectorAttributes': {
    1: { name: 'rawSelector', type: 'string' },
    2: { name: 'requirements', type: { message: 'meta.FieldSelectorRequirement' }, repeated: true },
  },
  'authorization.LabelSelectorAttributes': {
    1: { name: 'rawSelector', type: 'string' },
    2: { name: 'requirements', type: { message: 'meta.LabelSelectorRequirement' }, repeated: true },
  },
  'authorization.LocalSubjectAccessReview': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'authorization.SubjectAccessReviewSpec' } },
    3: { name: 'status', type: { message: 'authorization.SubjectAccessReviewStatus' } },
  },
  'authorization.NonResourceAttributes': {
    1: { name: 'path', type: 'string' },
    2: { name: 'verb', type: 'string' },
  },
  'authorization.NonResourceRule': {
    1: { name: 'verbs', type: 'string', repeated: true },
    2: { name: 'nonResourceURLs', type: 'string', repeated: true },
  },
  'authorization.ResourceAttributes': {
    1: { name: 'namespace', type: 'string' },
    2: { name: 'verb', type: 'string' },
    3: { name: 'group', type: 'string' },
    4: { name: 'version', type: 'string' },
    5: { name: 'resource', type: 'string' },
    6: { name: 'subresource', type: 'string' },
    7: { name: 'name', type: 'string' },
    8: { name: 'fieldSelector', type: { message: 'authorization.FieldSelectorAttributes' } },
    9: { name: 'labelSelector', type: { message: 'authorization.LabelSelectorAttributes' } },
  },
  'authorization.ResourceRule': {
    1: { name: 'verbs', type: 'string', repeated: true },
    2: { name: 'apiGroups', type: 'string', repeated: true },
    3: { name: 'resources', type: 'string', repeated: true },
    4: { name: 'resourceNames', type: 'string', repeated: true },
  },
  'authorization.SelfSubjectAccessReview': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'authorization.SelfSubjectAccessReviewSpec' } },
    3: { name: 'status', type: { message: 'authorization.SubjectAccessReviewStatus' } },
  },
  'authorization.SelfSubjectAccessReviewSpec': {
    1: { name: 'resourceAttributes', type: { message: 'authorization.ResourceAttributes' } },
    2: { name: 'nonResourceAttributes', type: { message: 'authorization.NonResourceAttributes' } },
  },
  'authorization.SelfSubjectRulesReview': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'authorization.SelfSubjectRulesReviewSpec' } },
    3: { name: 'status', type: { message: 'authorization.SubjectRulesReviewStatus' } },
  },
  'authorization.SelfSubjectRulesReviewSpec': {
    1: { name: 'namespace', type: 'string' },
  },
  'authorization.SubjectAccessReview': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'authorization.SubjectAccessReviewSpec' } },
    3: { name: 'status', type: { message: 'authorization.SubjectAccessReviewStatus' } },
  },
  'authorization.SubjectAccessReviewSpec': {
    1: { name: 'resourceAttributes', type: { message: 'authorization.ResourceAttributes' } },
    2: { name: 'nonResourceAttributes', type: { message: 'authorization.NonResourceAttributes' } },
    3: { name: 'user', type: 'string' },
    4: { name: 'groups', type: 'string', repeated: true },
    5: { name: 'extra', type: { map: ['string', { message: 'authorization.ExtraValue' }] } },
    6: { name: 'uid', type: 'string' },
  },
  'authorization.SubjectAccessReviewStatus': {
    1: { name: 'allowed', type: 'bool', always: true },
    2: { name: 'reason', type: 'string' },
    3: { name: 'evaluationError', type: 'string' },
    4: { name: 'denied', type: 'bool' },
  },
  'authorization.SubjectRulesReviewStatus': {
    1: { name: 'resourceRules', type: { message: 'authorization.ResourceRule' }, repeated: true },
    2: { name: 'nonResourceRules', type: { message: 'authorization.NonResourceRule' }, repeated: true },
    3: { name: 'incomplete', type: 'bool', always: true },
    4: { name: 'evaluationError', type: 'string' },
  },
};
