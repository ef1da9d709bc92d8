import type { Answer, RecordType } from 'dns-packet';
import { canonicalIP, type IPFamily } from '../api/net.js';
import type { AnyObject } from '../client/resource.js';
import type { Store } from '../client/store.js';
import { LABEL_SERVICE_NAME } from '../api/well-known.js';
import { SLICES_BY_SERVICE } from '../controllers/endpointutil/slices-by-service.js';
import { dashedLabel, isReverseName, normalizeName, parseDashedLabel, parseReverseName } from './record-names.js';

/** Every record the zone answers lives this long: short, so clients follow Services and endpoints closely. */
export const RECORD_TTL = 5;

/** An index of the Service store: Services by their cluster IPs (canonical), for PTR lookups. */
export const SERVICES_BY_CLUSTER_IP = 'cluster-ip';
/** An index of the EndpointSlice store: slices by the (canonical) addresses of their endpoints, for PTR lookups. */
export const SLICES_BY_ADDRESS = 'endpoint-address';

export const servicesByClusterIP = (svc: AnyObject): string[] => clusterIPs(svc).map((c) => c.ip);

export const slicesByAddress = (slice: AnyObject): string[] =>
  (slice.endpoints ?? []).flatMap((ep: AnyObject) => (ep.addresses ?? []).map((a: string) => canonicalIP(a)?.ip).filter(Boolean));

export interface ZoneSources {
  /** Stores with the SLICES_BY_SERVICE and SLICES_BY_ADDRESS indexes (slices) and SERVICES_BY_CLUSTER_IP (services). */
  services: Store<AnyObject>;
  slices: Store<AnyObject>;
  namespaces: Store<AnyObject>;
}

export interface ZoneAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** One address a headless Service resolves to, with the label it is known by under the Service's name. */
interface ServiceEndpoint {
  ip: string;
  family: IPFamily;
  /** The endpoint's hostname, else its address with dashes. */
  label: string;
  ports: AnyObject[];
}

/** What a name holds: its records of every type, and what an SRV answer adds (the targets' addresses). */
interface NameRecords {
  records: Answer[];
  additionals: Answer[];
}

const isExternalName = (svc: AnyObject): boolean => svc.spec?.type === 'ExternalName';
const isHeadless = (svc: AnyObject): boolean => !isExternalName(svc) && svc.spec?.clusterIP === 'None';

function clusterIPs(svc: AnyObject): { ip: string; family: IPFamily }[] {
  if (isExternalName(svc) || isHeadless(svc)) return [];
  const ips: string[] = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.map((ip) => canonicalIP(ip)).filter((ip) => ip !== undefined);
}

/**
 * The cluster's zone (cluster.local) as kube's DNS specification and
 * CoreDNS's kubernetes plugin answer it, read from the Service,
 * EndpointSlice and Namespace stores at each query:
 *
 *   <svc>.<ns>.svc            A/AAAA the cluster IPs; a headless Service's ready endpoints; CNAME for ExternalName
 *   <ep>.<svc>.<ns>.svc       a headless Service's endpoint by hostname, or by its dashed address without one
 *   _<port>._<proto>.<svc>.<ns>.svc  SRV for a named port
 *   <a-b-c-d>.<ns>.pod        A for any address in an existing namespace (CoreDNS's `pods insecure`)
 *
 * and PTR for the cluster IPs and headless endpoints' addresses. A name in
 * the zone that does not exist is NXDOMAIN; one that exists without the type
 * asked for is NODATA; both carry the zone's SOA.
 */
export class ClusterZone {
  readonly domain: string;
  // Nothing transfers this zone (no AXFR), so the serial only has to be a valid, plausible number.
  private readonly serial = Math.floor(Date.now() / 1000) >>> 0;

  constructor(domain: string, private readonly sources: ZoneSources) {
    this.domain = normalizeName(domain);
    if (!this.domain) throw new Error('the cluster domain must not be empty');
  }

  /** Whether the name is one this zone may answer: in the cluster domain, or a reverse name (of a cluster address or not). */
  isAuthoritativeFor(name: string): boolean {
    const n = normalizeName(name);
    return n === this.domain || n.endsWith(`.${this.domain}`) || isReverseName(n);
  }

