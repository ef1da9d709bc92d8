import type { AnyObject } from '../../client/resource.js';
import { resourceValue } from '../pods/container-env.js';
import type { Payload } from './atomic-writer.js';
import { DEFAULT_MODE } from './key-to-path.js';
import type { VolumeContext, VolumePlugin } from './volume-plugin.js';

/** downwardAPI: the pod's own metadata and its containers' resources as files, rewritten when the pod's labels or annotations change. */
export const downwardAPIPlugin: VolumePlugin = {
  name: 'kubernetes.io~downward-api',
  readOnly: true,
  refreshes: true,
  async setUp(volume, dir, ctx) {
    const payload = downwardAPIPayload(volume.downwardAPI.items, ctx, volume.downwardAPI.defaultMode ?? DEFAULT_MODE);
    await ctx.emptyDir(dir, 'disk');
    ctx.writeAtomically(dir, payload);
    return dir;
  },
};

/** The files of a downwardAPI volume or projection. */
export function downwardAPIPayload(items: AnyObject[] | undefined, ctx: VolumeContext, defaultMode: number): Payload {
  const payload: Payload = new Map();
  for (const item of items ?? []) {
    const value = item.fieldRef
      ? metadataValue(ctx.pod, item.fieldRef.fieldPath)
      : resourceValue(ctx.pod, undefined, item.resourceFieldRef ?? {}, ctx.allocatable());
    payload.set(item.path, { data: Buffer.from(value, 'utf8'), mode: item.mode ?? defaultMode });
  }
  return payload;
}

/** The fields a downward API file may hold (kube's ExtractFieldPathAsString): the pod's metadata only. */
function metadataValue(pod: AnyObject, path: string): string {
  const meta = pod.metadata as AnyObject;
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return meta[sub[1]]?.[sub[2]] ?? '';
  switch (path) {
    case 'metadata.labels': return formatMap(meta.labels ?? {});
    case 'metadata.annotations': return formatMap(meta.annotations ?? {});
    case 'metadata.name': return meta.name;
    case 'metadata.namespace': return meta.namespace;
    case 'metadata.uid': return meta.uid;
    default: throw new Error(`unsupported fieldPath: ${path}`);
  }
}

/** `key="value"` lines in key order, no newline after the last: kube's FormatMap. */
function formatMap(map: Record<string, string>): string {
  return Object.keys(map).sort().map((k) => `${k}=${goQuote(map[k])}`).join('\n');
}

/** A string as Go's %q writes it: double quotes, backslash escapes, control characters as \xNN. */
function goQuote(s: string): string {
  const named: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
