import type { Kind, KObject } from '../kind.js';
import { createdAtColumn, nameColumn } from '../printers.js';
import { arr, named, obj } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { labelSelectorSchema, validateLabelSelector } from '../label-selector-schema.js';
import { required, type Cause } from '../validation/field-errors.js';
import { pathSegmentName } from '../validation/names.js';
import { policyRuleSchema, RBAC_GROUP, validateRules } from './role.js';

function validateClusterRole(cr: KObject): Cause[] {
  const causes = validateRules(cr.rules, false);
  const rule = cr.aggregationRule;
  if (rule && typeof rule === 'object') {
    const selectors: KObject[] = rule.clusterRoleSelectors ?? [];
    if (!selectors.length) causes.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => causes.push(...validateLabelSelector(`aggregationRule.clusterRoleSelectors[${i}]`, s ?? {})));
  }
  return causes;
}

export const clusterRole: Kind = {
  group: RBAC_GROUP, version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole',
  namespaced: false,
  schema: named('io.k8s.api.rbac.v1.ClusterRole', obj({
    ...typeMeta,
    rules: arr(policyRuleSchema, { listType: 'atomic', description: 'The permissions the role grants: cluster-wide through a ClusterRoleBinding, or in one namespace through a RoleBinding.' }),
    aggregationRule: named('io.k8s.api.rbac.v1.AggregationRule', obj({
      clusterRoleSelectors: arr(labelSelectorSchema, { listType: 'atomic', description: 'Label selectors over ClusterRoles whose rules this role gathers; a role matching any of them contributes.' }),
    }, { description: 'Which ClusterRoles an aggregated ClusterRole gathers its rules from.' })),
  }, { description: 'A named set of permissions for the whole cluster, including non-resource paths, granted by ClusterRoleBindings or, within a namespace, by RoleBindings. Skiff stores aggregationRule but does not aggregate: the rules are what is written.', gvk: { group: RBAC_GROUP, version: 'v1', kind: 'ClusterRole' } })),
  nameRule: pathSegmentName,
  validate: validateClusterRole,
  columns: [nameColumn, createdAtColumn],
};
