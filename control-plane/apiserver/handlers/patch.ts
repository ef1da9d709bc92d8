import type { Kind, KObject } from '../../../api/kind.js';
import { applyJsonPatch } from '../../../api/patch/json-patch.js';
import { applyMergePatch } from '../../../api/patch/json-merge-patch.js';
import { applyStrategicMergePatch } from '../../../api/patch/strategic-merge-patch.js';
import { badRequest, StatusError } from '../../../api/status.js';
import { decodeBody } from '../http/body.js';

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

/** Applies a JSON, merge or strategic merge patch to the current object. */
export function applyPatch(kind: Kind, current: KObject, body: Buffer, type: string): KObject {
  if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+cbor') {
    throw new StatusError(415, 'UnsupportedMediaType', 'server-side apply is not supported by Skiff yet; use client-side apply (kubectl apply without --server-side)');
  }
  const patch = decodeBody(body, type, PATCH_TYPES);
  let result: unknown;
  switch (type) {
    case 'application/json-patch+json':
      if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
      result = applyJsonPatch(current, patch);
      break;
    case 'application/merge-patch+json':
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('merge patch must be a JSON object');
      result = applyMergePatch(current, patch);
      break;
    default:
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('strategic merge patch must be a JSON object');
      result = applyStrategicMergePatch(current, patch as KObject, kind.schema);
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) throw badRequest('the patch did not produce an object');
  return result as KObject;
}
