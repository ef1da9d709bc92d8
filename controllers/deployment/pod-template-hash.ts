import { clone, isObject } from '../../api/deep-equal.js';
import type { AnyObject } from '../../client/resource.js';

/** The label that keeps a Deployment's ReplicaSets (and their pods) apart: apps/v1's DefaultDeploymentUniqueLabelKey. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

// k8s.io/apimachinery's rand.SafeEncodeString alphabet: no vowels, no confusable characters.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Serializes JSON with keys in order, so equal templates hash equally whatever order their fields arrived in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * kube's ComputeHash: FNV-32a over the pod template, then over the
 * collision count as eight little-endian bytes when there is one, written in
 * decimal and mapped through SafeEncodeString. kube feeds the hash a Go dump
 * of its structs; Skiff feeds it the template's canonical JSON, so the
 * values differ from kube's while behaving the same: stable for a template,
 * new for any change, and moved on by collisionCount.
 */
export function computeHash(template: AnyObject, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonical(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return [...String(h)].map((c) => alphabet[c.charCodeAt(0) % alphabet.length]).join('');
}

/** Empty lists and maps equal missing ones, as in apimachinery's semantic equality. */
function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && !v.length) || (isObject(v) && !Object.keys(v).some((k) => v[k] !== undefined));
  if (empty(a) && empty(b)) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => semanticEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => semanticEqual(a[k], b[k]));
  }
  return a === b;
}

/** Whether two pod templates are the same but for the pod-template-hash label (kube's EqualIgnoreHash). */
export function equalIgnoreHash(a: AnyObject | undefined, b: AnyObject | undefined): boolean {
  const strip = (t: AnyObject | undefined) => {
    const copy = clone(t ?? {}) as AnyObject;
    if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH];
    return copy;
  };
  return semanticEqual(strip(a), strip(b));
}
