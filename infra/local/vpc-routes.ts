import { ip, ipJson } from './ip.js';
import type { LocalVpc } from './local-vpc.js';

/** Marks the router's routes that come from the route table, so a sync only ever removes its own. */
const ROUTE_TABLE_PROTO = '199';

/** A route of the cluster's route table as the local router applies it: a destination and the instance address it goes through. */
export interface VpcRoute {
  destinationCidr: string;
  via: string;
}

/**
 * Makes the router's route-table routes exactly `routes`: missing ones
 * added, changed ones replaced, ones no longer in the table removed.
 * Answers what changed, for the log.
 */
export function applyVpcRoutes(vpc: LocalVpc, routes: VpcRoute[]): { added: string[]; removed: string[] } {
  const current = new Map(ipJson<{ dst: string; gateway?: string }[]>(['route', 'show', 'proto', ROUTE_TABLE_PROTO], vpc.netns).map((r) => [r.dst, r.gateway]));
  const added: string[] = [];
  for (const r of routes) {
    if (current.get(r.destinationCidr) === r.via) continue;
    ip(['route', 'replace', r.destinationCidr, 'via', r.via, 'proto', ROUTE_TABLE_PROTO], vpc.netns);
    added.push(`${r.destinationCidr} via ${r.via}`);
  }
  const wanted = new Set(routes.map((r) => r.destinationCidr));
  const removed: string[] = [];
  for (const dst of current.keys()) {
    if (wanted.has(dst)) continue;
    ip(['route', 'delete', dst, 'proto', ROUTE_TABLE_PROTO], vpc.netns);
    removed.push(dst);
  }
  return { added, removed };
}
