import type { KObject } from '../../../api/kind.js';

/**
 * How objects sit in etcd: JSON without resourceVersion, which is never
 * stored but read back from the key's mod_revision.
 */
export function encode(obj: KObject): Buffer {
  const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
  return Buffer.from(JSON.stringify({ ...obj, metadata: meta }));
}

export function decode(value: Buffer, revision: number): KObject {
  const obj = JSON.parse(value.toString());
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}
