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
    case 'integer': return typeof value === 'number';
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    default: return true;
  }
}

/** The ranges Go's decoder accepts for each integer format; int64 is checked as far as a double can tell. */
const INTEGER_RANGES: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1],
};

/**
 * A JSON number the field's Go type cannot hold (a fraction, or a value past
 * int32 or int64), reported in the words of Go's json.UnmarshalTypeError;
 * undefined when the number fits.
 */
function numberError(schema: Schema, value: number, path: string, struct: string): string | undefined {
  if (schema.type !== 'integer' || schema.intOrString) return undefined;
  const [min, max] = INTEGER_RANGES[schema.format ?? 'int64'] ?? INTEGER_RANGES.int64;
  // 2^63 - 1 is not a double: anything that rounds to 2^63 is already out of range.
  if (Number.isInteger(value) && value >= min && value <= max && value < 2 ** 63) return undefined;
  return `json: cannot unmarshal number ${value} into Go struct field ${struct}.${path} of type ${goType(schema)}`;
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
  walk(value, schema, [], result, structName(schema) ?? '');
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

/** The Go type name a published definition stands for: io.k8s.api.apps.v1.DeploymentSpec → DeploymentSpec. */
const structName = (schema: Schema): string | undefined => schema.definition?.split('.').pop();

function walk(value: unknown, schema: Schema, at: Segments, out: StructuralResult, struct: string): void {
  if (!typeMatches(schema, value)) {
    out.typeErrors.push(`${pathOf(at) || '.'}: expected ${goType(schema)}, got ${jsonType(value)}`);
    return;
  }
  if (typeof value === 'number') {
    const error = numberError(schema, value, pathOf(at), struct);
    if (error) out.typeErrors.push(error);
    return;
  }
  if (schema.type === 'object') struct = structName(schema) ?? struct;
  if (schema.preserveUnknownFields) return;
  if (Array.isArray(value)) {
    if (!schema.items) return;
    for (let i = value.length - 1; i >= 0; i--) {
      if (value[i] === null) value.splice(i, 1);
    }
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      walk(value[i], schema.items, at, out, struct);
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
    walk(child, childSchema, at, out, struct);
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
