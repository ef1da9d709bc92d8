import { deepEqual } from '../../api/deep-equal.js';
import type { KObject } from '../../api/kind.js';
import { repackSubsets } from '../../api/kinds/endpoints.js';
import { ANNOTATION_LAST_APPLIED, ANNOTATION_LAST_CHANGE_TRIGGER_TIME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from '../../api/well-known.js';
import { canonicalIP } from '../../api/net.js';
import { isNamespaceTerminating, wrapError } from '../../client/api-error.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { AnyObject } from '../../client/resource.js';
import { ENDPOINT_SLICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { portMapKey } from '../endpointutil/endpoint-ports.js';
import { EndpointSet, endpointsEqualBeyondIdentity } from '../endpointutil/endpoint-set.js';
import type { EndpointSliceTracker } from '../endpointutil/endpoint-slice-tracker.js';

/** The managed-by value of mirrored slices. */
export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';

type AddressType = 'IPv4' | 'IPv6';
const ADDRESS_TYPES: AddressType[] = ['IPv4', 'IPv6'];

interface SliceChanges {
  toCreate: AnyObject[];
  toUpdate: AnyObject[];
  toDelete: AnyObject[];
}

export interface MirroringReconcilerOptions {
  client: RestClient;
  tracker: EndpointSliceTracker;
  recorder: EventRecorder;
  /** kube's --mirroring-max-endpoints-per-subset: one subset fits one slice. */
  maxEndpointsPerSubset: number;
}

const mapKey = (addressType: string, ports: KObject[] | null | undefined) => `${addressType}-${portMapKey(ports)}`;

const without = (map: Record<string, string> | undefined, ...keys: string[]) => Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => !keys.includes(k)));

/** Annotations mirrored slices carry: the Endpoints' own, but its trigger time and kubectl's last applied configuration. */
const mirroredAnnotations = (endpoints: AnyObject) => without(endpoints.metadata.annotations, ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ANNOTATION_LAST_APPLIED);

/** An Endpoints address as a slice endpoint of the IP's family, or undefined when the IP is not one. */
function addressToEndpoint(address: KObject, ready: boolean): { endpoint: KObject; addressType: AddressType } | undefined {
  const ip = canonicalIP(address.ip ?? '');
  if (!ip) return undefined;
  const endpoint: KObject = { addresses: [ip.ip], conditions: { ready } };
  if (address.targetRef) endpoint.targetRef = address.targetRef;
  if (address.nodeName !== undefined) endpoint.nodeName = address.nodeName;
  if (address.hostname) endpoint.hostname = address.hostname;
  return { endpoint, addressType: ip.family === 6 ? 'IPv6' : 'IPv4' };
}

const slicePorts = (ports: KObject[] | undefined): KObject[] => (ports ?? []).map((p) => ({
  name: p.name ?? '', port: p.port, protocol: p.protocol,
  ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
}));

/**
 * kube's mirroring reconciler: the subsets of a user's Endpoints become
 * EndpointSlices, one per address type and set of ports, each holding at
 * most maxEndpointsPerSubset addresses (the rest is skipped, with a
 * warning). Not-ready addresses become endpoints that are not ready.
 */
export class MirroringReconciler {
  constructor(private readonly opts: MirroringReconcilerOptions) {}

  async reconcile(endpoints: AnyObject, existing: AnyObject[]): Promise<void> {
    const max = this.opts.maxEndpointsPerSubset;
    const desired = new Map<string, { ports: KObject[]; addressType: AddressType; endpoints: EndpointSet }>();
    let invalid = 0;
    let skipped = 0;
    for (const subset of repackSubsets(endpoints.subsets)) {
      const ports = slicePorts(subset.ports);
      for (const addressType of ADDRESS_TYPES) {
        const key = mapKey(addressType, ports);
        if (!desired.has(key)) desired.set(key, { ports, addressType, endpoints: new EndpointSet() });
      }
      const addresses: Array<[KObject, boolean]> = [
        ...(subset.addresses ?? []).map((a: KObject): [KObject, boolean] => [a, true]),
        ...(subset.notReadyAddresses ?? []).map((a: KObject): [KObject, boolean] => [a, false]),
      ];
      let added = 0;
      for (const [address, ready] of addresses) {
        if (added >= max) break;
        const mirrored = addressToEndpoint(address, ready);
        if (!mirrored) {
          invalid++;
          continue;
        }
        desired.get(mapKey(mirrored.addressType, ports))!.endpoints.insert(mirrored.endpoint);
        added++;
      }
      skipped += addresses.length - added;
    }
    if (invalid > 0) {
      this.opts.recorder.event(endpoints, 'Warning', 'InvalidIPAddress', `Skipped ${invalid} invalid IP addresses when mirroring to EndpointSlices`);
    }
    if (skipped > invalid) {
      this.opts.recorder.event(endpoints, 'Warning', 'TooManyAddressesToMirror',
        `A max of ${max} addresses can be mirrored to EndpointSlices per Endpoints subset. ${skipped} addresses were skipped`);
    }

    const existingByKey = new Map<string, AnyObject[]>();
    for (const slice of existing) {
      const key = mapKey(slice.addressType, slice.ports);
      existingByKey.set(key, [...(existingByKey.get(key) ?? []), slice]);
    }
    const changes: SliceChanges = { toCreate: [], toUpdate: [], toDelete: [] };
    for (const [key, want] of desired) {
      const c = this.reconcileByPortMapping(endpoints, existingByKey.get(key) ?? [], want.endpoints, want.ports, want.addressType);
      changes.toCreate.push(...c.toCreate);
      changes.toUpdate.push(...c.toUpdate);
      changes.toDelete.push(...c.toDelete);
    }
    for (const [key, slices] of existingByKey) {
      if (!desired.has(key)) changes.toDelete.push(...slices);
    }
    await this.finalize(endpoints, changes);
  }

