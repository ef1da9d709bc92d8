import type { Kind, KObject } from '../kind.js';
import { createdAtColumn, nameColumn } from '../printers.js';
import { arr, named, obj, str, type Schema } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { required, type Cause } from '../validation/field-errors.js';
import { pathSegmentName } from '../validation/names.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** A field error whose value is shown the way Go's %#v prints it (kube's wording for lists and structs). */
export function invalidGo(field: string, goValue: string, detail: string): Cause {
  return { reason: 'FieldValueInvalid', field, message: `${field}: Invalid value: ${goValue}: ${detail}` };
}

/** `[]string{"a", "b"}`, as Go prints a string slice. */
export function goStrings(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

const atomicStrings = (description: string): Schema => arr(str(), { listType: 'atomic', description });

/** rbac/v1 PolicyRule, shared by Roles and ClusterRoles. */
export const policyRuleSchema = named('io.k8s.api.rbac.v1.PolicyRule', obj({
  verbs: atomicStrings('Actions the rule allows on every resource it names (get, list, watch, create, update, patch, delete, deletecollection, or special verbs such as bind and escalate); "*" allows them all.'),
  apiGroups: atomicStrings('API groups holding the resources; "" is the core group and "*" any group.'),
  resources: atomicStrings('Resources the rule applies to, e.g. pods, or pods/log for a subresource; "*" is any resource and "*/scale" a subresource of any resource.'),
  resourceNames: atomicStrings('Object names the rule is limited to; empty means any object. Requests that name no object (list, watch, create, deletecollection) are not allowed by a rule that has names.'),
  nonResourceURLs: atomicStrings('URL paths that are not resources (e.g. /healthz, /apis/*), with a trailing "*" matching any suffix. Only in ClusterRoles bound by a ClusterRoleBinding; a rule names either resources or such paths, never both.'),
}, { required: ['verbs'], description: 'One grant of permissions: verbs on resources (or on non-resource paths). It says nothing about who holds it or where.' }));

/** kube's checks of one PolicyRule; namespaced rules (a Role's) may not name non-resource URLs. */
export function validatePolicyRule(rule: KObject, namespaced: boolean, path: string): Cause[] {
  const causes: Cause[] = [];
  const count = (f: string): number => (Array.isArray(rule[f]) ? rule[f].length : 0);
  if (!count('verbs')) causes.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (count('nonResourceURLs')) {
    const urls = goStrings(rule.nonResourceURLs);
    if (namespaced) causes.push(invalidGo(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (count('apiGroups') || count('resources') || count('resourceNames')) {
      causes.push(invalidGo(`${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return causes;
  }
  if (!count('apiGroups')) causes.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!count('resources')) causes.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return causes;
}

export function validateRules(rules: KObject[] | undefined, namespaced: boolean): Cause[] {
  return (rules ?? []).flatMap((rule, i) => validatePolicyRule(rule ?? {}, namespaced, `rules[${i}]`));
}

export const role: Kind = {
  group: RBAC_GROUP, version: 'v1', kind: 'Role', plural: 'roles', singular: 'role',
  namespaced: true,
  schema: named('io.k8s.api.rbac.v1.Role', obj({
    ...typeMeta,
    rules: arr(policyRuleSchema, { listType: 'atomic', description: 'The permissions the role grants, in its own namespace.' }),
  }, { description: 'A named set of permissions within one namespace, granted to subjects by RoleBindings there.', gvk: { group: RBAC_GROUP, version: 'v1', kind: 'Role' } })),
  // RBAC object names are path segments, so names such as system:leader-locking are valid.
  nameRule: pathSegmentName,
  validate: (r) => validateRules(r.rules, true),
  columns: [nameColumn, createdAtColumn],
};
