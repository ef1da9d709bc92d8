import type { Kind, KObject } from '../kind.js';
import { deepEqual } from '../deep-equal.js';
import { ageColumn, nameColumn } from '../printers.js';
import { arr, bool, enumOf, int32, named, obj, str, strMap, type Schema } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { objectReference } from '../object-reference.js';
import { duplicate, immutable, invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { dns1123Label, dns1123Subdomain, labelValue, qualifiedName } from '../validation/names.js';
import { ipFamily, validateNonSpecialIP } from '../validation/ip.js';
import { PORT_PROTOCOLS } from '../validation/ports.js';

export const DISCOVERY_GROUP = 'discovery.k8s.io';

/** Address types in the order kube lists them in errors. */
export const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

// kube's limits (pkg/apis/discovery/validation). Ports allow far more than
// the 100 the API documentation mentions: the validation is what is enforced.
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_ZONE_HINTS = 8;

const discovery = (name: string, schema: Schema): Schema => named(`io.k8s.api.discovery.v1.${name}`, schema);

const endpointConditions = discovery('EndpointConditions', obj({
  ready: bool('Whether the endpoint may receive traffic; unset means unknown, which consumers usually take as ready. Never true while terminating.'),
  serving: bool('Like ready, but also set while the endpoint is terminating; unset means consumers fall back to ready.'),
  terminating: bool('Whether the endpoint is shutting down; unset means it is not.'),
}, { description: 'The observed condition of one endpoint.' }));

const forZone = discovery('ForZone', obj({
  name: str('Name of the zone.'),
}, { required: ['name'], description: 'A zone that should consume an endpoint.' }));

const endpointHints = discovery('EndpointHints', obj({
  forZones: arr(forZone, { listType: 'atomic', description: 'Zones whose clients should use this endpoint (topology aware routing).' }),
}, { description: 'How consumers should use an endpoint.' }));

const endpoint = discovery('Endpoint', obj({
  addresses: arr(str(), {
    listType: 'set',
    description: 'Addresses of the endpoint, of the slice\'s addressType: between 1 and 100, all interchangeable (consumers may use only the first).',
  }),
  conditions: endpointConditions,
  hostname: str('Hostname of the endpoint (a DNS label), e.g. for per-pod DNS records; endpoints sharing one are interchangeable.'),
  targetRef: objectReference,
  deprecatedTopology: strMap('Topology labels from discovery.k8s.io/v1beta1. Writes through v1 are ignored; use nodeName and zone.'),
  nodeName: str('Node hosting the endpoint.'),
  zone: str('Zone the endpoint is in.'),
  hints: endpointHints,
}, { required: ['addresses'], description: 'One backend of a service.' }));

const endpointPort = discovery('EndpointPort', obj({
  name: str('Name of the port: empty or a DNS label, unique in the slice; the Service port\'s name when derived from a Service. Empty by default.'),
  protocol: enumOf(PORT_PROTOCOLS, 'IP protocol of the port: TCP (default), UDP or SCTP.'),
  port: int32('Port number; unset means every port, as the consumer understands it.'),
  appProtocol: str('Application protocol of the port, in label syntax: IANA service names unprefixed, others prefixed (example.com/proto).'),
}, { description: 'A port served by every endpoint of a slice.' }));

const tooMany = (field: string, actual: number, max: number): Cause =>
  ({ reason: 'FieldValueTooMany', field, message: `${field}: Too many: ${actual}: must have at most ${max} items` });

/** An FQDN address: a DNS subdomain of at least two labels, a trailing dot allowed (and not shown in errors). */
function validateFQDN(field: string, value: string): Cause[] {
  if (value === '') return [required(field)];
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  const bad = dns1123Subdomain(field, name);
  if (bad.length) return bad;
  const labels = name.split('.');
  if (labels.length < 2) return [invalid(field, name, 'should be a domain with at least two segments separated by dots')];
  for (const label of labels) {
    const badLabel = dns1123Label(field, label);
    if (badLabel.length) return badLabel;
  }
  return [];
}

function validateAddress(field: string, value: string, addressType: unknown): Cause[] {
  switch (addressType) {
    case 'IPv4':
    case 'IPv6': {
      const family = addressType === 'IPv4' ? 4 : 6;
      const causes = ipFamily(value) === family ? [] : [invalid(field, value, `must be a valid ${addressType} address`)];
      return [...causes, ...validateNonSpecialIP(field, value)];
    }
    case 'FQDN':
      return validateFQDN(field, value);
    default:
      // An unknown address type is reported once, on addressType.
      return [];
  }
}

function validateHints(hints: KObject, path: string): Cause[] {
  const zones: KObject[] = hints.forZones ?? [];
  if (zones.length > MAX_ZONE_HINTS) return [tooMany(`${path}.forZones`, zones.length, MAX_ZONE_HINTS)];
  const causes: Cause[] = [];
  const seen = new Set<string>();
  zones.forEach((zone, i) => {
    const field = `${path}.forZones[${i}].name`;
    const name = zone?.name ?? '';
    if (seen.has(name)) causes.push(duplicate(field, name));
    seen.add(name);
    causes.push(...labelValue(field, name));
  });
  return causes;
}

function validateEndpoints(endpoints: KObject[], addressType: unknown): Cause[] {
  if (endpoints.length > MAX_ENDPOINTS) return [tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)];
  const causes: Cause[] = [];
  endpoints.forEach((ep, i) => {
    const path = `endpoints[${i}]`;
    const addresses: string[] = ep?.addresses ?? [];
    if (!addresses.length) causes.push(required(`${path}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) causes.push(tooMany(`${path}.addresses`, addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => causes.push(...validateAddress(`${path}.addresses[${j}]`, a, addressType)));
    if (ep?.nodeName !== undefined) causes.push(...dns1123Subdomain(`${path}.nodeName`, ep.nodeName));
    if (ep?.hostname !== undefined) causes.push(...dns1123Label(`${path}.hostname`, ep.hostname));
    if (ep?.hints) causes.push(...validateHints(ep.hints, `${path}.hints`));
  });
  return causes;
}

function validatePorts(ports: KObject[]): Cause[] {
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)];
  const causes: Cause[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = `ports[${i}]`;
    const name: string = p?.name ?? '';
    if (name) causes.push(...dns1123Label(`${path}.name`, name));
    if (names.has(name)) causes.push(duplicate(`${path}.name`, name));
    names.add(name);
    if (p?.protocol === undefined) causes.push(required(`${path}.protocol`));
    else if (!PORT_PROTOCOLS.includes(p.protocol)) causes.push(notSupported(`${path}.protocol`, p.protocol, PORT_PROTOCOLS));
    if (p?.appProtocol !== undefined) causes.push(...qualifiedName(`${path}.appProtocol`, p.appProtocol));
  });
  return causes;
}

function validateEndpointSlice(slice: KObject, old?: KObject): Cause[] {
  const causes: Cause[] = [];
  const addressType = slice.addressType ?? '';
  if (addressType === '') causes.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(addressType)) causes.push(notSupported('addressType', addressType, ADDRESS_TYPES));
  causes.push(...validateEndpoints(slice.endpoints ?? [], addressType));
  causes.push(...validatePorts(slice.ports ?? []));
  if (old && addressType !== (old.addressType ?? '')) causes.push(immutable('addressType', addressType));
  return causes;
}

/**
 * kube's defaults, and the fields its Go types always write out: a slice
 * without endpoints or ports says `null`, an endpoint always has conditions,
 * a zone hint always has a name, a port a name and a protocol.
 */
function defaultEndpointSlice(slice: KObject): void {
  if (slice.endpoints === undefined) slice.endpoints = null;
  if (slice.ports === undefined) slice.ports = null;
  for (const ep of slice.endpoints ?? []) {
    if (!ep || typeof ep !== 'object') continue;
    if (ep.conditions === undefined) ep.conditions = {};
    for (const zone of ep.hints?.forZones ?? []) {
      if (zone && typeof zone === 'object' && zone.name === undefined) zone.name = '';
    }
  }
  for (const p of slice.ports ?? []) {
    if (!p || typeof p !== 'object') continue;
    if (p.name === undefined) p.name = '';
    if (p.protocol === undefined) p.protocol = 'TCP';
  }
}

/** deprecatedTopology is a v1beta1 field: writes through v1 (the only version served) drop it. */
function dropDeprecatedTopology(slice: KObject): void {
  for (const ep of slice.endpoints ?? []) {
    if (ep && typeof ep === 'object') delete ep.deprecatedTopology;
  }
}

/** Up to three cells of a list, then "+ N more...", or <unset> for nothing: kubectl's ENDPOINTS and PORTS. */
function listWithMore(values: string[]): string {
  const max = 3;
  const shown = values.slice(0, max).join(',');
  if (values.length > max) return `${shown} + ${values.length - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** A port by number, else by name (a defaulted port always has one, possibly empty), else `*` for all ports. */
export function formatSlicePorts(slice: KObject): string {
  const ports: KObject[] = slice.ports ?? [];
  return listWithMore(ports.map((p) => (p?.port !== undefined ? String(p.port) : p?.name !== undefined ? String(p.name) : '*')));
}

export function formatSliceEndpoints(slice: KObject): string {
  const endpoints: KObject[] = slice.endpoints ?? [];
  return listWithMore(endpoints.flatMap((ep) => (ep?.addresses ?? []) as string[]));
}

export const endpointSlice: Kind = {
  group: DISCOVERY_GROUP, version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice',
  namespaced: true,
  schema: discovery('EndpointSlice', obj({
    ...typeMeta,
    addressType: enumOf(ADDRESS_TYPES, 'Type of every address in the slice: IPv4, IPv6 or FQDN (deprecated). Immutable.'),
    endpoints: arr(endpoint, { listType: 'atomic', description: 'The endpoints of the slice, each once; at most 1000.' }),
    ports: arr(endpointPort, {
      listType: 'atomic',
      description: 'Ports every endpoint of the slice serves, each with a unique name. No ports means none are defined; a port without a number means all ports.',
    }),
  }, {
    required: ['addressType', 'endpoints'],
    description: 'Part of the endpoints behind a service: a service\'s slices, found by its kubernetes.io/service-name label, together list all of them.',
    gvk: { group: DISCOVERY_GROUP, version: 'v1', kind: 'EndpointSlice' },
  })),
  prepareForCreate(slice) {
    slice.metadata.generation = 1;
    dropDeprecatedTopology(slice);
  },
  prepareForUpdate(slice, old) {
    dropDeprecatedTopology(slice);
    // Defaults first, so that leaving a defaulted field out is no change; the
    // generation counts any change but metadata's, and label changes.
    defaultEndpointSlice(slice);
    const content = (o: KObject) => [o.addressType, o.endpoints, o.ports];
    const changed = !deepEqual(content(slice), content(old)) || !deepEqual(slice.metadata.labels ?? {}, old.metadata?.labels ?? {});
    slice.metadata.generation = (old.metadata?.generation ?? 0) + (changed ? 1 : 0);
  },
  defaults: defaultEndpointSlice,
  validate: validateEndpointSlice,
  columns: [
    nameColumn,
    { name: 'AddressType', type: 'string', priority: 0, description: 'Type of the addresses in the slice.', cell: (o) => o.addressType ?? '' },
    { name: 'Ports', type: 'string', priority: 0, description: 'Ports the endpoints serve.', cell: formatSlicePorts },
    { name: 'Endpoints', type: 'string', priority: 0, description: 'Addresses of the endpoints in the slice.', cell: formatSliceEndpoints },
    ageColumn,
  ],
};
