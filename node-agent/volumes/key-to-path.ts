import type { AnyObject } from '../../client/resource.js';
import type { Payload } from './atomic-writer.js';

/** kube's default mode of config map, secret, downward API and projected files: 0644. */
export const DEFAULT_MODE = 0o644;

/**
 * The files of a config map's or secret's keys: every key under its own
 * name, or with `items` only those keys, each at its path with its mode.
 * A key `items` names that is not there fails the volume unless the source
 * is optional; `missingKey` says so in kube's words.
 */
export function keysToPayload(data: Map<string, Buffer>, items: AnyObject[] | undefined, defaultMode: number, optional: boolean, missingKey: (key: string) => string): Payload {
  const payload: Payload = new Map();
  if (!items?.length) {
    for (const [key, bytes] of data) payload.set(key, { data: bytes, mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const bytes = data.get(item.key);
    if (bytes === undefined) {
      if (optional) continue;
      throw new Error(missingKey(item.key));
    }
    payload.set(item.path, { data: bytes, mode: item.mode ?? defaultMode });
  }
  return payload;
}

/** A config map's data and binaryData as bytes. */
export function configMapData(cm: AnyObject | undefined): Map<string, Buffer> {
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries<string>(cm?.data ?? {})) data.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries<string>(cm?.binaryData ?? {})) data.set(k, Buffer.from(v, 'base64'));
  return data;
}

/** A secret's data, decoded. */
export function secretData(secret: AnyObject | undefined): Map<string, Buffer> {
  return new Map(Object.entries<string>(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}
