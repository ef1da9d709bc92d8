import { createHash } from 'node:crypto';
import { usableEndpoints, type Endpoint, type ServicePort } from './service-port.js';

/**
 * The proxy's whole table as data: what one sync wants in place. Static
 * chains and declarations are part of it, so a full sync writes
 * everything and a partial one sees nothing to change in them.
 */
export interface Ruleset {
  /** Chain name → its hook declaration (base chains only) and rules. */
  chains: Map<string, Chain>;
  /** Verdict map name → key → verdict. */
  maps: Map<string, Map<string, string>>;
  /** Plain set name → elements. */
  sets: Map<string, Set<string>>;
  /** Affinity set name → its timeout in seconds (their elements are the kernel's: never written). */
  affinitySets: Map<string, number>;
}

export interface Chain {
  hook?: string;
  rules: string[];
}

export interface RulesetContext {
  /** The cluster's pod ranges: traffic from elsewhere to a cluster IP is masqueraded. */
  clusterCidrs: string[];
  /** The addresses NodePorts answer on. */
  nodePortIPs: string[];
}

/** The bit that marks a packet for masquerading (kube-proxy's). */
const MASQUERADE_MARK = '0x4000';

/** Declarations of the verdict maps and plain sets, by name. */
export const MAP_TYPES: Record<string, string> = {
  'service-ips': 'ipv4_addr . inet_proto . inet_service : verdict',
  'service-nodeports': 'inet_proto . inet_service : verdict',
  'no-endpoint-services': 'ipv4_addr . inet_proto . inet_service : verdict',
  'no-endpoint-nodeports': 'inet_proto . inet_service : verdict',
};
export const SET_TYPES: Record<string, string> = { 'nodeport-ips': 'ipv4_addr' };

const REJECT = 'goto reject-chain';

