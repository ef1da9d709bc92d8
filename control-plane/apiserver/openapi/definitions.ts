import type { Kind } from '../../../api/kind.js';
import { listMeta } from '../../../api/object-meta.js';
import { arr, named, obj, str, type Schema } from '../../../api/schema.js';
import {
  DELETE_OPTIONS, INT_OR_STRING, INT_OR_STRING_DESCRIPTION, metaSchemas, QUANTITY, QUANTITY_DESCRIPTION, STATUS, WATCH_EVENT,
} from './meta.js';

/**
 * The shared walker of the OpenAPI documents: turns the kinds' Schema trees
 * into Swagger 2.0 definitions, each named schema published once under its
 * `definition` name and referenced everywhere else. The v3 documents are
 * derived from the same definitions.
 */

/** A JSON (Swagger / OpenAPI) schema object as published. */
export type JsonSchema = Record<string, unknown>;

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export const V2_REF = '#/definitions/';
export const GVK_EXTENSION = 'x-kubernetes-group-version-kind';

export const gvkOf = (k: Pick<Kind, 'group' | 'version' | 'kind'>): Gvk => ({ group: k.group, version: k.version, kind: k.kind });

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise: the v3 document's path and the URL prefix. */
export const groupVersionPath = (k: Pick<Kind, 'group' | 'version'>): string => (k.group ? `apis/${k.group}/${k.version}` : `api/${k.version}`);

/**
 * The definition name of a kind: its schema's `definition`, or the name kube
 * would give it (io.k8s.api.<group>.<version>.<Kind> for built-in groups, the
 * reversed group for others).
 */
export function definitionName(kind: Kind): string {
  if (kind.schema.definition) return kind.schema.definition;
  const { group, version } = kind;
  if (!group) return `io.k8s.api.core.${version}.${kind.kind}`;
  if (group.endsWith('.k8s.io') || !group.includes('.')) return `io.k8s.api.${group.split('.')[0]}.${version}.${kind.kind}`;
  return `${group.split('.').reverse().join('.')}.${version}.${kind.kind}`;
}

export const listDefinitionName = (kind: Kind): string => `${definitionName(kind)}List`;

/** The kind's schema, named and carrying the kind's own group, version and kind. */
export function kindSchema(kind: Kind): Schema {
  return { ...kind.schema, type: kind.schema.type ?? 'object', definition: definitionName(kind), gvk: gvkOf(kind) };
}

/** The <Kind>List every listable kind comes with. */
export function listSchema(kind: Kind): Schema {
  return named(listDefinitionName(kind), obj({
    apiVersion: str('The versioned schema of this representation of an object, as group/version.'),
    items: arr(kindSchema(kind), { description: `The ${kind.plural}.` }),
    kind: str('The REST resource this object represents, in CamelCase.'),
    metadata: listMeta,
  }, {
    required: ['items'],
    description: `${kind.kind}List is a list of ${kind.plural}.`,
    gvk: { group: kind.group, version: kind.version, kind: `${kind.kind}List` },
  }));
}

/** Which scalar definition a schema stands for, if any. */
function scalarDefinition(s: Schema): string | undefined {
  if (s.format === 'quantity') return QUANTITY;
  if (s.format === 'int-or-string') return INT_OR_STRING;
  if (s.intOrString) return INT_OR_STRING;
  return undefined;
}

function children(s: Schema): Schema[] {
  const out: Schema[] = [];
  if (s.properties) out.push(...Object.values(s.properties));
  if (s.items) out.push(s.items);
  if (s.additionalProperties) out.push(s.additionalProperties);
  return out;
}

