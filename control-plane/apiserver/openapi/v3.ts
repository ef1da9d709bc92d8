import type { Kind } from '../../../api/kind.js';
import { bindingKind } from '../../../api/subresources/binding.js';
import { scaleKind } from '../../../api/subresources/scale.js';
import { GVK_EXTENSION, groupVersionPath, groupVersions, kindDefinitions, refsIn, V2_REF, type JsonSchema } from './definitions.js';
import { INT_OR_STRING, QUANTITY } from './meta.js';
import { paramSpec, resourcePaths, type Operation, type ParamName, type PathItem } from './paths.js';
import { BEARER_TOKEN, etagOf, type Served } from './v2.js';

/**
 * GET /openapi/v3 and /openapi/v3/<api/v1 | apis/<group>/<version>>: one
 * OpenAPI 3.0 document per group version, with the same definitions as v2
 * under components/schemas, and a root listing them with a content hash.
 */

export const V3_REF = '#/components/schemas/';

/** The kinds served only as subresources: autoscaling/v1 Scale and core/v1 Binding. */
export const SUBRESOURCE_KINDS: Kind[] = [scaleKind, bindingKind];

/**
 * A v2 schema in v3 form: references point into components/schemas, and a
 * reference with siblings (description, patch strategy...) is wrapped in
 * allOf, since a v3 $ref may not have any.
 *
 * One exception, for kubectl explain: a field that only repeats its type's
 * description (the declaration gave the field none of its own) keeps it
 * beside the $ref. explain lists fields by that description, and shows the
 * type's once when explaining the field itself (an allOf would show it
 * twice); a tool that ignores the sibling loses nothing, as the referenced
 * schema says the same. `typeDescription` gives a definition's description.
 */
export function toV3Schema(value: unknown, typeDescription: (name: string) => unknown = () => undefined): unknown {
  const convert = (v: unknown): unknown => toV3Schema(v, typeDescription);
  if (Array.isArray(value)) return value.map(convert);
  if (!value || typeof value !== 'object') return value;
  const o = value as JsonSchema;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === '$ref') continue;
    // Properties are keyed by field name, not by schema keyword.
    out[k] = k === 'properties' && v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v as JsonSchema).map(([name, p]) => [name, convert(p)]))
      : k.startsWith('x-') ? v : convert(v);
  }
  if (typeof o.$ref !== 'string') return out;
  const local = o.$ref.startsWith(V2_REF);
  const ref = { $ref: local ? V3_REF + o.$ref.slice(V2_REF.length) : o.$ref };
  const keys = Object.keys(out);
  if (!keys.length) return ref;
  if (local && keys.length === 1 && typeof out.description === 'string' && out.description === typeDescription(o.$ref.slice(V2_REF.length))) {
    return { ...ref, description: out.description };
  }
  return { allOf: [ref], ...out };
}
/** The v3 forms of the two scalar types: no type, one of the types they are written as. */
function v3Definition(name: string, def: JsonSchema, definitions: Record<string, JsonSchema>): JsonSchema {
  if (name === INT_OR_STRING) return { description: def.description, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] };
  if (name === QUANTITY) return { description: def.description, oneOf: [{ type: 'string' }, { type: 'number' }] };
  return toV3Schema(def, (n) => definitions[n]?.description) as JsonSchema;
}

function v3Param(name: ParamName, kind: string): JsonSchema {
  const p = paramSpec(name, kind);
  return { name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), schema: { type: p.type } };
}

