import type { KObject } from '../../../../api/kind.js';
import { deepEqual } from '../../../../api/deep-equal.js';
import { RBAC_GROUP } from '../../../../api/kinds/role.js';
import type { UserAttributes } from './attributes.js';
import type { RbacAuthorizer, RoleRef } from './authorizer.js';
import { compactRules, compactString, covers, goQuotedList } from './covers.js';
import type { PolicyRule } from './rule-matching.js';

/** Members of this group may grant anything: the API server's own loopback clients are in it. */
export const PRIVILEGED_GROUP = 'system:masters';

/** Setting an aggregationRule can gather any permission, so it takes all of them. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const RESOURCE_OF: Record<string, string> = { Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' };

/**
 * kube's message for rules the user does not hold, or undefined when the
 * user's own rules in `namespace` ('' for cluster-wide) cover them.
 */
function confirmNoEscalation(authorizer: RbacAuthorizer, user: UserAttributes, namespace: string, rules: PolicyRule[]): string | undefined {
  const owned = authorizer.rulesFor(user, namespace);
  const { covered, missing } = covers(owned.rules, rules);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${goQuotedList(user.groups ?? [])}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (owned.errors.length) msg += `; resolution errors: [${owned.errors.join(' ')}]`;
  return msg;
}

const hasAggregationRule = (role: KObject): boolean => (role.aggregationRule?.clusterRoleSelectors ?? []).length > 0;

/** Only owner references and finalizers changed: what the garbage collector does, which needs no check. */
function onlyGarbageCollectorFields(obj: KObject, old: KObject): boolean {
  const strip = (o: KObject): KObject => {
    const { ownerReferences: _o, finalizers: _f, resourceVersion: _r, managedFields: _m, ...meta } = o.metadata ?? {};
    return { ...o, metadata: meta };
  };
  return deepEqual(strip(obj), strip(old));
}

/**
 * kube's privilege-escalation check for writes of RBAC objects, run after
 * the request itself was authorized. A user may create or update a Role or
 * ClusterRole only with rules they already hold (in the role's namespace,
 * or cluster-wide), unless they may `escalate` on it; and a RoleBinding or
 * ClusterRoleBinding only to a role whose rules they hold where the binding
 * applies, unless they may `bind` that role. Members of system:masters are
 * never checked. Answers undefined when the write may go ahead, or the
 * message of the Forbidden error (without kube's `<resource> "<name>" is
 * forbidden: ` prefix).
 *
 * `kind` defaults to the object's kind and `namespace` to its namespace;
 * pass `old` on update (changes only the garbage collector makes pass; an
 * aggregationRule on either side needs full authority, as in kube).
 */
export function checkEscalation(
  authorizer: RbacAuthorizer,
  user: UserAttributes,
  obj: KObject,
  opts: { kind?: string; namespace?: string; old?: KObject } = {},
): string | undefined {
  const kind = opts.kind ?? obj.kind;
  const resource = RESOURCE_OF[kind];
  if (!resource) return undefined;
  if ((user.groups ?? []).includes(PRIVILEGED_GROUP)) return undefined;
  if (opts.old && onlyGarbageCollectorFields(obj, opts.old)) return undefined;
  const namespaced = kind === 'Role' || kind === 'RoleBinding';
  const namespace = namespaced ? opts.namespace ?? obj.metadata?.namespace ?? '' : '';
  // Both special verbs are asked where the object lives: its namespace, or cluster-wide.
  const may = (verb: string, res: string, name: string): boolean => authorizer.authorize({
    user, verb, isResourceRequest: true, namespace, apiGroup: RBAC_GROUP, apiVersion: '*', resource: res, name,
  }).allowed;

  if (kind === 'Role' || kind === 'ClusterRole') {
    // kube asks with the name from the URL, which a create does not have.
    if (may('escalate', resource, opts.old ? obj.metadata?.name ?? '' : '')) return undefined;
    const denied = confirmNoEscalation(authorizer, user, namespace, Array.isArray(obj.rules) ? obj.rules : []);
    if (denied) return denied;
    // Aggregation can gather anything, and dropping it can stop a role from tightening: setting,
    // keeping or removing one takes every permission.
    const aggregates = hasAggregationRule(obj) || (opts.old !== undefined && hasAggregationRule(opts.old));
    if (kind === 'ClusterRole' && aggregates && confirmNoEscalation(authorizer, user, '', FULL_AUTHORITY)) {
      return 'must have cluster-admin privileges to use the aggregationRule';
    }
    return undefined;
  }

  const ref: RoleRef = obj.roleRef ?? {};
  const refResource = ref.kind === 'ClusterRole' ? 'clusterroles' : ref.kind === 'Role' ? 'roles' : undefined;
  if (refResource && may('bind', refResource, ref.name ?? '')) return undefined;
  const target = authorizer.roleRefRules(ref, namespace);
  if ('error' in target) return target.error;
  return confirmNoEscalation(authorizer, user, namespace, target.rules);
}