/** A schema without its descriptions: what two declarations of one definition must agree on. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as JsonSchema).filter(([k]) => k !== 'description').map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as JsonSchema).map(([f, p]) => [f, shape(p)])) : shape(v)]));
}

/** Sorted-key JSON, to compare two bodies regardless of key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface Definitions {
  /** Every definition in Swagger 2.0 form, sorted by name. */
  definitions: Record<string, JsonSchema>;
  /**
   * Names declared more than once with different shapes (fields, types,
   * formats, enums, required fields, list and patch metadata; descriptions
   * and field order aside). The first declaration is published.
   */
  conflicts: string[];
}

/** The per-field attributes of kube's OpenAPI: they sit where a field is declared, beside a $ref when there is one. */
function fieldExtensions(s: Schema): JsonSchema {
  const out: JsonSchema = {};
  if (s.listMapKeys?.length && s.listType === 'map') out['x-kubernetes-list-map-keys'] = [...s.listMapKeys];
  if (s.listType) out['x-kubernetes-list-type'] = s.listType;
  if (s.patchMergeKey) out['x-kubernetes-patch-merge-key'] = s.patchMergeKey;
  if (s.patchStrategy) out['x-kubernetes-patch-strategy'] = s.patchStrategy;
  return out;
}

/**
 * The descriptions of a top-level kind's standard fields when they are bare
 * references: kubectl explain shows a field's own description, not its type's.
 */
function standardFieldDescription(kind: string, field: string, sub: Schema): string | undefined {
  if (field === 'metadata') {
    return sub.definition?.endsWith('.ListMeta')
      ? 'Standard list metadata: the resourceVersion of the list and the continue token of a limited list.'
      : 'Standard object metadata: name, namespace, labels, annotations, owner references, finalizers and the fields the system maintains.';
  }
  if (field === 'spec') return `The desired state of the ${kind}, as its users declare it.`;
  if (field === 'status') return `The most recently observed state of the ${kind}, maintained by the system. Read-only.`;
  return undefined;
}

/**
 * Builds the definitions of every named schema reachable from `roots`, plus
 * IntOrString and Quantity. `gvks` adds group-version-kinds to definitions
 * that stand for several (DeleteOptions, WatchEvent).
 */
