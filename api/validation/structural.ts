import type { Schema } from '../schema.js';

export interface StructuralResult {
  /** Values of the wrong JSON type: the body cannot be decoded as the kind. */
  typeErrors: string[];
  /** Fields the schema does not know, as JSON paths; pruned from the object. */
  unknownFields: string[];
}

const jsonType = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

function typeMatches(schema: Schema, value: unknown): boolean {
  if (schema.intOrString) return typeof value === 'string' || (typeof value === 'number' && (schema.format === 'quantity' || Number.isInteger(value)));
  switch (schema.type) {
    case 'object': return jsonType(value) === 'object';
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    default: return true;
  }
}

const goType = (schema: Schema): string =>
  schema.type === 'integer' ? (schema.format === 'int32' ? 'int32' : 'int64') : schema.type === 'number' ? 'float64' : schema.type === 'array' ? 'array' : schema.type ?? 'value';

/**
 * Checks an object against its kind's schema the way decoding into the Go
 * types does: wrong JSON types are errors, unknown fields are reported and
 * removed, nulls and empty lists and maps are dropped as zero values.
 */
export function checkStructure(value: Record<string, unknown>, schema: Schema): StructuralResult {
  const result: StructuralResult = { typeErrors: [], unknownFields: [] };
  walk(value, schema, [], result);
  return result;
}

/**
 * Where the walk is: property names, list indexes, and map keys written
 * `[key]`. Joined into a JSON path only when something is reported.
 */
type Segments = Array<string | number>;

function pathOf(segments: Segments, extra?: string): string {
  let path = '';
  for (const seg of [...segments, ...(extra === undefined ? [] : [extra])]) {
    if (typeof seg === 'number') path += `[${seg}]`;
    else if (seg.startsWith('[')) path += seg;
    else path += path ? `.${seg}` : seg;
  }
  return path;
}

function walk(value: unknown, schema: Schema, at: Segments, out: StructuralResult): void {
  if (!typeMatches(schema, value)) {
    out.typeErrors.push(`${pathOf(at) || '.'}: expected ${goType(schema)}, got ${jsonType(value)}`);
    return;
  }
  if (schema.preserveUnknownFields) return;
  if (Array.isArray(value)) {
    if (!schema.items) return;
    for (let i = value.length - 1; i >= 0; i--) {
      if (value[i] === null) value.splice(i, 1);
    }
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      walk(value[i], schema.items, at, out);
      at.pop();
    }
    return;
  }
  if (schema.type !== 'object' || typeof value !== 'object' || value === null) return;
  const objValue = value as Record<string, unknown>;
  for (const key in objValue) {
    const child = objValue[key];
    if (child === null) {
      delete objValue[key];
      continue;
    }
    const property = schema.properties?.[key];
    const childSchema = property ?? schema.additionalProperties;
    if (!childSchema) {
      out.unknownFields.push(pathOf(at, key));
      delete objValue[key];
      continue;
    }
    at.push(property ? key : `[${key}]`);
    walk(child, childSchema, at, out);
    at.pop();
    if (isEmptyCollection(child, childSchema)) delete objValue[key];
  }
}

/** Empty lists and maps are left out, as Go's omitempty leaves them out of every stored object. */
function isEmptyCollection(value: unknown, schema: Schema): boolean {
  if (schema.preserveUnknownFields) return false;
  if (Array.isArray(value)) return value.length === 0;
  return !!schema.additionalProperties && !schema.properties && typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}