function v3Operation(op: Operation, kindName: string): JsonSchema {
  const out: JsonSchema = { tags: [op.tag], description: op.description, operationId: op.operationId };
  if (op.params.length) out.parameters = op.params.map((p) => v3Param(p, kindName));
  if (op.body) {
    const schema = { $ref: V3_REF + op.body.schema };
    out.requestBody = {
      content: Object.fromEntries(op.body.consumes.map((type) => [type, { schema }])),
      ...(op.body.required ? { required: true } : {}),
    };
  }
  const responses: Record<string, JsonSchema> = {};
  for (const r of op.responses) {
    responses[r.code] = {
      description: r.description,
      ...(r.schema ? { content: Object.fromEntries(op.produces.map((type) => [type, { schema: { $ref: V3_REF + r.schema } }])) } : {}),
    };
  }
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  if (op.gvk) out[GVK_EXTENSION] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

export function v3PathItem(item: PathItem): JsonSchema {
  const out: JsonSchema = {};
  if (item.params.length) out.parameters = item.params.map((p) => v3Param(p, item.kindName));
  for (const op of item.operations) out[op.method] = v3Operation(op, item.kindName);
  return out;
}

function buildAll(kinds: Kind[], extra: Kind[]): Map<string, JsonSchema> {
  const { definitions } = kindDefinitions(kinds, extra);
  const v3Definitions = new Map(Object.entries(definitions).map(([name, def]) => [name, v3Definition(name, def, definitions)]));
  const items = resourcePaths(kinds, extra);
  const docs = new Map<string, JsonSchema>();
  for (const gv of groupVersions(kinds)) {
    const gvPath = groupVersionPath(gv);
    const paths: Record<string, JsonSchema> = {};
    for (const item of items) if (item.groupVersion === gvPath) paths[item.path] = v3PathItem(item);
    // Only the definitions the paths reach, as kube publishes them.
    const needed = refsIn(paths, V3_REF);
    const queue = [...needed];
    while (queue.length) {
      const name = queue.pop()!;
      for (const r of refsIn(v3Definitions.get(name), V3_REF)) {
        if (!needed.has(r)) {
          needed.add(r);
          queue.push(r);
        }
      }
    }
    const schemas: Record<string, JsonSchema> = {};
    for (const name of [...needed].sort()) {
      const def = v3Definitions.get(name);
      if (def) schemas[name] = def;
    }
    docs.set(gvPath, {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'unversioned' },
      paths,
      components: { schemas, securitySchemes: { BearerToken: BEARER_TOKEN } },
    });
  }
  return docs;
}

interface V3Cache {
  docs: Map<string, { doc: JsonSchema; served: Served }>;
  root: JsonSchema;
  rootServed: Served;
}

const cache = new WeakMap<Kind[], Map<string, V3Cache>>();
const extraKey = (extra: Kind[]): string => extra.map((k) => `${k.group}/${k.version}/${k.kind}`).join(',');

function cached(kinds: Kind[], extra: Kind[]): V3Cache {
  let byExtra = cache.get(kinds);
  if (!byExtra) cache.set(kinds, (byExtra = new Map()));
  let entry = byExtra.get(extraKey(extra));
  if (!entry) {
    const docs = new Map<string, { doc: JsonSchema; served: Served }>();
    for (const [path, doc] of buildAll(kinds, extra)) {
      const body = Buffer.from(JSON.stringify(doc));
      docs.set(path, { doc, served: { body, etag: etagOf(body) } });
    }
    const root = {
      paths: Object.fromEntries([...docs].map(([path, { served }]) => [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${served.etag}` }])),
    };
    const rootBody = Buffer.from(JSON.stringify(root));
    entry = { docs, root, rootServed: { body: rootBody, etag: etagOf(rootBody) } };
    byExtra.set(extraKey(extra), entry);
  }
  return entry;
}

/** `api/v1` from `/openapi/v3/api/v1/`, `apis/apps/v1?hash=...` and the like. */
export function normalizeGroupVersionPath(path: string): string {
  return path.split('?')[0].replace(/^\/+/, '').replace(/^openapi\/v3\//, '').replace(/\/+$/, '');
}

/** GET /openapi/v3: each group version's document path with its hash. */
export function openApiV3Root(kinds: Kind[], extra: Kind[] = SUBRESOURCE_KINDS): object {
  return cached(kinds, extra).root;
}

export function openApiV3RootJson(kinds: Kind[], extra: Kind[] = SUBRESOURCE_KINDS): Served {
  return cached(kinds, extra).rootServed;
}

/**
 * GET /openapi/v3/api/v1 or /openapi/v3/apis/<group>/<version> (`path` with
 * or without the /openapi/v3/ prefix); undefined when no kind is served there.
 */
export function openApiV3GroupVersion(kinds: Kind[], extra: Kind[], path: string): object | undefined {
  return cached(kinds, extra).docs.get(normalizeGroupVersionPath(path))?.doc;
}

/** The same document serialized once, with its hash (the `hash` query parameter and the ETag). */
export function openApiV3GroupVersionJson(kinds: Kind[], extra: Kind[], path: string): Served | undefined {
  return cached(kinds, extra).docs.get(normalizeGroupVersionPath(path))?.served;
}

/** The current hash of a group version's document. */
export function openApiV3Hash(kinds: Kind[], extra: Kind[], path: string): string | undefined {
  return openApiV3GroupVersionJson(kinds, extra, path)?.etag;
}
