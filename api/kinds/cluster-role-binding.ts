import type { Kind } from '../kind.js';
import { arr, named, obj } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { pathSegmentName } from '../validation/names.js';
import { RBAC_GROUP } from './role.js';
import { bindingColumns, defaultBinding, roleRefSchema, subjectSchema, validateBinding } from './role-binding.js';

export const clusterRoleBinding: Kind = {
  group: RBAC_GROUP, version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', singular: 'clusterrolebinding',
  namespaced: false,
  schema: named('io.k8s.api.rbac.v1.ClusterRoleBinding', obj({
    ...typeMeta,
    subjects: arr(subjectSchema, { listType: 'atomic', description: 'Who is granted the role; service accounts must name their namespace.' }),
    roleRef: roleRefSchema,
  }, { required: ['roleRef'], description: 'Grants a ClusterRole to subjects across the whole cluster. roleRef is immutable.', gvk: { group: RBAC_GROUP, version: 'v1', kind: 'ClusterRoleBinding' } })),
  nameRule: pathSegmentName,
  defaults: defaultBinding,
  validate: (b, old) => validateBinding(b, false, old),
  columns: bindingColumns,
};