  /**
   * The answer for a question, its owner names spelled as asked (clients may
   * vary the case), or undefined for a name outside the zone (a reverse name
   * of no cluster address among them), which the caller forwards.
   */
  lookup(name: string, type: RecordType): ZoneAnswer | undefined {
    const n = normalizeName(name);
    if (isReverseName(n)) {
      const ptr = this.reverseRecords(n, name);
      return ptr && this.answer(ptr, type);
    }
    if (n !== this.domain && !n.endsWith(`.${this.domain}`)) return undefined;
    const labels = n === this.domain ? [] : n.slice(0, -this.domain.length - 1).split('.');
    const found = this.records(labels, name);
    if (!found) return { rcode: 'NXDOMAIN', answers: [], authorities: [this.soa()], additionals: [] };
    return this.answer(found, type);
  }

  private answer(found: NameRecords, type: RecordType): ZoneAnswer {
    // A CNAME answers every type: the client follows it.
    const answers = found.records.filter((r) => r.type === type || r.type === 'CNAME' || (type as string) === 'ANY');
    if (!answers.length) return { rcode: 'NOERROR', answers: [], authorities: [this.soa()], additionals: [] };
    return { rcode: 'NOERROR', answers, authorities: [], additionals: type === 'SRV' ? found.additionals : [] };
  }

  private soa(): Answer {
    return {
      type: 'SOA', name: this.domain, ttl: RECORD_TTL,
      data: { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: this.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: RECORD_TTL },
    };
  }

  /** The records of a name below the domain (labels from the left), or undefined when it does not exist. */
  private records(labels: string[], owner: string): NameRecords | undefined {
    const none: NameRecords = { records: [], additionals: [] };
    const kind = labels[labels.length - 1];
    if (labels.length === 0) return { records: [{ ...this.soa(), name: owner }], additionals: [] };
    if (kind !== 'svc' && kind !== 'pod') return undefined;
    if (labels.length === 1) return none;
    const namespace = labels[labels.length - 2];
    if (!this.sources.namespaces.get(namespace)) return undefined;
    if (labels.length === 2) return none;
    if (kind === 'pod') return labels.length === 3 ? this.podRecords(labels[0], owner) : undefined;
    const service = this.sources.services.get(`${namespace}/${labels[labels.length - 3]}`);
    if (!service) return undefined;
    const rest = labels.slice(0, -3);
    if (rest.length === 0) return this.serviceRecords(service, owner);
    if (rest.length === 1) return this.endpointRecords(service, rest[0], owner);
    if (rest.length === 2 && rest[0].startsWith('_') && rest[1].startsWith('_')) return this.portRecords(service, rest[0].slice(1), rest[1].slice(1), owner);
    return undefined;
  }

  private podRecords(label: string, owner: string): NameRecords | undefined {
    const ip = parseDashedLabel(label);
    return ip && { records: [addressRecord(owner, ip)], additionals: [] };
  }

  private serviceRecords(service: AnyObject, owner: string): NameRecords {
    if (isExternalName(service)) return { records: [{ type: 'CNAME', name: owner, ttl: RECORD_TTL, data: normalizeName(service.spec.externalName ?? '') }], additionals: [] };
    const srv = this.srvRecords(service, owner, () => true);
    if (isHeadless(service)) {
      const seen = new Set<string>();
      const addresses = this.endpointsOf(service).filter((ep) => !seen.has(ep.ip) && seen.add(ep.ip));
      return { records: [...addresses.map((ep) => addressRecord(owner, ep)), ...srv.records], additionals: srv.additionals };
    }
    return { records: [...clusterIPs(service).map((ip) => addressRecord(owner, ip)), ...srv.records], additionals: srv.additionals };
  }

  private endpointRecords(service: AnyObject, label: string, owner: string): NameRecords | undefined {
    if (!isHeadless(service)) return undefined;
    const seen = new Set<string>();
    const matching = this.endpointsOf(service).filter((ep) => ep.label === label && !seen.has(ep.ip) && seen.add(ep.ip));
    if (!matching.length) return undefined;
    return { records: matching.map((ep) => addressRecord(owner, ep)), additionals: [] };
  }

