import type { KObject } from '../../../../api/kind.js';

/** Who is asking, as the authenticator reports it (a token file's UserInfo fits). */
export interface UserAttributes {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/**
 * One request as kube's authorizers see it. A resource request names a
 * verb on a resource (get, list, watch, create, update, patch, delete,
 * deletecollection, or a special verb such as bind, escalate, impersonate);
 * any other request (/healthz, /version, /apis) names a path and the
 * lowercase HTTP method.
 */
export interface Attributes {
  user: UserAttributes;
  verb: string;
  isResourceRequest: boolean;
  /** '' for cluster-scoped resources and for namespaced ones across all namespaces. */
  namespace?: string;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  /** '' when the request names no object (list, watch, create, deletecollection). */
  name?: string;
  /** The URL path of a non-resource request. */
  path?: string;
}

/**
 * kube's verb for a resource request: GET/HEAD are get, list or watch, POST
 * is create, PUT update, PATCH patch, DELETE delete or deletecollection
 * (without a name); other methods keep their lowercase name.
 */
export function resourceVerb(method: string, opts: { name?: string; watch?: boolean } = {}): string {
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      if (opts.watch) return 'watch';
      return opts.name ? 'get' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return opts.name ? 'delete' : 'deletecollection';
    default: return method.toLowerCase();
  }
}

/** The username a service account's token authenticates as. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * The attributes an access review asks about: a SelfSubjectAccessReview's
 * for the requesting user, a SubjectAccessReview's for `spec.user`,
 * `spec.groups`, `spec.uid` and `spec.extra` (pass no `requester` then).
 */
export function reviewAttributes(spec: KObject, requester?: UserAttributes): Attributes {
  const user: UserAttributes = requester ?? {
    name: spec.user ?? '', uid: spec.uid, groups: [...(spec.groups ?? [])], extra: spec.extra,
  };
  const r = spec.resourceAttributes;
  if (r && typeof r === 'object') {
    return {
      user, verb: r.verb ?? '', isResourceRequest: true, namespace: r.namespace ?? '', apiGroup: r.group ?? '',
      apiVersion: r.version ?? '', resource: r.resource ?? '', subresource: r.subresource ?? '', name: r.name ?? '',
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { user, verb: n.verb ?? '', isResourceRequest: false, path: n.path ?? '' };
}
