import type { Schema } from '../schema.js';
import { badRequest } from '../status.js';
import { clone, hasOwn, isObject, mergePatchValue, setKey, type JsonObject } from './json-merge-patch.js';
import { PatchApplyError, goJsonKind } from './json-patch.js';

/*
 * Strategic merge patch as kube-apiserver applies it (apimachinery's
 * StrategicMergeMapPatch), driven by Skiff's Schema instead of Go struct tags.
 * Where the schema says nothing about a field, the field is patched with JSON
 * merge patch semantics.
 */

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM = '$deleteFromPrimitiveList';
const SET_ORDER = '$setElementOrder';

const ERR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_SET_ORDER = 'invalid patch format of setElementOrder list';

/** Go's %v rendering, which Kubernetes' patch error messages embed. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  return String(v);
}

const goType = (v: unknown): string =>
  Array.isArray(v) ? '[]interface {}' : isObject(v) ? 'map[string]interface {}' : v === null ? '<nil>' : goJsonKind(v) === 'number' ? 'float64' : goJsonKind(v);

const badArgType = (actual: unknown) => badRequest(`expected a []interface {}, but received a ${goType(actual)}`);
const noMergeKey = (m: unknown, key: string) => badRequest(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);

/** A subtree whose shape Skiff does not know: patched as JSON merge patch. */
const opaque = (s: Schema | undefined): s is undefined =>
  s === undefined || (s.preserveUnknownFields === true && !s.properties && !s.items && !s.additionalProperties);

const fieldSchema = (s: Schema | undefined, key: string): Schema | undefined =>
  s?.properties?.[key] ?? s?.additionalProperties;

const strategies = (s: Schema | undefined): string[] => (s?.patchStrategy ?? '').split(',');

/**
 * Applies an application/strategic-merge-patch+json body to a copy of
 * `original`. Errors are StatusErrors: 400 for malformed directives (kube
 * answers some of those with a bare 500; Skiff reports them as the client's
 * fault), 422 for lists of lists as kube-apiserver does.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: Schema): JsonObject {
  const base = isObject(original) ? clone(original) : {};
  if (patch === null || patch === undefined) return base;
  if (!isObject(patch)) throw badRequest(`json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`);
  return mergeMap(base, patch, schema);
}

/** `original` is owned (mutated and returned); `patch` is only read. */
function mergeMap(original: JsonObject, patch: JsonObject, schema: Schema | undefined): JsonObject {
  if (opaque(schema)) return mergePatchValue(original, patch) as JsonObject;
  if (hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    const rest = without(patch, DIRECTIVE);
    if (directive === 'replace') return mergeMap({}, rest, schema);
    if (directive === 'delete') return {};
    // Kubernetes rejects an explicit merge; it is the default, so Skiff accepts it.
    if (directive === 'merge') return mergeMap(original, rest, schema);
    throw badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
  }
  retainKeys(original, patch);
  const ordered = setElementOrders(original, patch, schema);
  const deletions: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === RETAIN_KEYS || key.startsWith(SET_ORDER) || ordered.has(key)) continue;
    if (key.startsWith(DELETE_FROM)) deletions.push([listKey(key, DELETE_FROM, ERR_PRIMITIVE_LIST), value]);
    else mergeField(original, key, value, fieldSchema(schema, key));
  }
  // After the additions so that a list both added to and deleted from ends up consistent.
  for (const [key, toDelete] of deletions) deleteFromList(original, key, toDelete);
  return original;
}

function mergeField(target: JsonObject, key: string, value: unknown, s: Schema | undefined): void {
  if (value === null) {
    delete target[key];
    return;
  }
  const current = hasOwn(target, key) ? target[key] : undefined;
  if (isObject(current) && isObject(value)) {
    setKey(target, key, strategies(s).includes('replace') ? fresh(value, s) : mergeMap(current, value, s));
  } else if (Array.isArray(current) && Array.isArray(value)) {
    setKey(target, key, mergeList(current, value, s));
  } else {
    setKey(target, key, fresh(value, s));
  }
}

/** A patch value placed where nothing was: directives are applied against emptiness. */
function fresh(value: unknown, s: Schema | undefined): unknown {
  if (isObject(value)) return mergeMap({}, value, s);
  if (Array.isArray(value)) return mergeList([], value, s);
  return value;
}

