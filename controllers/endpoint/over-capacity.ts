import type { KObject } from '../../api/kind.js';

/** Addresses an Endpoints object holds at most; beyond, the controller truncates it. */
export const MAX_CAPACITY = 1000;
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
export const TRUNCATED = 'truncated';

const count = (subsets: KObject[] | undefined, field: 'addresses' | 'notReadyAddresses') =>
  (subsets ?? []).reduce((n, ss) => n + (ss[field]?.length ?? 0), 0);

/** False when the addresses must be truncated, or the annotation says so while they need not be. */
export function capacityAnnotationSetCorrectly(annotations: Record<string, string> | undefined, subsets: KObject[] | undefined): boolean {
  if (count(subsets, 'addresses') + count(subsets, 'notReadyAddresses') > MAX_CAPACITY) return false;
  return annotations?.[ANNOTATION_OVER_CAPACITY] === undefined;
}

/**
 * Cuts the subsets down to MAX_CAPACITY addresses, ready ones first: when
 * the ready ones alone are too many, every subset keeps its share of them
 * (rounded up, the last ones taking what is left) and no not-ready ones;
 * otherwise the not-ready ones share the room the ready ones leave. Answers
 * whether anything was cut.
 */
export function truncateEndpoints(subsets: KObject[]): boolean {
  const totalReady = count(subsets, 'addresses');
  const totalNotReady = count(subsets, 'notReadyAddresses');
  if (totalReady + totalNotReady <= MAX_CAPACITY) return false;
  const truncateReady = totalReady > MAX_CAPACITY;
  const room = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let left = room;
  for (const ss of subsets) {
    const field = truncateReady ? 'addresses' : 'notReadyAddresses';
    const share = Math.min(Math.ceil(((ss[field]?.length ?? 0) / total) * room), left);
    if (ss[field]) ss[field] = ss[field].slice(0, share);
    if (truncateReady) delete ss.notReadyAddresses;
    left -= ss[field]?.length ?? 0;
    if (!ss[field]?.length) delete ss[field];
  }
  return true;
}
