import type { Kind, KObject } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { arr, enumOf, int32, named, obj, str } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { required, type Cause } from '../validation/field-errors.js';
import { dns1123Label, dns1123Subdomain, qualifiedName } from '../validation/names.js';
import { validateIP, validateNonSpecialIP } from '../validation/ip.js';
import { objectReference } from '../object-reference.js';
import { PORT_PROTOCOLS, validatePortNum, validateProtocol } from '../validation/ports.js';


const endpointAddress = named('io.k8s.api.core.v1.EndpointAddress', obj({
  ip: str('IP address of the endpoint.'),
  hostname: str('Hostname of the endpoint (a DNS label).'),
  nodeName: str('Node hosting the endpoint, if known.'),
  targetRef: objectReference,
}, { required: ['ip'], description: 'One address serving a service.' }));

const endpointPort = named('io.k8s.api.core.v1.EndpointPort', obj({
  name: str('Name of the port, matching the service port name; required when there are several ports.'),
  port: int32('Port number.'),
  protocol: enumOf(PORT_PROTOCOLS, 'IP protocol of the port: TCP (default), UDP or SCTP.'),
  appProtocol: str('Application protocol spoken on the port.'),
}, { required: ['port'], description: 'One port served by a set of endpoint addresses.' }));

const endpointSubset = named('io.k8s.api.core.v1.EndpointSubset', obj({
  addresses: arr(endpointAddress, { listType: 'atomic', description: 'Addresses ready to receive traffic.' }),
  notReadyAddresses: arr(endpointAddress, { listType: 'atomic', description: 'Addresses serving the ports but not ready yet (or not ready any more).' }),
  ports: arr(endpointPort, { listType: 'atomic', description: 'Ports every address of this subset serves.' }),
}, { description: 'A set of addresses that all serve the same set of ports.' }));

function validateAddress(addr: KObject, path: string): Cause[] {
  const causes: Cause[] = [...validateIP(`${path}.ip`, addr.ip ?? '')];
  if (addr.hostname) causes.push(...dns1123Label(`${path}.hostname`, addr.hostname));
  if (addr.nodeName !== undefined) causes.push(...dns1123Subdomain(`${path}.nodeName`, addr.nodeName));
  causes.push(...validateNonSpecialIP(`${path}.ip`, addr.ip ?? ''));
  return causes;
}

function validateEndpoints(ep: KObject): Cause[] {
  const causes: Cause[] = [];
  (ep.subsets ?? []).forEach((ss: KObject, i: number) => {
    const path = `subsets[${i}]`;
    const addresses: KObject[] = ss.addresses ?? [];
    const notReady: KObject[] = ss.notReadyAddresses ?? [];
    if (!addresses.length && !notReady.length) causes.push(required(path, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => causes.push(...validateAddress(a, `${path}.addresses[${j}]`)));
    notReady.forEach((a, j) => causes.push(...validateAddress(a, `${path}.notReadyAddresses[${j}]`)));
    const ports: KObject[] = ss.ports ?? [];
    ports.forEach((p, j) => {
      const pp = `${path}.ports[${j}]`;
      if (ports.length > 1 && !p.name) causes.push(required(`${pp}.name`));
      else if (p.name) causes.push(...dns1123Label(`${pp}.name`, p.name));
      causes.push(...validatePortNum(`${pp}.port`, p.port ?? 0));
      causes.push(...validateProtocol(`${pp}.protocol`, p.protocol));
      if (p.appProtocol !== undefined) causes.push(...qualifiedName(`${pp}.appProtocol`, p.appProtocol));
    });
  });
  return causes;
}

const addressKey = (a: KObject): string => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
const portKey = (p: KObject): string => JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? null]);

function lessAddress(a: KObject, b: KObject): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef?.uid;
  const ub = b.targetRef?.uid;
  if (ub === undefined) return a.targetRef === undefined ? 0 : 1;
  if (a.targetRef === undefined) return -1;
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/**
 * Regroups subsets the way the API server stores them: addresses that serve
 * the same ports end up in one subset, each address once (ready beating not
 * ready), addresses sorted by IP. Subsets and ports are ordered by content
 * (Kubernetes orders them by hash, which cannot be reproduced).
 */
