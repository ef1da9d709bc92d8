import { deepEqual } from '../../api/deep-equal.js';
import type { KObject } from '../../api/kind.js';

/**
 * What identifies an endpoint across syncs: its addresses, hostname and
 * target. Everything else (conditions, node, zone) may change in place.
 */
const identity = (ep: KObject): string =>
  JSON.stringify([[...(ep.addresses ?? [])].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);

/** Endpoints by identity; the first one inserted is the first one popped. */
export class EndpointSet {
  private readonly items = new Map<string, KObject>();

  insert(ep: KObject): void {
    this.items.set(identity(ep), ep);
  }

  get(ep: KObject): KObject | undefined {
    return this.items.get(identity(ep));
  }

  delete(ep: KObject): void {
    this.items.delete(identity(ep));
  }

  popAny(): KObject | undefined {
    const first = this.items.entries().next();
    if (first.done) return undefined;
    this.items.delete(first.value[0]);
    return first.value[1];
  }

  get size(): number {
    return this.items.size;
  }
}

const withoutResourceVersion = (ref: KObject | undefined): KObject | undefined => {
  if (!ref) return ref;
  const { resourceVersion: _ignored, ...rest } = ref;
  return rest;
};

/**
 * Whether two endpoints of the same identity also agree on what may change in
 * place: node, zone, conditions and target (a pod's resourceVersion aside).
 */
export function endpointsEqualBeyondIdentity(a: KObject, b: KObject): boolean {
  const conditions = (ep: KObject) => [ep.conditions?.ready, ep.conditions?.serving, ep.conditions?.terminating];
  return a.nodeName === b.nodeName && a.zone === b.zone
    && deepEqual(conditions(a), conditions(b))
    && deepEqual(withoutResourceVersion(a.targetRef), withoutResourceVersion(b.targetRef));
}
