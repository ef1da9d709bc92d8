import type { IncomingMessage } from 'node:http';
import { badRequest } from '../../../api/status.js';
import { forbiddenRequest } from './forbidden.js';
import type { Attributes } from './rbac/attributes.js';
import { withAuthenticatedGroup, type UserInfo } from './user-info.js';

const EXTRA = 'impersonate-extra-';

const headerValues = (req: IncomingMessage, name: string): string[] =>
  (req.headersDistinct?.[name] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

/**
 * kube's user impersonation (`kubectl --as`, `--as-group`): the
 * Impersonate-User, -Group, -Uid and -Extra-* headers make the request run
 * as someone else, if the caller may `impersonate` each of them. Answers the
 * user the request runs as (the caller when nothing is asked).
 */
export function impersonate(req: IncomingMessage, caller: UserInfo, allowed: (a: Attributes) => boolean): UserInfo {
  const name = req.headers['impersonate-user'];
  const groups = headerValues(req, 'impersonate-group');
  const uid = req.headers['impersonate-uid'];
  const extraKeys = Object.keys(req.headers).filter((h) => h.startsWith(EXTRA));
  if (name === undefined) {
    if (groups.length || uid !== undefined || extraKeys.length) throw badRequest('requested impersonation of groups, a uid or extras without impersonating a user');
    return caller;
  }
  if (typeof name !== 'string' || !name) throw badRequest('Impersonate-User must name a user');
  const check = (verb: string, resource: string, target: string, opts: { namespace?: string; apiGroup?: string; subresource?: string } = {}) => {
    const a: Attributes = { user: caller, verb, isResourceRequest: true, namespace: opts.namespace ?? '', apiGroup: opts.apiGroup ?? '', resource, subresource: opts.subresource ?? '', name: target };
    if (!allowed(a)) throw forbiddenRequest(a);
  };
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
  if (sa) check('impersonate', 'serviceaccounts', sa[2], { namespace: sa[1] });
  else check('impersonate', 'users', name);
  for (const g of groups) check('impersonate', 'groups', g);
  if (typeof uid === 'string') check('impersonate', 'uids', uid, { apiGroup: 'authentication.k8s.io' });
  const extra: Record<string, string[]> = {};
  for (const header of extraKeys) {
    let key: string;
    try {
      key = decodeURIComponent(header.slice(EXTRA.length));
    } catch {
      throw badRequest(`${header} is not a valid percent-encoded extra key`);
    }
    const values = headerValues(req, header);
    for (const v of values) check('impersonate', 'userextras', v, { apiGroup: 'authentication.k8s.io', subresource: key });
    extra[key] = values;
  }
  const impliedGroups = sa && !groups.length ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : [];
  const user: UserInfo = { name, uid: typeof uid === 'string' ? uid : '', groups: [...groups, ...impliedGroups], ...(extraKeys.length ? { extra } : {}) };
  return name === 'system:anonymous' ? { ...user, groups: [...user.groups, 'system:unauthenticated'] } : withAuthenticatedGroup(user);
}
