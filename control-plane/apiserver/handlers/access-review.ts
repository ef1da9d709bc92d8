import { badRequest } from '../../../api/status.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { send } from '../http/respond.js';
import { reviewAttributes, type Attributes } from '../auth/rbac/attributes.js';
import type { Decision } from '../auth/rbac/authorizer.js';
import type { PolicyRule } from '../auth/rbac/rule-matching.js';
import { invalid } from '../../../api/status.js';
import { apiVersionOf } from '../../../api/kind.js';
import type { RequestContext } from './context.js';

/**
 * POST of a SelfSubjectAccessReview (`kubectl auth can-i`) or a
 * SubjectAccessReview: nothing is stored; the authorizer answers whether
 * the subject may do what the spec describes, in the returned status.
 */
/** The rules a user holds in a namespace, for a SelfSubjectRulesReview; undefined without RBAC (everything is allowed). */
export type RulesFor = (user: RequestContext['userInfo'], namespace: string) => { rules: PolicyRule[]; errors: string[] } | undefined;

export async function accessReview(ctx: RequestContext, authorize: (attrs: Attributes) => Decision, rulesFor: RulesFor): Promise<void> {
  const kind = ctx.kind;
  const obj = decodeObject(await readBody(ctx.req), mediaType(ctx.req));
  const expected = apiVersionOf(kind);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected) throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
  if (obj.kind !== undefined && obj.kind !== kind.kind) throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${kind.kind})`);
  obj.apiVersion = expected;
  obj.kind = kind.kind;
  kind.prepareForCreate?.(obj);
  const causes = kind.validate?.(obj) ?? [];
  if (causes.length) throw invalid(kind.kind, kind.group, '', causes);
  if (kind.kind === 'SelfSubjectReview') {
    const u = ctx.userInfo;
    obj.metadata = { creationTimestamp: null };
    obj.status = { userInfo: { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) } };
    send(ctx.res, 201, obj, ctx.format === 'yaml' ? 'yaml' : 'json');
    return;
  }
  if (kind.kind === 'SelfSubjectRulesReview') {
    const held = rulesFor(ctx.userInfo, obj.spec?.namespace ?? '') ?? { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], errors: [] };
    const resourceRules = held.rules.filter((r) => r.resources?.length).map((r) => ({
      verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources, ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
    }));
    const nonResourceRules = held.rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
    obj.metadata = { creationTimestamp: null };
    obj.status = { resourceRules, nonResourceRules, incomplete: held.errors.length > 0, ...(held.errors.length ? { evaluationError: held.errors.join('; ') } : {}) };
    send(ctx.res, 201, obj, ctx.format === 'yaml' ? 'yaml' : 'json');
    return;
  }
  const self = kind.kind === 'SelfSubjectAccessReview';
  const attrs = reviewAttributes(obj.spec ?? {}, self ? ctx.userInfo : undefined);
  const decision = authorize(attrs);
  if (self) obj.spec = { ...obj.spec };
  obj.metadata = { ...(obj.metadata ?? {}), creationTimestamp: null };
  obj.status = { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
  send(ctx.res, 201, obj, ctx.format === 'yaml' ? 'yaml' : 'json');
}
