import type { AnyObject } from '../../client/resource.js';

/**
 * podByCreationTimestampAndPhase: pods bound to their node first, then
 * the oldest, then by name; the first of a node's daemon pods is the one
 * kept and counted.
 */
export function byCreationAndPhase(a: AnyObject, b: AnyObject): number {
  const unbound = (p: AnyObject) => (p.spec?.nodeName ? 0 : 1);
  return unbound(a) - unbound(b)
    || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '')
    || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}
