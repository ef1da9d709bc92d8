import type { Kind, KObject } from '../../../api/kind.js';
import { apiVersionOf } from '../../../api/kind.js';
import { badRequest } from '../../../api/status.js';
import { checkStructure } from '../../../api/validation/structural.js';
import type { RequestContext } from './context.js';

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

function fieldValidation(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation') ?? 'Warn';
  if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore') {
    throw badRequest(`fieldValidation parameter unsupported: ${v}`);
  }
  return v;
}

/**
 * Checks a decoded body against its kind as decoding into the Go types
 * would: the right apiVersion and kind, JSON types that fit the schema, and
 * unknown and duplicated fields refused, warned about or dropped per
 * `fieldValidation`.
 */
export function admitShape(ctx: RequestContext, obj: KObject, kind: Kind = ctx.kind, duplicateFields: string[] = []): KObject {
  const expected = apiVersionOf(kind);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (obj.kind !== undefined && obj.kind !== kind.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${kind.kind})`);
  }
  obj.apiVersion = expected;
  obj.kind = kind.kind;
  const { typeErrors, unknownFields } = checkStructure(obj, kind.schema);
  if (typeErrors.length) {
    throw badRequest(`${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: ${typeErrors.join('; ')}`);
  }
  const mode = fieldValidation(ctx.query);
  const problems = [...duplicateFields.map((f) => `duplicate field "${f}"`), ...unknownFields.map((f) => `unknown field "${f}"`)];
  if (problems.length && mode === 'Strict') throw badRequest(`strict decoding error: ${problems.join(', ')}`);
  if (mode === 'Warn') ctx.warnings.push(...problems);
  return obj;
}

export function dryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`unsupported dry run value: ${v}; supported values: "All"`);
  return values.length > 0;
}
