import { StatusError, badRequest } from '../status.js';
import { clone, deepEqual, hasOwn, isObject, setKey, type JsonObject } from './json-merge-patch.js';

/** kube-apiserver refuses longer patches with 413 before applying anything. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const REJECTED = 'the server rejected our request due to an error in our request';

/**
 * The 422 kube-apiserver answers when a JSON patch (or a strategic merge patch
 * containing a list of lists) cannot be applied: reason Invalid, a fixed
 * message and empty details. `why` keeps the real cause for logs and tests;
 * it is never sent to clients, matching Kubernetes.
 */
export class PatchApplyError extends StatusError {
  constructor(readonly why: string) {
    super(422, 'Invalid', REJECTED, {});
  }
}

/** Go's name for a decoded JSON value, as json.Unmarshal reports it. */
export function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

type Container = JsonObject | unknown[];
interface Location { parent: Container; key: string }

function decodePointer(path: string): string[] {
  if (!path.startsWith('/')) throw new PatchApplyError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path.slice(1).split('/').map((t) => t.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~')));
}

/** Array indices as Kubernetes' patch library reads them: decimal, negative counting from the end. */
function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (!/^[+-]?\d+$/.test(token)) throw new PatchApplyError(`not a proper array index: ${JSON.stringify(token)}`);
  let i = Number(token);
  const size = allowEnd ? length + 1 : length;
  if (i < 0) i += size;
  if (i < 0 || i >= size) throw new PatchApplyError(`unable to access invalid index: ${token}`);
  return i;
}

function locate(root: unknown, path: string): Location {
  const tokens = decodePointer(path);
  let node = root;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false)];
    else if (isObject(node) && hasOwn(node, token)) node = node[token];
    else throw new PatchApplyError(`doc is missing path: ${JSON.stringify(path)}`);
  }
  if (!Array.isArray(node) && !isObject(node)) throw new PatchApplyError(`doc is missing path: ${JSON.stringify(path)}`);
  return { parent: node, key: tokens[tokens.length - 1] };
}

function read(loc: Location, path: string): unknown {
  const { parent, key } = loc;
  if (Array.isArray(parent)) return parent[arrayIndex(key, parent.length, false)];
  if (!hasOwn(parent, key)) throw new PatchApplyError(`doc is missing key: ${JSON.stringify(path)}`);
  return parent[key];
}

function insert(loc: Location, value: unknown): void {
  const { parent, key } = loc;
  if (!Array.isArray(parent)) return setKey(parent, key, value);
  if (key === '-') parent.push(value);
  else parent.splice(arrayIndex(key, parent.length, true), 0, value);
}

function removeAt(loc: Location, path: string): unknown {
  const { parent, key } = loc;
  if (Array.isArray(parent)) return parent.splice(arrayIndex(key, parent.length, false), 1)[0];
  if (!hasOwn(parent, key)) throw new PatchApplyError(`unable to remove nonexistent key: ${JSON.stringify(path)}`);
  const value = parent[key];
  delete parent[key];
  return value;
}

function stringField(op: JsonObject, name: 'path' | 'from'): string {
  const v = op[name];
  if (typeof v !== 'string') throw new PatchApplyError(`operation missing ${name} field`);
  return v;
}

/** Validates the document shape; kube-apiserver decodes it before applying anything. */
function decode(ops: unknown): JsonObject[] {
  if (ops === null || ops === undefined) return [];
  if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${goJsonKind(ops)} into Go value of type jsonpatch.Patch`);
  const decoded = ops.map((op) => {
    if (op === null) return {};
    if (!isObject(op)) throw badRequest(`json: cannot unmarshal ${goJsonKind(op)} into Go value of type jsonpatch.Operation`);
    return op;
  });
  if (decoded.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${decoded.length}`);
  }
  return decoded;
}

/**
 * Applies an application/json-patch+json body (RFC 6902) to a copy of `doc`.
 * Follows the library kube-apiserver uses where it departs from the RFC:
 * `replace` of a missing object member adds it, array indices may be
 * negative, and a `test` of a missing member passes when the value is null.
 * A body that is not a list of objects is 400 BadRequest; every failure while
 * applying, including an unknown `op`, is 422 (PatchApplyError).
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  let root = clone(doc);
  for (const op of decode(ops)) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    const value = hasOwn(op, 'value') ? clone(op.value) : null;
    switch (kind) {
      case 'add':
        insert(locate(root, stringField(op, 'path')), value);
        break;
      case 'remove': {
        const path = stringField(op, 'path');
        removeAt(locate(root, path), path);
        break;
      }
      case 'replace': {
        const path = stringField(op, 'path');
        if (path === '') {
          if (!isObject(value) && !Array.isArray(value)) throw new PatchApplyError('replace operation value must be object or array');
          root = value;
          break;
        }
        const loc = locate(root, path);
        if (Array.isArray(loc.parent)) loc.parent[arrayIndex(loc.key, loc.parent.length, false)] = value;
        else setKey(loc.parent, loc.key, value);
        break;
      }
      case 'move': {
        const from = stringField(op, 'from');
        const moved = removeAt(locate(root, from), from);
        insert(locate(root, stringField(op, 'path')), moved);
        break;
      }
      case 'copy': {
        const from = stringField(op, 'from');
        const copied = clone(read(locate(root, from), from));
        insert(locate(root, stringField(op, 'path')), copied);
        break;
      }
      case 'test': {
        const path = stringField(op, 'path');
        let actual: unknown;
        if (path === '') actual = root;
        else {
          const loc = locate(root, path);
          actual = !Array.isArray(loc.parent) && !hasOwn(loc.parent, loc.key) ? null : read(loc, path);
        }
        if (!deepEqual(actual, value)) throw new PatchApplyError(`testing value ${path} failed`);
        break;
      }
      default:
        throw new PatchApplyError(`Unexpected kind: ${kind}`);
    }
  }
  return root;
}
