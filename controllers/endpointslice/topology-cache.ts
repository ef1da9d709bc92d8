import { clone } from '../../api/deep-equal.js';
import { isNodeReady } from '../../api/node-status.js';
import type { KObject } from '../../api/kind.js';
import { quantityMilliValue } from '../../api/validation/quantity.js';
import { LABEL_TOPOLOGY_ZONE } from '../../api/well-known.js';
import type { AnyObject } from '../../client/resource.js';

/** The most any one endpoint may be overloaded by keeping traffic in its zone. */
const OVERLOAD_THRESHOLD = 0.2;

/** kube's event messages for topology aware hints. */
export const HINT_MESSAGES = {
  noZoneSpecified: 'One or more endpoints do not have a zone specified',
  noAllocatedHintsForZones: 'No hints allocated for zones',
  enabled: 'Topology Aware Hints has been enabled',
  disabled: 'Topology Aware Hints has been disabled',
  insufficientNodeInfo: 'Insufficient Node information: allocatable CPU or zone not specified on one or more nodes',
  nodesReadyInOneZoneOnly: 'Nodes only ready in one zone',
  insufficientNumberOfEndpoints: 'Insufficient number of endpoints',
  minAllocationExceedsOverloadThreshold: 'Unable to allocate minimum required endpoints to each zone without exceeding overload threshold',
};

export interface HintEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The slices of one Service and address type a sync is about to write, and those it leaves alone. */
export interface SliceInfo {
  serviceKey: string;
  addressType: string;
  toCreate: AnyObject[];
  toUpdate: AnyObject[];
  unchanged: AnyObject[];
}

interface Allocation {
  minimum: number;
  maximum: number;
  desired: number;
}

const isReady = (ep: KObject): boolean => ep.conditions?.ready === true;
const readyCount = (slices: AnyObject[]) => slices.reduce((n, s) => n + (s.endpoints ?? []).filter(isReady).length, 0);
/** kube's hint event messages end with the address type they are about. */
export const withAddressType = (message: string, addressType: string) => `${message}, addressType: ${addressType}`;
const disabled = (message: string): HintEvent => ({ type: 'Warning', reason: 'TopologyAwareHintsDisabled', message });

/** Control plane nodes serve no workload traffic: their CPU does not count. */
const isExcluded = (node: AnyObject): boolean => {
  const labels = node.metadata.labels ?? {};
  return 'node-role.kubernetes.io/control-plane' in labels || 'node-role.kubernetes.io/master' in labels;
};

/**
 * Strips the hints from the slices about to be written, and from unchanged
 * slices that carry any (those join the updates, as copies).
 */
export function removeHintsFromSlices(si: SliceInfo): void {
  for (const slice of [...si.toCreate, ...si.toUpdate]) {
    for (const ep of slice.endpoints ?? []) delete ep.hints;
  }
  const stillUnchanged: AnyObject[] = [];
  for (const slice of si.unchanged) {
    if (!(slice.endpoints ?? []).some((ep: KObject) => ep.hints != null)) {
      stillUnchanged.push(slice);
      continue;
    }
    const copy = clone(slice);
    for (const ep of copy.endpoints) delete ep.hints;
    si.toUpdate.push(copy);
  }
  si.unchanged = stillUnchanged;
}

/** The zone holding the most of what is left to give or receive. */
function most(zones: Map<string, number>): [string, number] {
  let zone = '';
  let n = 0;
  for (const [z, v] of zones) {
    if (v > n) {
      zone = z;
      n = v;
    }
  }
  return [zone, n];
}

/**
 * kube's topology cache for Services with topology-mode Auto: each zone's
 * share of the cluster's allocatable CPU says how many of a Service's ready
 * endpoints should be hinted for it. Endpoints are hinted for their own
 * zone first; zones with more than their share then give some to zones
 * with less, as long as no endpoint gets more than 20% above its share.
 */
export class TopologyCache {
  private cpuRatiosByZone?: Map<string, number>;
  // service key -> address type -> hinted endpoints by zone
  private readonly endpointsByService = new Map<string, Map<string, Map<string, number>>>();
  private readonly hintsPopulated = new Set<string>();

