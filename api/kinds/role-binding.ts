import type { Column, Kind, KObject } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { arr, named, obj, str } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { notSupported, required, type Cause } from '../validation/field-errors.js';
import { dns1123Subdomain, pathSegmentName } from '../validation/names.js';
import { invalidGo, RBAC_GROUP } from './role.js';

export const subjectSchema = named('io.k8s.api.rbac.v1.Subject', obj({
  kind: str('What the subject is: User, Group or ServiceAccount.'),
  apiGroup: str('API group of the subject\'s kind: "" for ServiceAccount (the default there), rbac.authorization.k8s.io for User and Group (their default).'),
  name: str('Name of the user, group or service account.'),
  namespace: str('Namespace of a ServiceAccount; a RoleBinding defaults it to its own namespace. Must be empty for users and groups.'),
}, { required: ['kind', 'name'], description: 'Who a binding grants its role to: a user, a group or a service account.' }));

export const roleRefSchema = named('io.k8s.api.rbac.v1.RoleRef', obj({
  apiGroup: str('API group of the role: rbac.authorization.k8s.io (the default).'),
  kind: str('Role or ClusterRole.'),
  name: str('Name of the role.'),
}, { required: ['apiGroup', 'kind', 'name'], description: 'The role a binding grants.' }));

const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

/** rbac/v1 defaulting: roleRef and user/group subjects name the RBAC group unless told otherwise. */
export function defaultBinding(b: KObject): void {
  b.roleRef = b.roleRef && typeof b.roleRef === 'object' ? b.roleRef : {};
  if (!b.roleRef.apiGroup) b.roleRef.apiGroup = RBAC_GROUP;
  for (const s of b.subjects ?? []) {
    if (s && typeof s === 'object' && !s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
  }
}

export function validateSubject(s: KObject, namespaced: boolean, path: string): Cause[] {
  const causes: Cause[] = [];
  const name: string = s.name ?? '';
  if (!name) causes.push(required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) causes.push(...dns1123Subdomain(`${path}.name`, name));
      if (s.apiGroup) causes.push(notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) causes.push(required(`${path}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) causes.push(notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      causes.push(notSupported(`${path}.kind`, s.kind ?? '', SUBJECT_KINDS));
  }
  return causes;
}

const sameRoleRef = (a: KObject | undefined, b: KObject | undefined): boolean =>
  (a?.apiGroup ?? '') === (b?.apiGroup ?? '') && (a?.kind ?? '') === (b?.kind ?? '') && (a?.name ?? '') === (b?.name ?? '');

const goRoleRef = (r: KObject | undefined): string =>
  `rbac.RoleRef{APIGroup:${JSON.stringify(r?.apiGroup ?? '')}, Kind:${JSON.stringify(r?.kind ?? '')}, Name:${JSON.stringify(r?.name ?? '')}}`;

/**
 * kube's checks of a binding: a RoleBinding may reference a Role or a
 * ClusterRole, a ClusterRoleBinding only a ClusterRole; the roleRef never
 * changes once the binding exists.
 */
export function validateBinding(b: KObject, namespaced: boolean, old?: KObject): Cause[] {
  const causes: Cause[] = [];
  const ref: KObject = b.roleRef ?? {};
  if (ref.apiGroup !== RBAC_GROUP) causes.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) causes.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) causes.push(required('roleRef.name'));
  else causes.push(...pathSegmentName('roleRef.name', ref.name));
  (b.subjects ?? []).forEach((s: KObject, i: number) => causes.push(...validateSubject(s ?? {}, namespaced, `subjects[${i}]`)));
  if (old && !sameRoleRef(ref, old.roleRef)) causes.push(invalidGo('roleRef', goRoleRef(ref), 'cannot change roleRef'));
  return causes;
}

/** Users, groups and service accounts (`namespace/name`) a binding names, as kubectl's wide columns list them. */
export function subjectNames(b: KObject): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const s of (b.subjects ?? []) as KObject[]) {
    if (s?.kind === 'User') out.users.push(s.name ?? '');
    else if (s?.kind === 'Group') out.groups.push(s.name ?? '');
    else if (s?.kind === 'ServiceAccount') out.serviceAccounts.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
  }
  return out;
}

/** NAME ROLE AGE, and with -o wide USERS GROUPS SERVICEACCOUNTS, for both kinds of binding. */
export const bindingColumns: Column[] = [
  nameColumn,
  { name: 'Role', type: 'string', priority: 0, description: 'The role granted, as Kind/name.', cell: (o) => `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}` },
  ageColumn,
  { name: 'Users', type: 'string', priority: 1, description: 'Users the role is granted to.', cell: (o) => subjectNames(o).users.join(', ') },
  { name: 'Groups', type: 'string', priority: 1, description: 'Groups the role is granted to.', cell: (o) => subjectNames(o).groups.join(', ') },
  { name: 'ServiceAccounts', type: 'string', priority: 1, description: 'Service accounts the role is granted to, as namespace/name.', cell: (o) => subjectNames(o).serviceAccounts.join(', ') },
];

export const roleBinding: Kind = {
  group: RBAC_GROUP, version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', singular: 'rolebinding',
  namespaced: true,
  schema: named('io.k8s.api.rbac.v1.RoleBinding', obj({
    ...typeMeta,
    subjects: arr(subjectSchema, { listType: 'atomic', description: 'Who is granted the role.' }),
    roleRef: roleRefSchema,
  }, { required: ['roleRef'], description: 'Grants a Role, or a ClusterRole\'s permissions, to subjects within the binding\'s namespace. roleRef is immutable.', gvk: { group: RBAC_GROUP, version: 'v1', kind: 'RoleBinding' } })),
  nameRule: pathSegmentName,
  defaults: defaultBinding,
  validate: (b, old) => validateBinding(b, true, old),
  columns: bindingColumns,
};
