import { badRequest } from '../status.js';

import { clone, hasOwn, isObject, type JsonObject } from '../deep-equal.js';

export { clone, deepEqual, hasOwn, isObject, type JsonObject } from '../deep-equal.js';

/**
 * Sets an own property even for "__proto__", which JSON.parse yields as an
 * ordinary key but plain assignment would treat as the prototype.
 */
export function setKey(o: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
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