  /** Takes in the nodes' zones and CPU; any ready node without either turns hints off everywhere. */
  setNodes(nodes: AnyObject[]): void {
    const cpuByZone = new Map<string, number>();
    let total = 0;
    let sufficient = true;
    for (const node of nodes) {
      if (isExcluded(node) || !isNodeReady(node)) continue;
      const zone = node.metadata.labels?.[LABEL_TOPOLOGY_ZONE];
      const cpu = quantityMilliValue(node.status?.allocatable?.cpu);
      if (!zone || !cpu) {
        sufficient = false;
        break;
      }
      total += cpu;
      cpuByZone.set(zone, (cpuByZone.get(zone) ?? 0) + cpu);
    }
    if (!total || !sufficient || cpuByZone.size < 2) {
      this.cpuRatiosByZone = undefined;
      return;
    }
    this.cpuRatiosByZone = new Map([...cpuByZone].map(([zone, cpu]) => [zone, cpu / total]));
  }

  /** Services whose hinted endpoints leave some zone below its minimum now that the nodes changed. */
  overloadedServices(): string[] {
    const keys: string[] = [];
    for (const [key, byType] of this.endpointsByService) {
      if ([...byType.values()].some((byZone) => this.overloaded(byZone))) keys.push(key);
    }
    return keys;
  }

  hasPopulatedHints(serviceKey: string): boolean {
    return this.hintsPopulated.has(serviceKey);
  }

  removeHints(serviceKey: string, addressType: string): void {
    const byType = this.endpointsByService.get(serviceKey);
    byType?.delete(addressType);
    if (!byType?.size) this.endpointsByService.delete(serviceKey);
    this.hintsPopulated.delete(serviceKey);
  }

  /** Hints the slices in `si` (moving unchanged slices whose hints are wrong to the updates); answers the events to record. */
  addHints(si: SliceInfo): HintEvent[] {
    const giveUp = (event: HintEvent): HintEvent[] => {
      this.removeHints(si.serviceKey, si.addressType);
      removeHintsFromSlices(si);
      return [event];
    };
    const total = readyCount([...si.toCreate, ...si.toUpdate, ...si.unchanged]);
    const allocations = this.allocations(total);
    if (!(allocations instanceof Map)) return giveUp({ ...allocations, message: withAddressType(allocations.message, si.addressType) });

    const hinted = this.allocatedHintsOfUnchanged(si, allocations);
    const allocatable = [...si.toCreate, ...si.toUpdate];
    for (const slice of allocatable) {
      for (const ep of slice.endpoints ?? []) {
        if (!isReady(ep)) {
          delete ep.hints;
          continue;
        }
        if (!ep.zone) return giveUp(disabled(withAddressType(HINT_MESSAGES.noZoneSpecified, si.addressType)));
        hinted.set(ep.zone, (hinted.get(ep.zone) ?? 0) + 1);
        ep.hints = { forZones: [{ name: ep.zone }] };
      }
    }
    const { giving, receiving } = givingAndReceivingZones(allocations, hinted);
    for (const [zone, diff] of redistribute(allocatable, giving, receiving)) hinted.set(zone, (hinted.get(zone) ?? 0) + diff);
    if (!hinted.size) return giveUp(disabled(withAddressType(HINT_MESSAGES.noAllocatedHintsForZones, si.addressType)));

    const wasPopulated = this.hintsPopulated.has(si.serviceKey);
    let byType = this.endpointsByService.get(si.serviceKey);
    if (!byType) this.endpointsByService.set(si.serviceKey, (byType = new Map()));
    byType.set(si.addressType, hinted);
    this.hintsPopulated.add(si.serviceKey);
    return wasPopulated ? [] : [{ type: 'Normal', reason: 'TopologyAwareHintsEnabled', message: withAddressType(HINT_MESSAGES.enabled, si.addressType) }];
  }

  /**
   * Per zone: at least its CPU share of the endpoints shrunk by the overload
   * threshold, at most that plus whatever the minimums leave over. Or why
   * hints cannot be given.
   */
  private allocations(endpoints: number): Map<string, Allocation> | HintEvent {
    const ratios = this.cpuRatiosByZone;
    if (!ratios) return disabled(HINT_MESSAGES.insufficientNodeInfo);
    if (ratios.size < 2) return disabled(HINT_MESSAGES.nodesReadyInOneZoneOnly);
    if (ratios.size > endpoints) return disabled(`${HINT_MESSAGES.insufficientNumberOfEndpoints} (${endpoints} endpoints, ${ratios.size} zones)`);
    const allocations = new Map<string, Allocation>();
    let remaining = endpoints;
    let minTotal = 0;
    for (const [zone, ratio] of ratios) {
      const desired = ratio * endpoints;
      const minimum = Math.ceil(desired * (1 / (1 + OVERLOAD_THRESHOLD)));
      allocations.set(zone, { minimum, maximum: 0, desired: Math.max(desired, minimum) });
      minTotal += minimum;
      remaining -= minimum;
      if (remaining < 0) return disabled(`${HINT_MESSAGES.minAllocationExceedsOverloadThreshold} (${endpoints} endpoints, ${ratios.size} zones)`);
    }
    for (const allocation of allocations.values()) allocation.maximum = allocation.minimum + endpoints - minTotal;
    return allocations;
  }

