import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Kind } from '../../../api/kind.js';
import { methodNotAllowed, StatusError } from '../../../api/status.js';
import { sendError } from '../http/respond.js';
import { openApiV2Json, openApiV2Protobuf, type Served } from './v2.js';
import { normalizeGroupVersionPath, openApiV3GroupVersionJson, openApiV3RootJson, SUBRESOURCE_KINDS } from './v3.js';

/**
 * Serves /openapi/v2, /openapi/v3 and /openapi/v3/<group version> the way
 * kube-openapi's handlers do: content negotiation between JSON and (for v2)
 * gnostic protobuf, quoted SHA-512 ETags with If-None-Match, immutable
 * caching of v3 documents addressed by their current hash and a 301 to the
 * current URL for an outdated hash, and gzip when the client takes it.
 */

export const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const V2_PROTOBUF_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const JSON_TYPE = 'application/json';

const notAcceptable = (accept: string, types: string[]) =>
  new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${types.join(', ')} (got ${JSON.stringify(accept)})`);

/** The document started being served when the process started; it never changes afterwards. */
const LAST_MODIFIED = new Date().toUTCString();

interface Clause {
  type: string;
  q: number;
  order: number;
}

/** Accept clauses, most preferred first (by q, then by specificity, then by order). */
function acceptClauses(header: string | undefined): Clause[] {
  const raw = header?.trim() ? header : '*/*';
  const clauses: Clause[] = [];
  raw.split(',').forEach((part, order) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    if (!type) return;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k === 'q') q = Number(v);
    }
    if (!(q > 0)) return;
    clauses.push({ type: type.toLowerCase(), q, order });
  });
  const specificity = (t: string) => (t === '*/*' ? 0 : t.endsWith('/*') ? 1 : 2);
  return clauses.sort((a, b) => b.q - a.q || specificity(b.type) - specificity(a.type) || a.order - b.order);
}

/** The first offered media type the client accepts, in the client's order of preference. */
function negotiate(header: string | undefined, offered: string[]): string | undefined {
  for (const c of acceptClauses(header)) {
    for (const o of offered) {
      const [type] = o.split('/');
      if (c.type === '*/*' || c.type === o || c.type === `${type}/*`) return o;
    }
  }
  return undefined;
}

const gzipped = new WeakMap<Buffer, Buffer>();

function acceptsGzip(req: IncomingMessage): boolean {
  return String(req.headers['accept-encoding'] ?? '').split(',').some((e) => {
    const [name, ...params] = e.split(';').map((s) => s.trim().toLowerCase());
    return name === 'gzip' && !params.some((p) => p.replace(/\s/g, '') === 'q=0');
  });
}

function etagMatches(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').map((s) => s.trim().replace(/^W\//, '')).some((t) => t === '*' || t === `"${etag}"`);
}

function write(req: IncomingMessage, res: ServerResponse, served: Served, contentType: string, headers: Record<string, string>): void {
  const common: Record<string, string> = { ETag: `"${served.etag}"`, 'Last-Modified': LAST_MODIFIED, Vary: 'Accept, Accept-Encoding', ...headers };
  if (etagMatches(req, served.etag)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  let body = served.body;
  if (acceptsGzip(req) && body.length > 1024) {
    let z = gzipped.get(body);
    if (!z) gzipped.set(body, (z = gzipSync(body)));
    body = z;
    common['Content-Encoding'] = 'gzip';
  }
  res.writeHead(200, { ...common, 'Content-Type': contentType, 'Content-Length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Whether the path is one of the OpenAPI endpoints serveOpenApi answers. */
export function isOpenApiPath(pathname: string): boolean {
  const p = pathname.replace(/\/+$/, '');
  return p === '/openapi/v2' || p === '/openapi/v3' || p.startsWith('/openapi/v3/');
}

/**
 * Answers a request for an OpenAPI path (see isOpenApiPath) and returns true,
 * or returns false without touching `res` for any other path. `extra` are the
 * kinds served only as subresources (Scale, Binding).
 */
export function serveOpenApi(req: IncomingMessage, res: ServerResponse, kinds: Kind[], extra: Kind[] = SUBRESOURCE_KINDS): boolean {
  const url = new URL(req.url ?? '/', 'http://skiff');
  const path = url.pathname.replace(/\/+$/, '');
  if (!isOpenApiPath(path)) return false;
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed('the server does not allow this method on the requested resource');
    const accept = req.headers.accept;
    if (path === '/openapi/v2') {
      const type = negotiate(accept, [JSON_TYPE, V2_PROTOBUF, V2_PROTOBUF_DEPRECATED]);
      if (!type) throw notAcceptable(String(accept), [JSON_TYPE, V2_PROTOBUF]);
      if (type === JSON_TYPE) write(req, res, openApiV2Json(kinds, extra), JSON_TYPE, { 'Cache-Control': 'no-cache, private' });
      else write(req, res, openApiV2Protobuf(kinds, extra), V2_PROTOBUF, { 'Cache-Control': 'no-cache, private' });
      return true;
    }
    if (path === '/openapi/v3') {
      write(req, res, openApiV3RootJson(kinds, extra), JSON_TYPE, { 'Cache-Control': 'no-cache, private' });
      return true;
    }
    const gv = normalizeGroupVersionPath(path);
    const served = openApiV3GroupVersionJson(kinds, extra, gv);
    if (!served) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    // Protobuf v3 is not served: a client that only takes it gets 406.
    if (!negotiate(accept, [JSON_TYPE])) throw notAcceptable(String(accept), [JSON_TYPE]);
    const hash = url.searchParams.get('hash');
    if (hash && hash !== served.etag) {
      const location = `/openapi/v3/${gv}?hash=${served.etag}`;
      res.writeHead(301, { Location: location, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache, private' });
      res.end(req.method === 'HEAD' ? undefined : `<a href="${location}">Moved Permanently</a>.\n`);
      return true;
    }
    const caching: Record<string, string> = hash
      ? { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString() }
      : { 'Cache-Control': 'no-cache, private' };
    write(req, res, served, JSON_TYPE, caching);
  } catch (err) {
    sendError(res, err);
  }
  return true;
}
