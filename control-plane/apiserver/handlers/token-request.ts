import type { KObject } from '../../../api/kind.js';
import { badRequest, conflict, forbidden, invalid, methodNotAllowed, notFound } from '../../../api/status.js';
import { invalid as invalidValue, notSupported, type Cause } from '../../../api/validation/field-errors.js';
import { rfc3339 } from '../../../api/time.js';
import { decodeObject, mediaType, readBody } from '../http/body.js';
import { send } from '../http/respond.js';
import type { ServiceAccountTokenIssuer } from '../auth/service-account-token.js';
import type { ResourceStore } from '../registry/resource-store.js';
import type { RequestContext } from './context.js';

const DEFAULT_EXPIRATION = 3600;
const MIN_EXPIRATION = 600;
const MAX_EXPIRATION = 2 ** 32;

/** Where bound objects are looked up: pods and secrets in the service account's namespace. */
export type BoundObjects = Record<'Pod' | 'Secret', ResourceStore>;

/**
 * POST serviceaccounts/<name>/token (TokenRequest, what `kubectl create
 * token` sends): a signed, expiring token for the service account,
 * optionally bound to a pod or secret so it dies with it.
 */
export async function tokenRequest(ctx: RequestContext, issuer: ServiceAccountTokenIssuer, defaultAudiences: string[], bound: BoundObjects, node?: string): Promise<void> {
  if (ctx.req.method !== 'POST') throw methodNotAllowed('the server does not allow this method on the requested resource');
  const namespace = ctx.info.namespace!;
  const name = ctx.info.name!;
  const body = decodeObject(await readBody(ctx.req), mediaType(ctx.req));
  if (body.apiVersion !== undefined && body.apiVersion !== 'authentication.k8s.io/v1') throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (authentication.k8s.io/v1)`);
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (TokenRequest)`);
  const spec: KObject = typeof body.spec === 'object' && body.spec !== null ? body.spec : {};
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION;
  const audiences: string[] = spec.audiences === undefined || spec.audiences === null || (Array.isArray(spec.audiences) && !spec.audiences.length) ? defaultAudiences : spec.audiences;
  const causes: Cause[] = [];
  if (!Number.isInteger(expirationSeconds) || expirationSeconds < MIN_EXPIRATION) causes.push(invalidValue('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  else if (expirationSeconds > MAX_EXPIRATION) causes.push(invalidValue('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  if (!Array.isArray(audiences) || audiences.some((a) => typeof a !== 'string' || !a)) causes.push(invalidValue('spec.audiences', audiences, 'audiences must be a list of non-empty strings'));
  const ref = spec.boundObjectRef ?? undefined;
  if (ref !== undefined && (typeof ref !== 'object' || !['Pod', 'Secret'].includes(ref.kind))) {
    causes.push(notSupported('spec.boundObjectRef.kind', ref?.kind, ['Pod', 'Secret']));
  } else if (ref !== undefined && (typeof ref.name !== 'string' || !ref.name)) {
    causes.push(invalidValue('spec.boundObjectRef.name', ref.name, 'must name the object'));
  }
  if (causes.length) throw invalid('TokenRequest', 'authentication.k8s.io', name, causes);

  // A node may only mint tokens for the pods it runs (kube's NodeRestriction).
  if (node && ref?.kind !== 'Pod') throw forbidden({ group: '', resource: 'serviceaccounts/token', name }, `node "${node}" can only get a token bound to a pod bound to it`);
  const account = await ctx.store.get(namespace, name);
  let boundObject: { kind: 'Pod' | 'Secret'; name: string; uid: string } | undefined;
  if (ref) {
    const kind = ref.kind as 'Pod' | 'Secret';
    const obj = await bound[kind].get(namespace, ref.name).catch(() => undefined);
    if (!obj) throw notFound({ group: '', resource: kind === 'Pod' ? 'pods' : 'secrets', name: ref.name });
    if (ref.uid && ref.uid !== obj.metadata.uid) throw conflict({ group: 'authentication.k8s.io', resource: 'tokenrequests', name }, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    if (kind === 'Pod' && (obj.spec?.serviceAccountName || 'default') !== name) {
      throw badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
    }
    if (node && kind === 'Pod' && obj.spec?.nodeName !== node) {
      throw forbidden({ group: '', resource: 'serviceaccounts/token', name }, `node "${node}" can only get a token for a pod bound to it`);
    }
    boundObject = { kind, name: ref.name, uid: obj.metadata.uid };
  }
  const { token, expirationTimestamp } = await issuer.issue({ namespace, name, uid: account.metadata.uid, audiences, expirationSeconds, boundObject });
  send(ctx.res, 201, {
    kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ? { kind: ref.kind, apiVersion: 'v1', name: ref.name, uid: boundObject!.uid } : null },
    status: { token, expirationTimestamp: rfc3339(expirationTimestamp.getTime()) },
  });
}