function mergeList(original: unknown[], patch: unknown[], s: Schema | undefined): unknown[] {
  if (opaque(s)) return mergePatchValue(undefined, patch) as unknown[];
  if (!strategies(s).includes('merge')) return patch.map((v) => fresh(v, s.items));
  return mergeSlice(original, patch, s.items, s.patchMergeKey);
}

type ElementKind = 'map' | 'scalar' | 'empty';

function elementKind(...lists: unknown[][]): ElementKind {
  let kind: string | undefined;
  for (const el of lists.flat()) {
    if (Array.isArray(el)) throw new PatchApplyError('lists of lists are not supported');
    const k = isObject(el) ? 'map' : goJsonKind(el);
    if (kind !== undefined && k !== kind) throw badRequest(`list element types are not identical: ${goFormat(lists)}`);
    kind = k;
  }
  return kind === undefined ? 'empty' : kind === 'map' ? 'map' : 'scalar';
}

function goKind(items: Schema | undefined): string {
  if (items?.properties) return 'struct';
  if (items?.additionalProperties) return 'map';
  return items?.type ?? 'interface';
}

function mergeSlice(original: unknown[], patch: unknown[], items: Schema | undefined, mergeKey: string | undefined): unknown[] {
  const kind = elementKind(original, patch);
  if (kind === 'empty') return [];
  if (kind === 'scalar') {
    const merged = [...new Set([...original, ...patch])];
    const inPatch = new Set(patch);
    return normalizeOrder(merged.filter((v) => inPatch.has(v)), merged.filter((v) => !inPatch.has(v)), patch, original, undefined);
  }
  if (!mergeKey) throw badRequest(`cannot merge lists without merge key for type ${goKind(items)}`);

  let base = original as JsonObject[];
  const plain: JsonObject[] = [];
  let replace = false;
  for (const el of patch as JsonObject[]) {
    if (!hasOwn(el, DIRECTIVE)) {
      plain.push(el);
      continue;
    }
    const directive = el[DIRECTIVE];
    if (directive === 'delete') {
      if (!hasOwn(el, mergeKey)) throw noMergeKey(el, mergeKey);
      base = base.filter((o) => !(hasOwn(o, mergeKey) && o[mergeKey] === el[mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      // Kubernetes refuses this; merging is what the element asks for anyway.
      plain.push(without(el, DIRECTIVE));
    } else {
      throw badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(el)}`);
    }
  }
  if (replace) {
    for (const el of plain) if (!hasOwn(el, mergeKey)) throw noMergeKey(el, mergeKey);
    return plain.map((el) => fresh(el, items));
  }

  const serverOrder = base;
  const merged = [...base];
  for (const el of plain) {
    if (!hasOwn(el, mergeKey)) throw noMergeKey(el, mergeKey);
    const i = merged.findIndex((o) => hasOwn(o, mergeKey) && o[mergeKey] === el[mergeKey]);
    if (i >= 0) merged[i] = mergeMap(merged[i], el, items);
    else merged.push(fresh(el, items) as JsonObject);
  }
  const patchKeys = new Set(plain.map((el) => el[mergeKey]));
  const inPatch = merged.filter((o) => patchKeys.has(o[mergeKey]));
  const serverOnly = merged.filter((o) => !patchKeys.has(o[mergeKey]));
  return normalizeOrder(inPatch, serverOnly, plain, serverOrder, mergeKey);
}

/**
 * Kubernetes' list ordering: items named by the patch (or by $setElementOrder)
 * follow that order, items only on the server keep theirs, and the two are
 * interleaved by walking both and emitting a server item first only when the
 * server list already had it before the next patch item. A brand-new item is
 * therefore emitted ahead of the server-only items that follow it.
 */
function normalizeOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string | undefined): unknown[] {
  const keyOf = (v: unknown): unknown => (mergeKey === undefined ? v : (v as JsonObject)[mergeKey]);
  if (mergeKey !== undefined) {
    for (const v of [patchItems, serverOnly, patchOrder, serverOrder].flat()) {
      if (!isObject(v)) throw badRequest(`expected a map[string]interface {}, but received a ${goType(v)}`);
      if (!hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    }
  }
  const positions = (order: unknown[]): Map<unknown, number> => {
    const m = new Map<unknown, number>();
    order.forEach((v, i) => { if (!m.has(keyOf(v))) m.set(keyOf(v), i); });
    return m;
  };
  const sortBy = (list: unknown[], order: unknown[]): unknown[] => {
    const pos = positions(order);
    const at = (v: unknown) => pos.get(keyOf(v)) ?? Number.MAX_SAFE_INTEGER;
    return [...list].sort((a, b) => at(a) - at(b));
  };
  const left = sortBy(serverOnly, serverOrder);
  const right = sortBy(patchItems, patchOrder);
  const server = positions(serverOrder);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = server.get(keyOf(left[i]));
    const ri = server.get(keyOf(right[j]));
    if (li !== undefined && ri !== undefined && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return out.concat(left.slice(i), right.slice(j));
}

function listKey(key: string, prefix: string, error: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw badRequest(error);
  return key.slice(slash + 1);
}

function without(o: JsonObject, key: string): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (k !== key) setKey(out, k, v);
  return out;
}

function retainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest(ERR_RETAIN_KEYS);
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k === RETAIN_KEYS || k.startsWith(DELETE_FROM) || k.startsWith(SET_ORDER)) continue;
    if (!keep.has(k)) throw badRequest(ERR_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function deleteFromList(target: JsonObject, key: string, toDelete: unknown): void {
  if (!Array.isArray(toDelete)) throw badRequest(ERR_PRIMITIVE_LIST);
  const current = hasOwn(target, key) ? target[key] : undefined;
  if (!Array.isArray(current)) return;
  const doomed = new Set(toDelete);
  setKey(target, key, current.filter((v) => !doomed.has(v)));
}

/**
 * Applies every `$setElementOrder/<field>` together with `<field>` from the
 * patch, and returns the fields it consumed so the main loop skips them.
 */
function setElementOrders(original: JsonObject, patch: JsonObject, schema: Schema | undefined): Set<string> {
  const consumed = new Set<string>();
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const field = listKey(key, SET_ORDER, ERR_SET_ORDER);
    if (!Array.isArray(order)) throw badArgType(order);
    const s = fieldSchema(schema, field);
    if (opaque(s)) continue;
    const mergeKey = s.patchMergeKey;
    const current = hasOwn(original, field) && original[field] !== null ? original[field] : undefined;
    const patched = hasOwn(patch, field) ? patch[field] : undefined;
    if (current !== undefined && !Array.isArray(current)) throw badArgType(current);
    if (patched !== undefined && !Array.isArray(patched)) throw badArgType(patched);
    checkOrder(patched ?? [], order, mergeKey);
    consumed.add(field);
    if (current === undefined && patched === undefined) continue;

    const merged = current && patched ? mergeList(current, patched, s) : current ?? fresh(patched, s) as unknown[];
    const kind = elementKind(merged);
    if (kind === 'map' && mergeKey) {
      const named = new Set(order.map((o) => (isObject(o) ? o[mergeKey] : undefined)));
      const has = (v: unknown) => named.has((v as JsonObject)[mergeKey]);
      setKey(original, field, normalizeOrder(merged.filter(has), merged.filter((v) => !has(v)), order, current ?? [], mergeKey));
    } else if (kind === 'scalar') {
      const named = new Set(order);
      setKey(original, field, normalizeOrder(merged.filter((v) => named.has(v)), merged.filter((v) => !named.has(v)), order, current ?? [], undefined));
    } else {
      setKey(original, field, merged);
    }
  }
  return consumed;
}

/** The patch list must name its items in the same relative order as $setElementOrder. */
function checkOrder(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const keyOf = (v: unknown): unknown => {
    if (!mergeKey) return v;
    if (!isObject(v)) throw badRequest(`expected a map[string]interface {}, but received a ${goType(v)}`);
    if (!hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    return v[mergeKey];
  };
  const items = mergeKey ? patchList.filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete')) : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObject(item) && hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (keyOf(item) === keyOf(order[o])) p++;
    o++;
  }
  if (p < items.length) {
    throw badRequest(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ORDER} list:\n${goFormat(order)}\n`);
  }
}
