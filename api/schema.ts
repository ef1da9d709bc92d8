/**
 * A kind's shape, written once in OpenAPI terms. The OpenAPI documents, the
 * structural validator, strategic merge patch and `kubectl explain` all read it.
 */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema;
  enum?: string[];
  /** Name under which the schema is published in the OpenAPI definitions. */
  definition?: string;
  /** apiVersion/kind the definition stands for (top-level kinds only). */
  gvk?: { group: string; version: string; kind: string };
  patchMergeKey?: string;
  patchStrategy?: 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  preserveUnknownFields?: boolean;
  intOrString?: boolean;
}

type Opts = Omit<Schema, 'type' | 'properties' | 'items' | 'additionalProperties'>;

export const str = (description?: string, opts: Opts = {}): Schema => ({ type: 'string', description, ...opts });
export const int32 = (description?: string): Schema => ({ type: 'integer', format: 'int32', description });
export const int64 = (description?: string): Schema => ({ type: 'integer', format: 'int64', description });
export const num = (description?: string): Schema => ({ type: 'number', format: 'double', description });
export const bool = (description?: string): Schema => ({ type: 'boolean', description });
export const time = (description?: string): Schema => ({ type: 'string', format: 'date-time', description });
export const enumOf = (values: string[], description?: string): Schema => ({ type: 'string', enum: values, description });
/** A resource.Quantity: published as a string, accepted as a string or a number. */
export const quantity = (description?: string): Schema => ({ type: 'string', format: 'quantity', description, intOrString: true });
/** An IntOrString: a port number or a named port, a count or a percentage. */
export const intOrString = (description?: string): Schema => ({ type: 'string', format: 'int-or-string', description, intOrString: true });
/** An object whose keys are free-form and whose values follow `values`. */
export const map = (values: Schema, description?: string): Schema => ({ type: 'object', additionalProperties: values, description });
export const strMap = (description?: string): Schema => map(str(), description);
/** A subtree Skiff stores as given without checking field names. */
export const free = (description?: string): Schema => ({ type: 'object', description, preserveUnknownFields: true });

export function obj(properties: Record<string, Schema>, opts: Opts = {}): Schema {
  return { type: 'object', properties, ...opts };
}

export function arr(items: Schema, opts: Opts = {}): Schema {
  return { type: 'array', items, ...opts };
}

/** A list merged by `key` in strategic merge patch (containers by name, ports by containerPort). */
export function keyedList(items: Schema, key: string, description?: string, listMapKeys?: string[]): Schema {
  return { type: 'array', items, description, patchMergeKey: key, patchStrategy: 'merge', listType: 'map', listMapKeys: listMapKeys ?? [key] };
}

/** Gives a schema a published definition name, e.g. io.k8s.api.core.v1.Container. */
export function named(definition: string, schema: Schema): Schema {
  return { ...schema, definition };
}

export function describe(schema: Schema, description: string): Schema {
  return { ...schema, description };
}
