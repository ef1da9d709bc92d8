import { StatusError } from '../../../api/status.js';
import type { Attributes } from './rbac/attributes.js';

/** kube's 403 for a request the authorizer refused, worded as kube-apiserver words it. */
export function forbiddenRequest(a: Attributes, reason = ''): StatusError {
  const why = reason ? `: ${reason}` : '';
  if (!a.isResourceRequest) return new StatusError(403, 'Forbidden', `forbidden: User "${a.user.name}" cannot ${a.verb} path "${a.path}"${why}`, {});
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource!;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource!;
  const subject = a.name ? `${qualified} "${a.name}" is forbidden` : `${qualified} is forbidden`;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return new StatusError(403, 'Forbidden', `${subject}: User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup ?? ''}" ${scope}${why}`,
    { name: a.name || undefined, group: a.apiGroup || undefined, kind: a.resource });
}