  /** Deletes every slice mirrored for this Endpoints object (it is gone, or no longer to be mirrored). */
  async deleteMirrored(namespace: string, name: string, slices: AnyObject[]): Promise<void> {
    const errors: unknown[] = [];
    for (const slice of slices) {
      try {
        await this.opts.client.delete(ENDPOINT_SLICES, slice.metadata.name ?? '', { namespace });
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) {
      throw new Error(`error(s) deleting ${errors.length}/${slices.length} EndpointSlices for ${namespace}/${name} Endpoints, including: ${(errors[0] as Error).message}`);
    }
  }

  /**
   * One slice per set of ports and address type: the first existing one is
   * rewritten when its endpoints, labels or annotations differ from the
   * Endpoints', the others are deleted.
   */
  private reconcileByPortMapping(endpoints: AnyObject, existing: AnyObject[], desired: EndpointSet, ports: KObject[], addressType: AddressType): SliceChanges {
    const changes: SliceChanges = { toCreate: [], toUpdate: [], toDelete: [] };
    if (!desired.size) {
      changes.toDelete = existing;
      return changes;
    }
    const first = existing[0];
    if (first) {
      changes.toDelete = existing.slice(1);
      const unchanged = (first.endpoints?.length ?? 0) === desired.size
        && (first.endpoints ?? []).every((ep: KObject) => {
          const want = desired.get(ep);
          return want && endpointsEqualBeyondIdentity(want, ep);
        });
      if (unchanged
        && deepEqual(endpoints.metadata.labels ?? {}, without(first.metadata.labels, LABEL_MANAGED_BY, LABEL_SERVICE_NAME))
        && deepEqual(mirroredAnnotations(endpoints), first.metadata.annotations ?? {})) {
        return changes;
      }
    }
    const slice = this.newSlice(endpoints, ports, addressType, first?.metadata.name);
    while (desired.size && slice.endpoints.length < this.opts.maxEndpointsPerSubset) slice.endpoints.push(desired.popAny()!);
    if (first) changes.toUpdate.push(slice);
    else changes.toCreate.push(slice);
    return changes;
  }

  private newSlice(endpoints: AnyObject, ports: KObject[], addressType: AddressType, name: string | undefined): AnyObject {
    const { namespace } = endpoints.metadata;
    const endpointsName = endpoints.metadata.name ?? '';
    const uid = endpoints.metadata.uid ?? '';
    return {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: {
        // The Endpoints shares its Service's name, a DNS label: "<name>-" is always a valid prefix.
        ...(name ? { name } : { generateName: `${endpointsName}-` }),
        namespace,
        labels: { ...endpoints.metadata.labels, [LABEL_SERVICE_NAME]: endpointsName, [LABEL_MANAGED_BY]: MIRRORING_CONTROLLER_NAME },
        annotations: mirroredAnnotations(endpoints),
        ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: endpointsName, uid, controller: true, blockOwnerDeletion: true }],
      },
      addressType,
      endpoints: [],
      ports,
    };
  }

  private async finalize(endpoints: AnyObject, changes: SliceChanges): Promise<void> {
    const { client, tracker } = this.opts;
    const where = `Endpoints ${endpoints.metadata.namespace}/${endpoints.metadata.name}`;
    // Slices due for deletion are reused, by address type, for those due for creation.
    for (const addressType of ADDRESS_TYPES) {
      const creates = changes.toCreate.filter((s) => s.addressType === addressType);
      const deletes = changes.toDelete.filter((s) => s.addressType === addressType);
      for (let i = 0; i < creates.length && i < deletes.length; i++) {
        changes.toCreate = changes.toCreate.filter((s) => s !== creates[i]);
        changes.toDelete = changes.toDelete.filter((s) => s !== deletes[i]);
        const { generateName: _prefix, ...metadata } = creates[i].metadata;
        changes.toUpdate.push({ ...creates[i], metadata: { ...metadata, name: deletes[i].metadata.name } });
      }
    }
    // No new slices for an Endpoints object on its way out.
    if (!endpoints.metadata.deletionTimestamp) {
      for (const slice of changes.toCreate) {
        let created: AnyObject;
        try {
          created = await client.create(ENDPOINT_SLICES, slice);
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          throw wrapError(`failed to create EndpointSlice for ${where}`, err);
        }
        tracker.update(created);
      }
    }
    for (const slice of changes.toUpdate) {
      let updated: AnyObject;
      try {
        updated = await client.update(ENDPOINT_SLICES, slice);
      } catch (err) {
        throw wrapError(`failed to update ${slice.metadata.name} EndpointSlice for ${where}`, err);
      }
      tracker.update(updated);
    }
    for (const slice of changes.toDelete) {
      try {
        await client.delete(ENDPOINT_SLICES, slice.metadata.name ?? '', { namespace: endpoints.metadata.namespace });
      } catch (err) {
        throw wrapError(`failed to delete ${slice.metadata.name} EndpointSlice for ${where}`, err);
      }
      tracker.expectDeletion(slice);
    }
  }
}
