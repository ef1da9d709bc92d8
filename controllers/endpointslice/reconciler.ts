import { clone, deepEqual } from '../../api/deep-equal.js';
import { isPodReady } from '../../api/pod-status.js';
import type { KObject } from '../../api/kind.js';
import {
  ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ANNOTATION_TOPOLOGY_AWARE_HINTS, ANNOTATION_TOPOLOGY_MODE,
  LABEL_HEADLESS_SERVICE, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_TOPOLOGY_ZONE,
} from '../../api/well-known.js';
import { rfc3339Nano } from '../../api/time.js';
import { canonicalIP } from '../../api/net.js';
import { aggregate, ignoreNotFound, isNamespaceTerminating, wrapError } from '../../client/api-error.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { ENDPOINT_SLICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { endpointPortsFor, portMapKey } from '../endpointutil/endpoint-ports.js';
import { EndpointSet, endpointsEqualBeyondIdentity } from '../endpointutil/endpoint-set.js';
import type { EndpointSliceTracker } from '../endpointutil/endpoint-slice-tracker.js';
import { podIPs, shouldPodBeInEndpoints, shouldSetHostname } from '../endpointutil/pod-endpoints.js';
import { HINT_MESSAGES, withAddressType, type HintEvent, type SliceInfo, type TopologyCache } from './topology-cache.js';
import { reconcileHints } from './traffic-distribution.js';

type AddressType = 'IPv4' | 'IPv6';
const ALL_ADDRESS_TYPES: readonly AddressType[] = ['IPv4', 'IPv6'];

interface SliceChanges {
  toCreate: AnyObject[];
  toUpdate: AnyObject[];
  toDelete: AnyObject[];
}

export interface SliceReconcilerOptions {
  client: RestClient;
  nodes: Informer;
  maxEndpointsPerSlice: number;
  tracker: EndpointSliceTracker;
  /** The managed-by value of the slices this reconciler owns. */
  controllerName: string;
  topologyCache: TopologyCache;
  /** Reports on the Service how its topology hints went. */
  recorder: EventRecorder;
}

/** API objects always have a name; the client's types leave it optional. */
const nameOf = (o: AnyObject): string => o.metadata.name ?? '';
const serviceName = (service: AnyObject) => `${service.metadata.namespace}/${service.metadata.name}`;

/** A Service without a cluster IP (headless, or none yet) gets the headless label. */
const isServiceIPSet = (service: AnyObject): boolean => !!service.spec?.clusterIP && service.spec.clusterIP !== 'None';

/** The deprecated annotation wins over topology-mode when both are set. */
function hintsEnabled(annotations: Record<string, string> | undefined): boolean {
  const value = annotations?.[ANNOTATION_TOPOLOGY_AWARE_HINTS] ?? annotations?.[ANNOTATION_TOPOLOGY_MODE];
  return value === 'Auto' || value === 'auto';
}

/**
 * The address types a Service's slices carry: one per IP family. A Service
 * the API server has not given families yet is read from its cluster IP;
 * a headless one then gets both, so nothing is removed before it is known.
 */
function addressTypesFor(service: AnyObject): Set<AddressType> {
  const types = new Set<AddressType>();
  for (const family of service.spec?.ipFamilies ?? []) {
    if (family === 'IPv4' || family === 'IPv6') types.add(family);
  }
  if (types.size) return types;
  if (isServiceIPSet(service)) return new Set([canonicalIP(service.spec.clusterIP)?.family === 6 ? 'IPv6' : 'IPv4']);
  return new Set(['IPv4', 'IPv6']);
}

function ownedBy(slice: AnyObject, service: AnyObject): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === service.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

/**
 * The labels a slice of this Service should carry: the Service's own (but
 * the reserved ones), the headless label when it has no cluster IP, its name
 * and the manager. `changed` says whether the Service's own labels differ
 * from the slice's; a change in the reserved ones alone does not count.
 */
function sliceLabels(slice: AnyObject, service: AnyObject, controllerName: string): { labels: Record<string, string>; changed: boolean } {
  const reserved = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS_SERVICE]);
  const own = (labels: Record<string, string> | undefined) => Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => !reserved.has(k)));
  const labels: Record<string, string> = own(service.metadata.labels);
  const changed = !deepEqual(own(slice.metadata.labels), labels);
  if (!isServiceIPSet(service)) labels[LABEL_HEADLESS_SERVICE] = '';
  labels[LABEL_SERVICE_NAME] = nameOf(service);
  labels[LABEL_MANAGED_BY] = controllerName;
  return { labels, changed };
}