export function buildDefinitions(roots: Schema[], gvks: Map<string, Gvk[]> = new Map()): Definitions {
  const occurrences = new Map<string, Schema[]>();
  const scan = (s: Schema, stack: string[]): void => {
    if (scalarDefinition(s)) return;
    if (s.definition) {
      const seen = occurrences.get(s.definition) ?? [];
      if (seen.includes(s)) return;
      seen.push(s);
      occurrences.set(s.definition, seen);
      if (stack.includes(s.definition)) return;
      stack = [...stack, s.definition];
    }
    for (const c of children(s)) scan(c, stack);
  };
  for (const r of roots) scan(r, []);

  // A named schema may be described differently where it is used; the
  // definition keeps the description used most, the other sites say theirs.
  const descriptions = new Map<string, string | undefined>();
  for (const [name, list] of occurrences) {
    const counts = new Map<string, number>();
    for (const s of list) if (s.description) counts.set(s.description, (counts.get(s.description) ?? 0) + 1);
    let best: string | undefined;
    for (const [d, n] of counts) if (best === undefined || n > counts.get(best)!) best = d;
    descriptions.set(name, best);
  }

  /**
   * A schema where it is used. A field referring to a definition says what
   * the field is: its own description when it has one that differs from the
   * definition's, else `fallback`, else the definition's (kubectl explain
   * lists fields with the field's description only).
   */
  const site = (s: Schema, field: boolean, fallback?: string): JsonSchema => {
    const scalar = scalarDefinition(s);
    if (scalar) return { $ref: V2_REF + scalar, ...(s.description ? { description: s.description } : {}), ...fieldExtensions(s) };
    if (s.definition) {
      const own = descriptions.get(s.definition);
      const description = s.description && s.description !== own ? s.description : field ? fallback ?? own : undefined;
      return { $ref: V2_REF + s.definition, ...(description ? { description } : {}), ...fieldExtensions(s) };
    }
    return { ...inline(s), ...fieldExtensions(s) };
  };

  const inline = (s: Schema, kind?: string): JsonSchema => {
    const out: JsonSchema = {};
    if (s.description) out.description = s.description;
    if (s.type) out.type = s.type;
    if (s.format) out.format = s.format;
    if (s.enum) out.enum = [...s.enum];
    if (s.required?.length) out.required = [...s.required];
    if (s.properties) {
      out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, site(v, true, kind ? standardFieldDescription(kind, k, v) : undefined)]));
    }
    if (s.items) out.items = site(s.items, false);
    if (s.additionalProperties) out.additionalProperties = site(s.additionalProperties, false);
    if (s.preserveUnknownFields) out['x-kubernetes-preserve-unknown-fields'] = true;
    return out;
  };

  // Group-version-kinds belong to the definition, whichever occurrence carries them.
  const kindsOf = new Map<string, Gvk[]>();
  for (const [name, list] of occurrences) {
    const all: Gvk[] = [];
    for (const g of [...list.map((s) => s.gvk), ...(gvks.get(name) ?? [])]) {
      if (g && !all.some((x) => x.group === g.group && x.version === g.version && x.kind === g.kind)) all.push({ group: g.group, kind: g.kind, version: g.version });
    }
    kindsOf.set(name, all);
  }

  const body = (name: string, s: Schema): JsonSchema => {
    const list = kindsOf.get(name) ?? [];
    const out = inline({ ...s, description: descriptions.get(name) }, list[0]?.kind);
    if (list.length) out[GVK_EXTENSION] = list;
    return out;
  };

  const definitions: Record<string, JsonSchema> = {
    [INT_OR_STRING]: { description: INT_OR_STRING_DESCRIPTION, type: 'string', format: 'int-or-string' },
    [QUANTITY]: { description: QUANTITY_DESCRIPTION, type: 'string' },
  };
  const conflicts: string[] = [];
  for (const [name, list] of occurrences) {
    const first = body(name, list[0]);
    const firstText = canonical(shape(first));
    definitions[name] = first;
    if (list.slice(1).some((s) => canonical(shape(body(name, s))) !== firstText)) conflicts.push(name);
  }
  const sorted: Record<string, JsonSchema> = {};
  for (const name of Object.keys(definitions).sort()) sorted[name] = definitions[name];
  return { definitions: sorted, conflicts };
}

/** The group versions the kinds are served in, core first. */
export function groupVersions(kinds: Kind[]): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const k of kinds) seen.set(`${k.group}/${k.version}`, { group: k.group, version: k.version });
  return [...seen.values()].sort((a, b) => (a.group === b.group ? (a.version < b.version ? -1 : 1) : a.group < b.group ? -1 : 1));
}

/** The definitions of all the kinds, their lists, the extra kinds and the apimachinery types. */
export function kindDefinitions(kinds: Kind[], extra: Kind[]): Definitions {
  const roots: Schema[] = [];
  for (const k of kinds) roots.push(kindSchema(k), listSchema(k));
  for (const k of extra) roots.push(kindSchema(k));
  roots.push(...metaSchemas);
  // kube lists these under every served group version.
  const gvs = [...groupVersions(kinds), { group: 'meta.k8s.io', version: 'v1' }];
  const gvks = new Map<string, Gvk[]>([
    [DELETE_OPTIONS, gvs.map((gv) => ({ ...gv, kind: 'DeleteOptions' }))],
    [WATCH_EVENT, gvs.map((gv) => ({ ...gv, kind: 'WatchEvent' }))],
    [STATUS, [{ group: '', version: 'v1', kind: 'Status' }]],
  ]);
  return buildDefinitions(roots, gvks);
}

/** Every definition name a JSON value refers to with `prefix`. */
export function refsIn(value: unknown, prefix: string, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, prefix, into);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(prefix)) into.add(v.slice(prefix.length));
      else refsIn(v, prefix, into);
    }
  }
  return into;
}
