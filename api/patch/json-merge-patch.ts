import { badRequest } from '../status.js';

/** A decoded JSON object. */
export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const hasOwn = (o: JsonObject, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/**
 * Sets an own property even for "__proto__", which JSON.parse yields as an
 * ordinary key but plain assignment would treat as the prototype.
 */
export function setKey(o: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

export function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * RFC 7386 merge that never aliases its inputs. Like kube-apiserver's merge
 * library, nulls are also dropped from objects nested in arrays, so a value
 * copied from the patch never carries a null member.
 */
export function mergePatchValue(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return patch.map((v) => (isObject(v) ? mergePatchValue(undefined, v) : clone(v)));
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setKey(out, key, mergePatchValue(hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}

/**
 * Applies an application/merge-patch+json body to a stored object. A body that
 * is not a JSON object cannot describe an object, so it is refused the way
 * kube-apiserver refuses it.
 */
export function applyMergePatch(target: unknown, patch: unknown): JsonObject {
  if (!isObject(patch)) throw badRequest('Invalid JSON Patch');
  return mergePatchValue(target, patch) as JsonObject;
}