function podToEndpoint(pod: AnyObject, node: AnyObject | undefined, service: AnyObject, addressType: AddressType): KObject {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  // A terminating endpoint is never ready, unless the Service publishes everything.
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const family = addressType === 'IPv6' ? 6 : 4;
  const ep: KObject = {
    addresses: podIPs(pod).map(canonicalIP).filter((ip) => ip?.family === family).map((ip) => ip!.ip),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[LABEL_TOPOLOGY_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, service)) ep.hostname = pod.spec.hostname;
  return ep;
}

/** The slice whose endpoints plus `count` come closest to full without passing `max`. */
function sliceToFill(slices: AnyObject[], count: number, max: number): AnyObject | undefined {
  let closest: AnyObject | undefined;
  let closestDiff = max;
  for (const slice of slices) {
    const diff = max - (count + (slice.endpoints?.length ?? 0));
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = slice;
      if (diff === 0) break;
    }
  }
  return closest;
}

/**
 * The staging endpointslice reconciler of kube: turns the pods a Service
 * selects into EndpointSlices of at most maxEndpointsPerSlice endpoints per
 * address type and set of ports, changing as few slices as it can: existing
 * slices keep their endpoints and are updated in place, freed room is filled
 * before new slices are made, and a slice due for deletion is reused for one
 * due for creation. A Service with no endpoints keeps one empty placeholder
 * slice.
 */
export class EndpointSliceReconciler {
  constructor(private readonly opts: SliceReconcilerOptions) {}

  /**
   * Forgets the topology hints of a Service this reconciler no longer makes
   * slices for (gone, or without a selector), for every address type, so
   * node changes stop bringing it back.
   */
  deleteService(namespace: string, name: string): void {
    for (const addressType of ALL_ADDRESS_TYPES) this.opts.topologyCache.removeHints(`${namespace}/${name}`, addressType);
  }

  /** Throws, after doing all it could, with every failure in one message. */
  async reconcile(service: AnyObject, pods: AnyObject[], existing: AnyObject[], triggerTime: number): Promise<void> {
    const types = addressTypesFor(service);
    const byType = new Map<string, AnyObject[]>();
    const unsupported: AnyObject[] = [];
    for (const slice of existing) {
      if (!types.has(slice.addressType)) unsupported.push(slice);
      else byType.set(slice.addressType, [...(byType.get(slice.addressType) ?? []), slice]);
    }
    const errors: unknown[] = [];
    for (const addressType of types) errors.push(...await this.reconcileByAddressType(service, pods, byType.get(addressType) ?? [], triggerTime, addressType));
    for (const slice of unsupported) {
      try {
        await this.deleteSlice(service, slice);
      } catch (err) {
        errors.push(wrapError(`error deleting ${nameOf(slice)} EndpointSlice for Service ${serviceName(service)}`, err));
      }
    }
    const err = aggregate(errors);
    if (err) throw err;
  }

  private async reconcileByAddressType(service: AnyObject, pods: AnyObject[], existing: AnyObject[], triggerTime: number, addressType: AddressType): Promise<unknown[]> {
    const errors: unknown[] = [];
    const changes: SliceChanges = { toCreate: [], toUpdate: [], toDelete: [] };
    const existingByPorts = new Map<string, AnyObject[]>();
    for (const slice of existing) {
      if (!ownedBy(slice, service)) {
        changes.toDelete.push(slice);
        continue;
      }
      const key = portMapKey(slice.ports);
      existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
    }

    const desired = new Map<string, { ports: KObject[]; endpoints: EndpointSet }>();
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ports = endpointPortsFor(service, pod);
      const key = portMapKey(ports);
      let group = desired.get(key);
      if (!group) desired.set(key, (group = { ports, endpoints: new EndpointSet() }));
      const node = this.opts.nodes.store.get(pod.spec?.nodeName ?? '');
      // A pod on a vanished Node is left out and the Service retried, so the
      // slices neither wait on it nor keep it forever; unless the Service
      // publishes every address anyway.
      if (!node && service.spec?.publishNotReadyAddresses !== true) {
        errors.push(new Error(`skipping Pod ${pod.metadata.name} for Service ${serviceName(service)}: Node ${pod.spec?.nodeName ?? ''} Not Found`));
        continue;
      }
      const ep = podToEndpoint(pod, node, service, addressType);
      if (ep.addresses.length) group.endpoints.insert(ep);
    }