function staticChains(): [string, Chain][] {
  return [
    ['nat-prerouting', { hook: 'type nat hook prerouting priority -100; policy accept;', rules: ['jump services'] }],
    ['nat-output', { hook: 'type nat hook output priority -100; policy accept;', rules: ['jump services'] }],
    ['nat-postrouting', { hook: 'type nat hook postrouting priority 100; policy accept;', rules: ['jump masquerading'] }],
    // Before the nat hooks (-100): a packet for a cluster IP with no endpoints still has that address here.
    ['filter-input', { hook: 'type filter hook input priority -110; policy accept;', rules: ['ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check'] }],
    ['filter-forward', { hook: 'type filter hook forward priority -110; policy accept;', rules: ['ct state new jump service-endpoints-check'] }],
    ['filter-output', { hook: 'type filter hook output priority -110; policy accept;', rules: ['ct state new jump service-endpoints-check'] }],
    ['mark-for-masquerade', { rules: [`meta mark set meta mark | ${MASQUERADE_MARK}`] }],
    ['masquerading', { rules: [`meta mark & ${MASQUERADE_MARK} == 0 return`, `meta mark set meta mark ^ ${MASQUERADE_MARK}`, 'masquerade fully-random'] }],
    ['reject-chain', { rules: ['reject'] }],
    ['service-endpoints-check', { rules: ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services'] }],
    ['nodeport-endpoints-check', { rules: ['ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports'] }],
    ['services', {
      rules: ['ip daddr . meta l4proto . th dport vmap @service-ips', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports'],
    }],
  ].map(([name, chain]) => [name as string, chain as Chain]);
}

/** A short, stable tag that keeps long names unique (as kube-proxy's chain names carry one). */
function tag(text: string): string {
  return createHash('sha256').update(text).digest('base64url').replace(/[-_]/g, 'x').slice(0, 8).toUpperCase();
}

const setOf = (cidrs: string[]) => (cidrs.length === 1 ? cidrs[0] : `{ ${cidrs.join(', ')} }`);

/** A ruleset with nothing in it: what a Service with no port to program contributes. */
export function emptyRuleset(): Ruleset {
  return { chains: new Map(), maps: new Map(Object.keys(MAP_TYPES).map((name) => [name, new Map<string, string>()])), sets: new Map(), affinitySets: new Map() };
}

/** What every table has whatever the Services: the hooks, the shared chains, and the addresses NodePorts answer on. */
export function staticRuleset(ctx: RulesetContext): Ruleset {
  const rs = emptyRuleset();
  for (const [name, chain] of staticChains()) rs.chains.set(name, chain);
  rs.sets.set('nodeport-ips', new Set(ctx.nodePortIPs));
  return rs;
}

/**
 * One Service's part of the table, as kube-proxy's nftables mode lays it
 * out: its entries in the map from cluster IP, protocol and port (and in
 * the one from NodePort) pointing at each port's chain; per port a chain
 * that picks an endpoint at random (or the one a client is pinned to by
 * affinity); per endpoint a chain that DNATs to it. A port with no
 * endpoints at all is rejected at once; one whose endpoints the traffic
 * policy rules out drops that traffic.
 */
export function serviceRuleset(ports: ServicePort[], ctx: RulesetContext): Ruleset {
  const rs = emptyRuleset();
  for (const sp of ports) addServicePort(rs, sp, ctx);
  return rs;
}

/** Several parts as one ruleset (their names never overlap: each Service's carry its name). */
export function mergeRulesets(parts: Iterable<Ruleset>): Ruleset {
  const out = emptyRuleset();
  for (const part of parts) {
    for (const [name, chain] of part.chains) out.chains.set(name, chain);
    for (const [name, entries] of part.maps) {
      const into = out.maps.get(name) ?? new Map<string, string>();
      for (const [k, v] of entries) into.set(k, v);
      out.maps.set(name, into);
    }
    for (const [name, elements] of part.sets) out.sets.set(name, new Set([...(out.sets.get(name) ?? []), ...elements]));
    for (const [name, seconds] of part.affinitySets) out.affinitySets.set(name, seconds);
  }
  return out;
}

/** The whole table for these Service ports. */
export function desiredRuleset(ports: ServicePort[], ctx: RulesetContext): Ruleset {
  return mergeRulesets([staticRuleset(ctx), serviceRuleset(ports, ctx)]);
}

function addServicePort(rs: Ruleset, sp: ServicePort, ctx: RulesetContext): void {
  const id = `${tag(sp.id)}-${sp.id}`;
  const all = usableEndpoints(sp.endpoints);
  const local = usableEndpoints(sp.endpoints.filter((e) => e.local));
  const key = (ip: string) => `${ip} . ${sp.protocol} . ${sp.port}`;
  const external = sp.nodePort !== undefined || sp.externalIPs.length > 0;
  if (!all.length) {
    if (sp.clusterIP) rs.maps.get('no-endpoint-services')!.set(key(sp.clusterIP), REJECT);
    for (const ip of sp.externalIPs) rs.maps.get('no-endpoint-services')!.set(key(ip), REJECT);
    if (sp.nodePort) rs.maps.get('no-endpoint-nodeports')!.set(`${sp.protocol} . ${sp.nodePort}`, REJECT);
    return;
  }
  const masqueradeOffCluster = sp.clusterIP && ctx.clusterCidrs.length
    ? [`ip daddr ${sp.clusterIP} ${sp.protocol} dport ${sp.port} ip saddr != ${setOf(ctx.clusterCidrs)} jump mark-for-masquerade`]
    : [];
  const clusterChain = `service-${id}`;
  const localChain = `local-${id}`;
  const needLocal = sp.internalPolicyLocal || sp.externalPolicyLocal;
  rs.chains.set(clusterChain, { rules: [...masqueradeOffCluster, ...pickEndpoint(rs, sp, id, all)] });
  if (needLocal) rs.chains.set(localChain, { rules: [...masqueradeOffCluster, ...(local.length ? pickEndpoint(rs, sp, id, local) : ['drop'])] });
  if (sp.clusterIP) rs.maps.get('service-ips')!.set(key(sp.clusterIP), `goto ${sp.internalPolicyLocal ? localChain : clusterChain}`);
  if (!external) return;
  const externalChain = `external-${id}`;
  rs.chains.set(externalChain, {
    rules: sp.externalPolicyLocal
      ? [
        // Pods and the node itself reach an external address the way they reach the cluster IP: any endpoint will do.
        ...(ctx.clusterCidrs.length ? [`ip saddr ${setOf(ctx.clusterCidrs)} goto ${clusterChain}`] : []),
        'fib saddr type local jump mark-for-masquerade',
        `fib saddr type local goto ${clusterChain}`,
        // Traffic from outside keeps its client address: only this node's endpoints, no masquerade.
        `goto ${localChain}`,
      ]
      : ['jump mark-for-masquerade', `goto ${clusterChain}`],
  });
  for (const ip of sp.externalIPs) rs.maps.get('service-ips')!.set(key(ip), `goto ${externalChain}`);
  if (sp.nodePort) rs.maps.get('service-nodeports')!.set(`${sp.protocol} . ${sp.nodePort}`, `goto ${externalChain}`);
}

/** The rules that send a connection to one of `endpoints`, making each endpoint's chain on the way. */
function pickEndpoint(rs: Ruleset, sp: ServicePort, id: string, endpoints: Endpoint[]): string[] {
  const chains = endpoints.map((ep) => endpointChain(rs, sp, id, ep));
  const rules: string[] = [];
  if (sp.affinitySeconds !== undefined) {
    for (const { chain, affinity } of chains) rules.push(`ip saddr @${affinity} goto ${chain}`);
  }
  rules.push(`numgen random mod ${chains.length} vmap { ${chains.map(({ chain }, i) => `${i} : goto ${chain}`).join(', ')} }`);
  return rules;
}

function endpointChain(rs: Ruleset, sp: ServicePort, id: string, ep: Endpoint): { chain: string; affinity?: string } {
  const chain = `endpoint-${id}__${ep.ip}/${ep.port}`;
  // The timeout is in the name: a set's timeout cannot change, so a new timeout is a new set.
  const affinity = sp.affinitySeconds !== undefined ? `affinity-${tag(chain)}-${sp.affinitySeconds}` : undefined;
  if (affinity) rs.affinitySets.set(affinity, sp.affinitySeconds!);
  rs.chains.set(chain, {
    rules: [
      // Hairpin: a pod reaching itself through its Service must see the answer come back through the proxy.
      `ip saddr ${ep.ip} jump mark-for-masquerade`,
      ...(affinity ? [`update @${affinity} { ip saddr }`] : []),
      `meta l4proto ${sp.protocol} dnat to ${ep.ip}:${ep.port}`,
    ],
  });
  return { chain, affinity };
}
