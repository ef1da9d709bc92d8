import { clone } from '../../api/deep-equal.js';
import type { KObject } from '../../api/kind.js';

const isReady = (ep: KObject): boolean => ep.conditions?.ready === true;

interface Heuristic {
  needsUpdate(slice: KObject): boolean;
  update(slice: KObject): void;
}

/** Cluster-wide routing: no endpoint carries hints. */
const noHints: Heuristic = {
  needsUpdate: (slice) => (slice.endpoints ?? []).some((ep: KObject) => ep.hints != null),
  update: (slice) => {
    for (const ep of slice.endpoints ?? []) delete ep.hints;
  },
};

/** PreferClose: every ready endpoint with a zone is hinted for its own zone. */
const preferClose: Heuristic = {
  needsUpdate: (slice) => (slice.endpoints ?? []).some((ep: KObject) => {
    if (!isReady(ep)) return false;
    const zones: KObject[] = ep.hints?.forZones ?? [];
    return ep.zone !== undefined ? zones.length !== 1 || zones[0]?.name !== ep.zone : zones.length > 0;
  }),
  update: (slice) => {
    for (const ep of slice.endpoints ?? []) {
      if (!isReady(ep)) continue;
      if (ep.zone !== undefined) ep.hints = { forZones: [{ name: ep.zone }] };
      else delete ep.hints;
    }
  },
};

/**
 * Brings the slices' hints in line with the Service's trafficDistribution
 * (kube 1.32 knows PreferClose): the slices about to be written get them,
 * and an unchanged slice whose hints are wrong joins the updates.
 */
export function reconcileHints<T extends KObject>(trafficDistribution: string | undefined, toCreate: T[], toUpdate: T[], unchanged: T[]): T[] {
  const heuristic = trafficDistribution === 'PreferClose' ? preferClose : noHints;
  const updates = [...toUpdate, ...unchanged.filter((s) => heuristic.needsUpdate(s)).map((s) => clone(s))];
  for (const slice of [...toCreate, ...updates]) heuristic.update(slice);
  return updates;
}
