import type { Kind, KObject } from '../../../api/kind.js';
import { applyJsonPatch } from '../../../api/patch/json-patch.js';
import { applyMergePatch } from '../../../api/patch/json-merge-patch.js';
import { applyStrategicMergePatch } from '../../../api/patch/strategic-merge-patch.js';
import { badRequest, StatusError } from '../../../api/status.js';
import { decodeBody } from '../http/body.js';

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

/**
 * Applies a JSON, merge or strategic merge patch to the current object. Keys
 * repeated within a merge or strategic patch are appended to `duplicateFields`.
 */
export function applyPatch(kind: Kind, current: KObject, body: Buffer, type: string, duplicateFields?: string[]): KObject {
  if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+cbor') {
    // A body kube-apiserver could not decode is its 400 before any question of support.
    if (type === 'application/apply-patch+yaml') decodeBody(body, type, [type]);
    throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply is not supported by Skiff yet; use client-side apply (kubectl apply without --server-side)');
  }
  const patch = decodeBody(body, type, PATCH_TYPES, type === 'application/json-patch+json' ? undefined : duplicateFields);
  let result: unknown;
  try {
    result = patchDocument(kind, current, patch, type);
  } catch (err) {
    // Patching recurses once per level of the patch and V8's stack, unlike
    // Go's, does not grow: a patch below the decoder's 10,000 levels can
    // still be too deep to apply, and that is the client's 400, not a 500.
    if (err instanceof RangeError && /call stack/.test(err.message)) throw badRequest('the patch is nested too deeply to be applied');
    throw err;
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) throw badRequest('the patch did not produce an object');
  return result as KObject;
}

function patchDocument(kind: Kind, current: KObject, patch: unknown, type: string): unknown {
  switch (type) {
    case 'application/json-patch+json':
      if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
      return applyJsonPatch(current, patch);
    case 'application/merge-patch+json':
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('merge patch must be a JSON object');
      return applyMergePatch(current, patch);
    default:
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('strategic merge patch must be a JSON object');
      return applyStrategicMergePatch(current, patch as KObject, kind.schema);
  }
}
