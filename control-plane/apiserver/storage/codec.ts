import type { KObject } from '../../../api/kind.js';

/**
 * The start of a stored value, up to the inside of its metadata; kind and
 * apiVersion lead when present. Printable ASCII only, so characters and
 * bytes line up.
 */
const HEAD = /^\{("kind":"[\x20\x21\x23-\x5b\x5d-\x7e]*","apiVersion":"[\x20\x21\x23-\x5b\x5d-\x7e]*",)?"metadata":\{(?!\})/;
/** How far into a value the lead can reach. */
const HEAD_WINDOW = 512;

/**
 * How objects sit in etcd: JSON led by kind, apiVersion and metadata, and
 * without resourceVersion, which is never stored but read back from the
 * key's mod_revision. The fixed lead lets a read answer the stored bytes
 * with the resourceVersion spliced in, without parsing them.
 */
export function encode(obj: KObject): Buffer {
  const { kind, apiVersion, metadata, ...rest } = obj;
  const { resourceVersion: _rv, ...meta } = metadata ?? {};
  return Buffer.from(JSON.stringify({ kind, apiVersion, metadata: meta, ...rest }));
}

export function decode(value: Buffer, revision: number): KObject {
  const obj = JSON.parse(value.toString());
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

/**
 * Where a resourceVersion goes in a stored value: the byte offset just
 * inside its metadata, or -1 when the value does not have the lead encode
 * gives it (or, with `typed`, lacks kind and apiVersion).
 */
function resourceVersionOffset(value: Buffer, typed: boolean): number {
  const head = HEAD.exec(value.toString('latin1', 0, Math.min(value.length, HEAD_WINDOW)));
  return !head || (typed && !head[1]) ? -1 : head[0].length;
}

/**
 * The JSON of a stored value with its resourceVersion, made by splicing
 * rather than parsing: what a write answers with. Undefined when the value
 * cannot be spliced; the caller then decodes.
 */
export function withResourceVersion(value: Buffer, revision: number): string | undefined {
  const at = resourceVersionOffset(value, false);
  if (at < 0) return undefined;
  return `${value.toString('latin1', 0, at)}"resourceVersion":"${revision}",${value.toString('utf8', at)}`;
}

/**
 * The same splice as pieces of the stored bytes, for a list item: no copy,
 * no string. Undefined unless the value carries kind and apiVersion.
 */
export function resourceVersionPieces(value: Buffer, revision: number): Buffer[] | undefined {
  const at = resourceVersionOffset(value, true);
  if (at < 0) return undefined;
  return [value.subarray(0, at), Buffer.from(`"resourceVersion":"${revision}",`), value.subarray(at)];
}

/** Serialized forms of objects a write just stored, so the answer is not serialized twice. */
export const serialized = new WeakMap<KObject, string>();
