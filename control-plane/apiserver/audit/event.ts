import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { microTime } from '../../../api/time.js';

/** What an audit event reads from a request: its URI, headers and peer, never its body. An IncomingMessage is one. */
export interface AuditedRequest {
  url?: string;
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string };
}

/** The authenticated user, shaped like the authenticators' UserInfo. */
export interface AuditUser {
  name: string;
  uid?: string;
  groups?: readonly string[];
  extra?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Everything the request handler knows about a finished request that an
 * audit event at level Metadata records. There is deliberately no place
 * for a request or response body.
 */
export interface AuditInput {
  req: AuditedRequest;
  /** When the request arrived: a Date, or epoch milliseconds whose fraction is kept as microseconds (`performance.timeOrigin + performance.now()`). */
  receivedAt: Date | number;
  /** Undefined when authentication failed (401). */
  user?: AuditUser;
  /** Who the request ran as, when the user impersonated someone (kubectl --as). */
  impersonatedUser?: AuditUser;
  /** The kube verb (get, list, watch, create, update, patch, delete, deletecollection), or the lower-cased HTTP method for non-resource paths (see resourceVerb in auth/rbac/attributes.ts). */
  verb: string;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The HTTP status code answered. */
  code: number;
  /** The Status reason and message answered, for failures. */
  reason?: string;
  message?: string;
  /** The authorizer's decision and its reason; absent when authorization did not run. */
  decision?: 'allow' | 'forbid';
  decisionReason?: string;
  /** Set when the handler already chose one (e.g. for an Audit-ID response header); a random UUID otherwise. */
  auditID?: string;
}

/** An audit.k8s.io/v1 Event at level Metadata. */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  impersonatedUser?: AuditEvent['user'];
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string };
  responseStatus: { metadata: Record<string, never>; status?: 'Failure'; message?: string; reason?: string; code: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}



/** `::ffff:10.0.0.1` is how Node reports an IPv4 peer on a dual-stack socket; kube shows 10.0.0.1. */
const unmapped = (ip: string) => (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);
const header = (h: string | string[] | undefined) => (Array.isArray(h) ? h.join(',') : h ?? '');

/**
 * The client and the proxies it came through, as kube lists them: the valid
 * addresses of X-Forwarded-For, then X-Real-Ip unless already there, then
 * the peer address, which a client cannot forge, unless it ends the list.
 */
export function sourceIPs(req: AuditedRequest): string[] {
  const ips = header(req.headers['x-forwarded-for']).split(',').map((s) => unmapped(s.trim())).filter((s) => isIP(s) !== 0);
  const realIp = unmapped(header(req.headers['x-real-ip']).trim());
  if (isIP(realIp) && !ips.includes(realIp)) ips.push(realIp);
  const peer = req.socket.remoteAddress && unmapped(req.socket.remoteAddress);
  if (peer && ips[ips.length - 1] !== peer) ips.push(peer);
  return ips;
}

/** Copies only the named non-empty strings: input objects are never spread into an event. */
function someOf<K extends string>(fields: Partial<Record<K, string | undefined>>): Partial<Record<K, string>> | undefined {
  const out: Partial<Record<K, string>> = {};
  let any = false;
  for (const [k, v] of Object.entries(fields) as Array<[K, string | undefined]>) {
    if (typeof v === 'string' && v !== '') {
      out[k] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}

function auditUser(u: AuditUser | undefined): AuditEvent['user'] {
  const user: AuditEvent['user'] = {};
  if (u) {
    if (u.name) user.username = u.name;
    if (u.uid) user.uid = u.uid;
    if (u.groups?.length) user.groups = [...u.groups];
    if (u.extra && Object.keys(u.extra).length) user.extra = Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, [...v]]));
  }
  return user;
}

/** The ResponseComplete event for a finished request. */
export function auditEvent(input: AuditInput, stageAt: number = performance.timeOrigin + performance.now()): AuditEvent {
  const received = typeof input.receivedAt === 'number' ? input.receivedAt : input.receivedAt.getTime();
  const user = auditUser(input.user);
  // As kube: a success records only its code; a failure the Status it answered.
  const responseStatus: AuditEvent['responseStatus'] = input.code >= 400
    ? { metadata: {}, status: 'Failure', message: input.message || undefined, reason: input.reason || undefined, code: input.code }
    : { metadata: {}, code: input.code };
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: input.auditID || randomUUID(),
    stage: 'ResponseComplete',
    requestURI: input.req.url ?? '/',
    verb: input.verb,
    user,
    ...(input.impersonatedUser ? { impersonatedUser: auditUser(input.impersonatedUser) } : {}),
    sourceIPs: sourceIPs(input.req),
    userAgent: header(input.req.headers['user-agent']) || undefined,
    objectRef: input.resource ? someOf({
      resource: input.resource,
      namespace: input.namespace,
      name: input.name,
      apiGroup: input.apiGroup,
      apiVersion: input.apiVersion,
      subresource: input.subresource,
    }) : undefined,
    responseStatus,
    requestReceivedTimestamp: microTime(received),
    // The two clocks can disagree by a little; a stage never precedes its request.
    stageTimestamp: microTime(Math.max(stageAt, received)),
    annotations: input.decision ? someOf({
      'authorization.k8s.io/decision': input.decision,
      'authorization.k8s.io/reason': input.decisionReason,
    }) : undefined,
  };
}
