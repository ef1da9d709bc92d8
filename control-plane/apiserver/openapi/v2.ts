import { createHash } from 'node:crypto';
import type { Kind } from '../../../api/kind.js';
import { SERVER_VERSION } from '../discovery.js';
import { GVK_EXTENSION, kindDefinitions, V2_REF, type JsonSchema } from './definitions.js';
import { API_GROUP, API_GROUP_LIST, API_VERSIONS, VERSION_INFO } from './meta.js';
import { groupPart, paramSpec, PRODUCES, resourcePaths, tagOf, type Operation, type ParamName, type PathItem } from './paths.js';
import { encodeSwaggerProto } from './v2-proto.js';

/**
 * GET /openapi/v2: the Swagger 2.0 document of everything the API server
 * serves, generated from the kind declarations.
 */

export const BEARER_TOKEN = {
  type: 'apiKey',
  name: 'authorization',
  in: 'header',
  description: 'Bearer token authentication: the header is "Authorization: Bearer <token>".',
};

function v2Param(name: ParamName, kind: string): JsonSchema {
  const p = paramSpec(name, kind);
  return { name, in: p.in, description: p.description, type: p.type, ...(p.required ? { required: true } : {}) };
}

function v2Operation(op: Operation, kindName: string): JsonSchema {
  const params: JsonSchema[] = [];
  if (op.body) params.push({ name: 'body', in: 'body', required: op.body.required, schema: { $ref: V2_REF + op.body.schema } });
  params.push(...op.params.map((p) => v2Param(p, kindName)));
  const responses: Record<string, JsonSchema> = {};
  for (const r of op.responses) responses[r.code] = { description: r.description, ...(r.schema ? { schema: { $ref: V2_REF + r.schema } } : {}) };
  return {
    description: op.description,
    consumes: op.body?.consumes ?? ['*/*'],
    produces: op.produces,
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
    ...(params.length ? { parameters: params } : {}),
    responses,
    'x-kubernetes-action': op.action,
    ...(op.gvk ? { [GVK_EXTENSION]: { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version } } : {}),
  };
}

export function v2PathItem(item: PathItem): JsonSchema {
  const out: JsonSchema = {};
  for (const op of item.operations) out[op.method] = v2Operation(op, item.kindName);
  if (item.params.length) out.parameters = item.params.map((p) => v2Param(p, item.kindName));
  return out;
}

/** /api/, /apis/, /apis/<group>/ and /version/: the discovery documents kube lists in v2 too. */
function discoveryPaths(kinds: Kind[]): Record<string, JsonSchema> {
  const get = (operationId: string, description: string, tag: string, schema: string): JsonSchema => ({
    get: {
      description, consumes: PRODUCES, produces: PRODUCES, schemes: ['https'], tags: [tag], operationId,
      responses: { 200: { description: 'OK', schema: { $ref: V2_REF + schema } }, 401: { description: 'Unauthorized' } },
    },
  });
  const out: Record<string, JsonSchema> = {
    '/api/': get('getCoreAPIVersions', 'get available API versions', 'core', API_VERSIONS),
    '/apis/': get('getAPIVersions', 'get available API versions', 'apis', API_GROUP_LIST),
    '/version/': get('getCodeVersion', 'get the code version', 'version', VERSION_INFO),
  };
  for (const group of new Set(kinds.map((k) => k.group).filter(Boolean))) {
    const tag = tagOf(group, '').replace(/_$/, '');
    out[`/apis/${group}/`] = get(`get${groupPart(group)}APIGroup`, 'get information of a group', tag, API_GROUP);
  }
  return out;
}

function build(kinds: Kind[], extra: Kind[]): JsonSchema {
  const paths: Record<string, JsonSchema> = discoveryPaths(kinds);
  for (const item of resourcePaths(kinds, extra)) paths[item.path] = v2PathItem(item);
  const sortedPaths: Record<string, JsonSchema> = {};
  for (const p of Object.keys(paths).sort()) sortedPaths[p] = paths[p];
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths: sortedPaths,
    definitions: kindDefinitions(kinds, extra).definitions,
    securityDefinitions: { BearerToken: BEARER_TOKEN },
    security: [{ BearerToken: [] }],
  };
}

/** A served document: the bytes, and kube's ETag for them (SHA-512, upper-case hex). */
export interface Served {
  body: Buffer;
  etag: string;
}

export const etagOf = (body: Buffer | string): string => createHash('sha512').update(body).digest('hex').toUpperCase();

interface V2Cache {
  doc: JsonSchema;
  json?: Served;
  proto?: Served;
}

// The documents never change while the server runs: one per kinds list and extra set.
const cache = new WeakMap<Kind[], Map<string, V2Cache>>();
const extraKey = (extra: Kind[]): string => extra.map((k) => `${k.group}/${k.version}/${k.kind}`).join(',');

function cached(kinds: Kind[], extra: Kind[]): V2Cache {
  let byExtra = cache.get(kinds);
  if (!byExtra) cache.set(kinds, (byExtra = new Map()));
  let entry = byExtra.get(extraKey(extra));
  if (!entry) byExtra.set(extraKey(extra), (entry = { doc: build(kinds, extra) }));
  return entry;
}

/**
 * The Swagger 2.0 document for `kinds`; `extra` are the kinds only served as
 * subresources (autoscaling/v1 Scale, core/v1 Binding).
 */
export function openApiV2(kinds: Kind[], extra: Kind[]): object {
  return cached(kinds, extra).doc;
}

/** The document as application/json, built once. */
export function openApiV2Json(kinds: Kind[], extra: Kind[]): Served {
  const entry = cached(kinds, extra);
  if (!entry.json) {
    const body = Buffer.from(JSON.stringify(entry.doc));
    entry.json = { body, etag: etagOf(body) };
  }
  return entry.json;
}

/**
 * The document as application/com.github.proto-openapi.spec.v2@v1.0+protobuf
 * (gnostic's openapi_v2.Document), which is the only form kubectl's v2 client
 * reads. Built once.
 */
export function openApiV2Protobuf(kinds: Kind[], extra: Kind[]): Served {
  const entry = cached(kinds, extra);
  if (!entry.proto) {
    const body = Buffer.from(encodeSwaggerProto(entry.doc));
    entry.proto = { body, etag: etagOf(body) };
  }
  return entry.proto;
}
