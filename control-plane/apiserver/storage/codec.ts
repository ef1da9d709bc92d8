import type { KObject } from '../../../api/kind.js';

const HEAD = '{"metadata":{';

/**
 * How objects sit in etcd: JSON with metadata first and without
 * resourceVersion, which is never stored but read back from the key's
 * mod_revision.
 */
export function encode(obj: KObject): Buffer {
  const { metadata, ...rest } = obj;
  const { resourceVersion: _rv, ...meta } = metadata ?? {};
  return Buffer.from(JSON.stringify({ metadata: meta, ...rest }));
}

export function decode(value: Buffer, revision: number): KObject {
  const obj = JSON.parse(value.toString());
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

/**
 * The JSON of a stored value with its resourceVersion, made by splicing
 * rather than parsing: what a write answers with.
 */
export function withResourceVersion(value: Buffer, revision: number): string | undefined {
  const text = value.toString();
  if (!text.startsWith(HEAD) || text[HEAD.length] === '}') return undefined;
  return `${HEAD}"resourceVersion":"${revision}",${text.slice(HEAD.length)}`;
}

/** Serialized forms of objects a write just stored, so the answer is not serialized twice. */
export const serialized = new WeakMap<KObject, string>();