    for (const [key, group] of desired) {
      const c = this.reconcileByPortMapping(service, existingByPorts.get(key) ?? [], group.endpoints, group.ports, addressType);
      changes.toCreate.push(...c.toCreate);
      changes.toUpdate.push(...c.toUpdate);
      changes.toDelete.push(...c.toDelete);
    }
    for (const [key, slices] of existingByPorts) {
      if (!desired.has(key)) changes.toDelete.push(...slices);
    }

    if (existing.length === changes.toDelete.length && changes.toCreate.length === 0) {
      const placeholder = this.newSlice(service, [], addressType);
      if (changes.toDelete.length === 1 && this.samePlaceholder(changes.toDelete[0], placeholder)) changes.toDelete = [];
      else changes.toCreate.push(placeholder);
    }

    const changed = new Set([...changes.toUpdate, ...changes.toDelete].map(nameOf));
    const si: SliceInfo = {
      serviceKey: serviceName(service), addressType,
      toCreate: changes.toCreate, toUpdate: changes.toUpdate, unchanged: existing.filter((s) => !changed.has(nameOf(s))),
    };
    const events = this.hints(service, si);
    changes.toCreate = si.toCreate;
    changes.toUpdate = si.toUpdate;

    try {
      await this.finalize(service, changes, triggerTime);
    } catch (err) {
      errors.push(err);
    }
    for (const event of events) this.opts.recorder.event(service, event.type, event.reason, event.message);
    return errors;
  }

  /**
   * Topology hints: by the topology cache for Services asking for them with
   * the topology-mode annotation (which wins), else as trafficDistribution
   * says. Answers the events to record on the Service.
   */
  private hints(service: AnyObject, si: SliceInfo): HintEvent[] {
    const { topologyCache } = this.opts;
    if (hintsEnabled(service.metadata.annotations)) return topologyCache.addHints(si);
    const events: HintEvent[] = [];
    if (topologyCache.hasPopulatedHints(si.serviceKey)) {
      events.push({ type: 'Warning', reason: 'TopologyAwareHintsDisabled', message: withAddressType(HINT_MESSAGES.disabled, si.addressType) });
    }
    topologyCache.removeHints(si.serviceKey, si.addressType);
    si.toUpdate = reconcileHints(service.spec?.trafficDistribution, si.toCreate, si.toUpdate, si.unchanged);
    return events;
  }

  /**
   * For one set of ports: keep the desired endpoints where they are (updated
   * in place when they changed), drop the others, fill the slices being
   * updated anyway (fullest first), then put what is left in the unchanged
   * slice it fills best, or in new slices.
   */
  private reconcileByPortMapping(service: AnyObject, existing: AnyObject[], desired: EndpointSet, ports: KObject[], addressType: AddressType): SliceChanges {
    const max = this.opts.maxEndpointsPerSlice;
    const byName = new Map<string, AnyObject>();
    const unchanged = new Set<string>();
    const toUpdate = new Set<string>();
    const toDelete = new Set<string>();

    for (const slice of existing) {
      byName.set(nameOf(slice), slice);
      const kept: KObject[] = [];
      let endpointChanged = false;
      for (const ep of slice.endpoints ?? []) {
        const want = desired.get(ep);
        if (!want) continue;
        kept.push(want);
        if (!endpointsEqualBeyondIdentity(want, ep)) endpointChanged = true;
        desired.delete(ep);
      }
      const { labels, changed: labelsChanged } = sliceLabels(slice, service, this.opts.controllerName);
      if (endpointChanged || kept.length !== (slice.endpoints?.length ?? 0)) {
        if (!kept.length) {
          toDelete.add(nameOf(slice));
        } else {
          byName.set(nameOf(slice), copyForUpdate(slice, kept, labels));
          toUpdate.add(nameOf(slice));
        }
      } else if (labelsChanged) {
        byName.set(nameOf(slice), copyForUpdate(slice, slice.endpoints ?? [], labels));
        toUpdate.add(nameOf(slice));
      } else {
        unchanged.add(nameOf(slice));
      }
    }

    if (desired.size && toUpdate.size) {
      const fullestFirst = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
      for (const slice of fullestFirst) {
        while (desired.size && slice.endpoints.length < max) slice.endpoints.push(desired.popAny()!);
      }
    }

    const toCreate: AnyObject[] = [];
    while (desired.size) {
      let slice = desired.size < max && unchanged.size ? sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max) : undefined;
      if (slice) {
        slice = copyForUpdate(slice, slice.endpoints ?? [], slice.metadata.labels ?? {});
        byName.set(nameOf(slice), slice);
      } else {
        slice = this.newSlice(service, ports, addressType);
      }
      while (desired.size && slice.endpoints.length < max) slice.endpoints.push(desired.popAny()!);
      if (slice.metadata.name) {
        toUpdate.add(nameOf(slice));
        unchanged.delete(nameOf(slice));
      } else {
        toCreate.push(slice);
      }
    }

    return {
      toCreate,
      toUpdate: [...toUpdate].map((n) => byName.get(n)!),
      toDelete: [...toDelete].map((n) => byName.get(n)!),
    };
  }

  private newSlice(service: AnyObject, ports: KObject[], addressType: AddressType): AnyObject {
    const slice: AnyObject = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: {
        // A Service name is a DNS label, so "<name>-" is always a valid prefix.
        generateName: `${service.metadata.name}-`,
        namespace: service.metadata.namespace,
        labels: {},
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: nameOf(service), uid: service.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      addressType,
      endpoints: [],
      ports,
    };
    slice.metadata.labels = sliceLabels(slice, service, this.opts.controllerName).labels;
    return slice;
  }

  /** Whether an existing slice is already the placeholder this Service would get: same labels, owner and (no) content. */
  private samePlaceholder(slice: AnyObject, placeholder: AnyObject): boolean {
    return slice.metadata.namespace === placeholder.metadata.namespace
      && slice.addressType === placeholder.addressType
      && !(slice.endpoints?.length) && !(slice.ports?.length)
      && deepEqual(slice.metadata.labels ?? {}, placeholder.metadata.labels)
      && deepEqual(slice.metadata.ownerReferences ?? [], placeholder.metadata.ownerReferences);
  }

  private async finalize(service: AnyObject, changes: SliceChanges, triggerTime: number): Promise<void> {
    const { client, tracker } = this.opts;
    const { toCreate, toUpdate } = changes;
    let toDelete = changes.toDelete;
    // Reuse slices due for deletion for those due for creation, but only the
    // Service's own: others may belong to an earlier Service of the same name
    // that the garbage collector is removing.
    for (let i = 0; i < toDelete.length && toCreate.length;) {
      const old = toDelete[i];
      const slice = toCreate[toCreate.length - 1];
      if (old.addressType === slice.addressType && ownedBy(old, service)) {
        slice.metadata.name = nameOf(old);
        toCreate.pop();
        toUpdate.push(slice);
        toDelete = [...toDelete.slice(0, i), ...toDelete.slice(i + 1)];
      } else {
        i++;
      }
    }

    // No new slices for a Service on its way out: the garbage collector would race them.
    if (!service.metadata.deletionTimestamp) {
      for (const slice of toCreate) {
        setTriggerTime(slice, triggerTime);
        let created: AnyObject;
        try {
          created = await client.create(ENDPOINT_SLICES, slice);
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          throw wrapError(`failed to create EndpointSlice for Service ${serviceName(service)}`, err);
        }
        tracker.update(created);
      }
    }
    for (const slice of toUpdate) {
      setTriggerTime(slice, triggerTime);
      let updated: AnyObject;
      try {
        updated = await client.update(ENDPOINT_SLICES, slice);
      } catch (err) {
        throw wrapError(`failed to update ${nameOf(slice)} EndpointSlice for Service ${serviceName(service)}`, err);
      }
      tracker.update(updated);
    }
    for (const slice of toDelete) {
      try {
        await this.deleteSlice(service, slice);
      } catch (err) {
        throw wrapError(`failed to delete ${nameOf(slice)} EndpointSlice for Service ${serviceName(service)}`, err);
      }
    }
  }

  private async deleteSlice(service: AnyObject, slice: AnyObject): Promise<void> {
    try {
      await this.opts.client.delete(ENDPOINT_SLICES, nameOf(slice), { namespace: service.metadata.namespace });
    } catch (err) {
      ignoreNotFound(err);
      return;
    }
    this.opts.tracker.expectDeletion(slice);
  }
}

/** A copy of a cached slice to change and write back; the cache's own stays as it is. */
function copyForUpdate(slice: AnyObject, endpoints: KObject[], labels: Record<string, string>): AnyObject {
  const copy = clone(slice);
  copy.endpoints = clone(endpoints);
  copy.metadata.labels = labels;
  return copy;
}

function setTriggerTime(slice: AnyObject, triggerTime: number): void {
  const annotations = { ...(slice.metadata.annotations ?? {}) };
  if (triggerTime) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = rfc3339Nano(triggerTime);
  else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
  slice.metadata.annotations = annotations;
}