  private portRecords(service: AnyObject, port: string, protocol: string, owner: string): NameRecords | undefined {
    const found = this.srvRecords(service, owner, (p) => !!p.name && p.name === port && String(p.protocol ?? 'TCP').toLowerCase() === protocol);
    return found.records.length ? found : undefined;
  }

  /**
   * SRV records for the Service's ports that `wanted` picks: a headless
   * Service's point at each endpoint (its own port), with the endpoints'
   * addresses as additionals; others point at the Service's name (or, for
   * ExternalName, at the external name) with the Service's port.
   */
  private srvRecords(service: AnyObject, owner: string, wanted: (port: AnyObject) => boolean): NameRecords {
    const serviceName = this.serviceName(service);
    const targets: { port: number; target: string }[] = [];
    const additionals: Answer[] = [];
    if (isHeadless(service)) {
      const added = new Set<string>();
      for (const ep of this.endpointsOf(service)) {
        const target = `${ep.label}.${serviceName}`;
        const ports = ep.ports.filter(wanted);
        for (const p of ports) targets.push({ port: p.port, target });
        if (ports.length && !added.has(`${target} ${ep.ip}`)) {
          added.add(`${target} ${ep.ip}`);
          additionals.push(addressRecord(target, ep));
        }
      }
    } else {
      const target = isExternalName(service) ? normalizeName(service.spec.externalName ?? '') : serviceName;
      for (const p of (service.spec?.ports ?? []).filter(wanted)) targets.push({ port: p.port, target });
    }
    const unique = [...new Map(targets.map((t) => [`${t.port} ${t.target}`, t])).values()];
    // Equal priority, the weight shared out, as CoreDNS gives it.
    const weight = unique.length ? Math.floor(100 / unique.length) : 0;
    const records: Answer[] = unique.map((t) => ({ type: 'SRV', name: owner, ttl: RECORD_TTL, data: { priority: 0, weight, port: t.port, target: t.target } }));
    return { records, additionals };
  }

  /** The endpoints a headless Service's name resolves to: ready ones (ready true or unset), or all with publishNotReadyAddresses. */
  private endpointsOf(service: AnyObject): ServiceEndpoint[] {
    const all = service.spec?.publishNotReadyAddresses === true;
    const out: ServiceEndpoint[] = [];
    for (const slice of this.sources.slices.byIndex(SLICES_BY_SERVICE, `${service.metadata.namespace}/${service.metadata.name}`)) {
      if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
      for (const ep of slice.endpoints ?? []) {
        if (!all && ep.conditions?.ready === false) continue;
        for (const address of ep.addresses ?? []) {
          const ip = canonicalIP(address);
          if (ip) out.push({ ...ip, label: ep.hostname || dashedLabel(ip.ip), ports: slice.ports ?? [] });
        }
      }
    }
    return out;
  }

  private serviceName(service: AnyObject): string {
    return `${service.metadata.name}.${service.metadata.namespace}.svc.${this.domain}`;
  }

  /** PTR records for a reverse name: the Services with that cluster IP, the headless endpoints with that address. */
  private reverseRecords(name: string, owner: string): NameRecords | undefined {
    const ip = parseReverseName(name);
    if (!ip) return undefined;
    const targets = new Set<string>();
    for (const svc of this.sources.services.byIndex(SERVICES_BY_CLUSTER_IP, ip)) targets.add(this.serviceName(svc));
    for (const slice of this.sources.slices.byIndex(SLICES_BY_ADDRESS, ip)) {
      const serviceName = slice.metadata.labels?.[LABEL_SERVICE_NAME];
      const service = serviceName && this.sources.services.get(`${slice.metadata.namespace}/${serviceName}`);
      if (!service || !isHeadless(service)) continue;
      for (const ep of this.endpointsOf(service)) if (ep.ip === ip) targets.add(`${ep.label}.${this.serviceName(service)}`);
    }
    if (!targets.size) return undefined;
    return { records: [...targets].map((target) => ({ type: 'PTR', name: owner, ttl: RECORD_TTL, data: target })), additionals: [] };
  }
}

function addressRecord(name: string, ip: { ip: string; family: IPFamily }): Answer {
  return { type: ip.family === 6 ? 'AAAA' : 'A', name, ttl: RECORD_TTL, data: ip.ip };
}
