import { decodeObject, mediaType, readBody } from '../http/body.js';
import { send } from '../http/respond.js';
import { reviewAttributes, type Attributes } from '../auth/rbac/attributes.js';
import type { Decision } from '../auth/rbac/authorizer.js';
import type { PolicyRule } from '../auth/rbac/rule-matching.js';
import { invalid } from '../../../api/status.js';
import type { KObject } from '../../../api/kind.js';
import type { UserInfo } from '../auth/user-info.js';
import { admitShape } from './decode.js';
import type { RequestContext } from './context.js';

/**
 * POST of a review (`kubectl auth can-i`, `can-i --list`, `auth whoami`,
 * or a SubjectAccessReview): nothing is stored; the server answers in the
 * returned object's status what the caller (or the named subject) may do,
 * or who the caller is.
 */
/** The rules a user holds in a namespace, for a SelfSubjectRulesReview; undefined without RBAC (everything is allowed). */
export type RulesFor = (user: RequestContext['userInfo'], namespace: string) => { rules: PolicyRule[]; errors: string[] } | undefined;

export async function accessReview(ctx: RequestContext, authorize: (attrs: Attributes) => Decision, rulesFor: RulesFor): Promise<void> {
  const { kind } = ctx;
  const obj = admitShape(ctx, decodeObject(await readBody(ctx.req), mediaType(ctx.req)));
  kind.prepareForCreate?.(obj);
  const causes = kind.validate?.(obj) ?? [];
  if (causes.length) throw invalid(kind.kind, kind.group, '', causes);
  obj.metadata = { creationTimestamp: null };
  obj.status = answer(kind.kind, obj.spec ?? {}, ctx.userInfo, authorize, rulesFor);
  send(ctx.res, 201, obj, ctx.format === 'yaml' ? 'yaml' : 'json');
}

/** The status a review is answered with. */
function answer(kind: string, spec: KObject, user: UserInfo, authorize: (attrs: Attributes) => Decision, rulesFor: RulesFor): KObject {
  switch (kind) {
    case 'SelfSubjectReview':
      return { userInfo: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) } };
    case 'SelfSubjectRulesReview': {
      const held = rulesFor(user, spec.namespace ?? '') ?? { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], errors: [] };
      const resourceRules = held.rules.filter((r) => r.resources?.length).map((r) => ({
        verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources, ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
      }));
      const nonResourceRules = held.rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
      return { resourceRules, nonResourceRules, incomplete: held.errors.length > 0, ...(held.errors.length ? { evaluationError: held.errors.join('; ') } : {}) };
    }
    default: {
      const decision = authorize(reviewAttributes(spec, kind === 'SelfSubjectAccessReview' ? user : undefined));
      return { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
    }
  }
}
