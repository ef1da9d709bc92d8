import { parseAddress } from '../api/net.js';
import { LABEL_SERVICE_NAME } from '../api/well-known.js';
import type { AnyObject } from '../client/resource.js';

/** Services carrying this label belong to another proxy (kube-proxy's rule). */
export const LABEL_SERVICE_PROXY_NAME = 'service.kubernetes.io/service-proxy-name';

/** The protocols a Service port may name, as nftables spells them. */
export type Protocol = 'tcp' | 'udp' | 'sctp';

/** One endpoint of a Service port, as its EndpointSlices describe it. */
export interface Endpoint {
  ip: string;
  port: number;
  /** conditions.ready (unset means ready). */
  ready: boolean;
  /** conditions.serving (unset means the same as ready). */
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  /** On this proxy's node. */
  local: boolean;
}

/**
 * One port of one Service, what kube-proxy calls a ServicePortName with its
 * info: the unit that gets its own chains. Only IPv4 addresses: the proxy
 * programs an `ip` table, as kube-proxy's single-stack IPv4 mode does.
 */
export interface ServicePort {
  /** namespace/name/protocol/port-name (or the port number when unnamed): stable, and unique. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  clusterIP?: string;
  port: number;
  nodePort?: number;
  /** spec.externalIPs and status.loadBalancer.ingress[].ip: both reach the Service from outside. */
  externalIPs: string[];
  /** ClientIP affinity's timeout in seconds, or undefined without affinity. */
  affinitySeconds?: number;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  healthCheckNodePort?: number;
  endpoints: Endpoint[];
}

const ipv4 = (text: unknown): text is string => typeof text === 'string' && parseAddress(text)?.family === 4;

/** Whether the proxy handles this Service at all: not headless, not ExternalName, not another proxy's. */
export function isProxied(service: AnyObject): boolean {
  const spec = service.spec ?? {};
  if (service.metadata?.labels?.[LABEL_SERVICE_PROXY_NAME]) return false;
  if (spec.type === 'ExternalName') return false;
  return ipv4(spec.clusterIP);
}

/**
 * The Service's ports with their endpoints from its EndpointSlices (IPv4
 * slices only; an address listed by two slices counts once, ready if either
 * says so).
 */
export function servicePorts(service: AnyObject, slices: AnyObject[], nodeName: string): ServicePort[] {
  if (!isProxied(service)) return [];
  const spec = service.spec;
  const { namespace, name } = service.metadata as { namespace: string; name: string };
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const externalIPs = [
    ...(spec.externalIPs ?? []),
    ...(spec.type === 'LoadBalancer' ? (service.status?.loadBalancer?.ingress ?? []).map((i: { ip?: string }) => i.ip) : []),
  ].filter(ipv4);
  const affinity = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
  const ownSlices = slices.filter((s) => s.metadata?.labels?.[LABEL_SERVICE_NAME] === name && s.addressType === 'IPv4');
  return (spec.ports ?? []).map((p: AnyObject): ServicePort => {
    const protocol = String(p.protocol ?? 'TCP').toLowerCase() as Protocol;
    const portName = p.name ?? '';
    return {
      id: `${namespace}/${name}/${protocol}/${portName || String(p.port)}`,
      namespace, name, portName, protocol, clusterIP: spec.clusterIP, port: p.port,
      nodePort: external && p.nodePort ? p.nodePort : undefined,
      externalIPs: [...new Set(externalIPs)] as string[],
      affinitySeconds: affinity,
      externalPolicyLocal: (external || externalIPs.length > 0) && spec.externalTrafficPolicy === 'Local',
      internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
      healthCheckNodePort: spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' ? spec.healthCheckNodePort : undefined,
      endpoints: endpointsFor(ownSlices, portName, protocol, nodeName),
    };
  });
}

function endpointsFor(slices: AnyObject[], portName: string, protocol: Protocol, nodeName: string): Endpoint[] {
  const byAddress = new Map<string, Endpoint>();
  for (const slice of slices) {
    const port = (slice.ports ?? []).find((p: AnyObject) => (p.name ?? '') === portName && String(p.protocol ?? 'TCP').toLowerCase() === protocol);
    if (!port?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      const ready = ep.conditions?.ready !== false;
      const serving = ep.conditions?.serving ?? ready;
      const terminating = ep.conditions?.terminating === true;
      for (const ip of (ep.addresses ?? []).slice(0, 1)) {
        if (!ipv4(ip)) continue;
        const key = `${ip}:${port.port}`;
        const seen = byAddress.get(key);
        if (seen) {
          seen.ready ||= ready;
          seen.serving ||= serving;
          seen.terminating &&= terminating;
          continue;
        }
        byAddress.set(key, { ip, port: port.port, ready, serving, terminating, nodeName: ep.nodeName, local: !!nodeName && ep.nodeName === nodeName });
      }
    }
  }
  return [...byAddress.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/**
 * The endpoints that get new connections, as kube-proxy picks them
 * (KEP-1669): the ready ones; when there is none, those still serving while
 * terminating, so a Service whose pods all shut down keeps answering until
 * they stop.
 */
export function usableEndpoints(endpoints: Endpoint[]): Endpoint[] {
  const ready = endpoints.filter((e) => e.ready);
  return ready.length ? ready : endpoints.filter((e) => e.serving && e.terminating);
}