export function repackSubsets(subsets: KObject[] | undefined): KObject[] {
  const addrs = new Map<string, KObject>();
  // port key -> (address key -> ready)
  const byPort = new Map<string, { port: KObject | undefined; ready: Map<string, boolean> }>();
  const note = (addr: KObject, port: KObject | undefined, ready: boolean): void => {
    const ak = addressKey(addr);
    if (!addrs.has(ak)) addrs.set(ak, addr);
    const pk = port ? portKey(port) : '';
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, (entry = { port, ready: new Map() }));
    if (!entry.ready.get(ak)) entry.ready.set(ak, ready);
  };
  for (const ss of subsets ?? []) {
    const ports: Array<KObject | undefined> = ss.ports?.length ? ss.ports : [undefined];
    for (const port of ports) {
      for (const a of ss.addresses ?? []) note(a, port, true);
      for (const a of ss.notReadyAddresses ?? []) note(a, port, false);
    }
  }
  // Group ports by the exact set of addresses (with readiness) serving them.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: KObject[] }>();
  for (const { port, ready } of byPort.values()) {
    const key = JSON.stringify([...ready.entries()].sort());
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ready, ports: [] }));
    if (port) g.ports.push(port);
  }
  const out: KObject[] = [];
  for (const g of groups.values()) {
    const ss: KObject = {};
    const readyAddrs = [...g.ready.entries()].filter(([, r]) => r).map(([k]) => addrs.get(k)!).sort(lessAddress);
    const notReady = [...g.ready.entries()].filter(([, r]) => !r).map(([k]) => addrs.get(k)!).sort(lessAddress);
    if (readyAddrs.length) ss.addresses = readyAddrs;
    if (notReady.length) ss.notReadyAddresses = notReady;
    if (g.ports.length) ss.ports = g.ports.sort((a, b) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0));
    out.push(ss);
  }
  const order = (ss: KObject): string =>
    [...(ss.addresses ?? []), ...(ss.notReadyAddresses ?? [])].map((a: KObject) => a.ip).join(',') + '\u0000' + (ss.ports ?? []).map(portKey).join(',');
  return out.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

const hostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** kubectl's ENDPOINTS cell: up to three ip:port pairs, then "+ N more...". */
export function formatEndpoints(ep: KObject): string {
  const subsets: KObject[] = ep.subsets ?? [];
  if (!subsets.length) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of subsets) {
    const addresses: KObject[] = ss.addresses ?? [];
    const ports: KObject[] = ss.ports ?? [];
    if (!ports.length) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(hostPort(a.ip, p.port));
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

export const endpoints: Kind = {
  group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints',
  shortNames: ['ep'], namespaced: true,
  schema: named('io.k8s.api.core.v1.Endpoints', obj({
    ...typeMeta,
    subsets: arr(endpointSubset, { listType: 'atomic', description: 'The addresses and ports behind a service, grouped so that all addresses of a subset serve all its ports.' }),
  }, { description: 'The network endpoints (addresses and ports) that implement a service.', gvk: { group: '', version: 'v1', kind: 'Endpoints' } })),
  defaults(ep) {
    for (const ss of ep.subsets ?? []) {
      for (const p of ss?.ports ?? []) {
        if (p && typeof p === 'object' && !p.protocol) p.protocol = 'TCP';
      }
    }
  },
  validate(ep) {
    const causes = validateEndpoints(ep);
    // Kubernetes canonicalises the subsets once they are known to be valid.
    if (!causes.length && Array.isArray(ep.subsets)) {
      const packed = repackSubsets(ep.subsets);
      if (packed.length) ep.subsets = packed;
      else delete ep.subsets;
    }
    return causes;
  },
  allowCreateOnUpdate: true,
  columns: [
    nameColumn,
    { name: 'Endpoints', type: 'string', priority: 0, description: 'Addresses and ports serving the service.', cell: formatEndpoints },
    ageColumn,
  ],
};

/** For callers that want to check an address alone (e.g. an endpoints controller). */
export const validateEndpointAddress = (addr: KObject, path: string): Cause[] => validateAddress(addr, path);