  /**
   * Counts the hints unchanged slices already carry; a slice whose hints no
   * longer fit (a ready endpoint without one, a zone that needs none, more
   * than a zone's maximum) joins the updates to be hinted afresh.
   */
  private allocatedHintsOfUnchanged(si: SliceInfo, allocations: Map<string, Allocation>): Map<string, number> {
    const hinted = new Map<string, number>();
    const stillUnchanged: AnyObject[] = [];
    for (const slice of si.unchanged) {
      const byZone = hintsByZone(slice, hinted, allocations);
      if (!byZone) {
        si.toUpdate.push(clone(slice));
        continue;
      }
      stillUnchanged.push(slice);
      for (const [zone, n] of byZone) hinted.set(zone, (hinted.get(zone) ?? 0) + n);
    }
    si.unchanged = stillUnchanged;
    return hinted;
  }

  private overloaded(byZone: Map<string, number>): boolean {
    if (!byZone.size) return false;
    const ratios = this.cpuRatiosByZone;
    if (!ratios?.size) return true;
    const total = [...byZone.values()].reduce((a, b) => a + b, 0);
    for (const [zone, ratio] of ratios) {
      const have = byZone.get(zone);
      if (have === undefined || have < Math.ceil(total * ratio * (1 / (1 + OVERLOAD_THRESHOLD)))) return true;
    }
    return false;
  }
}

function hintsByZone(slice: AnyObject, hinted: Map<string, number>, allocations: Map<string, Allocation>): Map<string, number> | undefined {
  const byZone = new Map<string, number>();
  for (const ep of slice.endpoints ?? []) {
    if (!isReady(ep)) continue;
    const zones: KObject[] = ep.hints?.forZones ?? [];
    if (!zones.length) return undefined;
    for (const { name } of zones) {
      if (!allocations.has(name)) return undefined;
      byZone.set(name, (byZone.get(name) ?? 0) + 1);
    }
  }
  for (const [zone, n] of byZone) {
    if (n + (hinted.get(zone) ?? 0) > allocations.get(zone)!.maximum) return undefined;
  }
  return byZone;
}

/** Whole endpoints each zone should give away or receive to come near its desired share. */
function givingAndReceivingZones(allocations: Map<string, Allocation>, hinted: Map<string, number>): { giving: Map<string, number>; receiving: Map<string, number> } {
  const toGive = new Map<string, number>();
  const toReceive = new Map<string, number>();
  for (const [zone, { desired }] of allocations) {
    const have = hinted.get(zone) ?? 0;
    if (have > desired) toGive.set(zone, have - desired);
    else if (have < desired) toReceive.set(zone, desired - have);
  }
  const giving = new Map<string, number>();
  const receiving = new Map<string, number>();
  for (;;) {
    const [givingZone, give] = most(toGive);
    const [receivingZone, receive] = most(toReceive);
    if (!givingZone || !receivingZone || (give < 1 && receive < 1) || give < 0.5 || receive < 0.5) break;
    giving.set(givingZone, (giving.get(givingZone) ?? 0) + 1);
    toGive.set(givingZone, give - 1);
    receiving.set(receivingZone, (receiving.get(receivingZone) ?? 0) + 1);
    toReceive.set(receivingZone, receive - 1);
  }
  return { giving, receiving };
}

/** Re-hints endpoints of giving zones for receiving zones; answers the change in hints per zone. */
function redistribute(slices: AnyObject[], giving: Map<string, number>, receiving: Map<string, number>): Map<string, number> {
  const changes = new Map<string, number>();
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      if (!isReady(ep)) continue;
      if (!giving.size || !receiving.size) return changes;
      const give = giving.get(ep.zone);
      if (!give) continue;
      const [receivingZone, receive] = receiving.entries().next().value as [string, number];
      ep.hints = { forZones: [{ name: receivingZone }] };
      if (give === 1) giving.delete(ep.zone);
      else giving.set(ep.zone, give - 1);
      if (receive === 1) receiving.delete(receivingZone);
      else receiving.set(receivingZone, receive - 1);
      changes.set(receivingZone, (changes.get(receivingZone) ?? 0) + 1);
      changes.set(ep.zone, (changes.get(ep.zone) ?? 0) - 1);
    }
  }
  return changes;
}
