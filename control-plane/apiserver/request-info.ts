import { badRequest, notFound } from '../../api/status.js';

/** What a request addresses, read from its path the way kube-apiserver does. */
export interface RequestInfo {
  /** `api` for the core group, `apis` for named groups. */
  prefix: 'api' | 'apis';
  group: string;
  version?: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  /** The deprecated `/api/v1/watch/...` form, a watch whatever the query says. */
  legacyWatch?: boolean;
}

const SEGMENT_FORBIDDEN = /[/%]/;

function decodeSegment(raw: string): string {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    throw badRequest(`invalid path segment ${JSON.stringify(raw)}`);
  }
  if (s === '.' || s === '..') throw badRequest(`invalid resource name ${JSON.stringify(s)}: [may not be '${s}']`);
  if (SEGMENT_FORBIDDEN.test(s)) throw badRequest(`invalid resource name ${JSON.stringify(s)}: [may not contain '${s.includes('/') ? '/' : '%'}']`);
  return s;
}

/**
 * Splits `/api/v1/namespaces/ns/pods/name/status` and its relatives. Path
 * segments are decoded one by one and never normalised, so `..` or an
 * encoded slash cannot move a request to another resource.
 */
export function parseRequestPath(pathname: string): RequestInfo | undefined {
  const raw = pathname.split('/').slice(1);
  if (raw.length && raw[raw.length - 1] === '') raw.pop();
  if (raw[0] !== 'api' && raw[0] !== 'apis') return undefined;
  const parts = raw.map(decodeSegment);
  const info: RequestInfo = { prefix: parts[0] as 'api' | 'apis', group: '' };
  let i = 1;
  if (info.prefix === 'apis') {
    if (parts.length < 2) return info;
    info.group = parts[1];
    i = 2;
  }
  if (i >= parts.length) return info;
  info.version = parts[i++];
  let rest = parts.slice(i);
  if (rest[0] === 'watch') {
    info.legacyWatch = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return info;
  if (rest[0] === 'namespaces' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize')) {
    [info.resource, info.name, info.subresource] = rest;
    return info;
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    info.namespace = rest[1];
    [info.resource, info.name, info.subresource] = rest.slice(2);
    if (rest.length > 5) throw notFound({ group: info.group, resource: info.resource ?? '', name: rest.join('/') });
    return info;
  }
  if (rest[0] === 'namespaces' && rest.length === 2) {
    info.resource = 'namespaces';
    info.name = rest[1];
    return info;
  }
  if (rest[0] === 'namespaces' && rest.length > 3) throw notFound({ group: '', resource: 'namespaces', name: rest[1] });
  [info.resource, info.name, info.subresource] = rest;
  if (rest.length > 3) throw notFound({ group: info.group, resource: info.resource ?? '', name: rest.join('/') });
  return info;
}
