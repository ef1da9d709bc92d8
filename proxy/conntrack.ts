import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { log } from '../client/log.js';
import { usableEndpoints, type ServicePort } from './service-port.js';

/** Debian's conntrack by its path (node_modules/.bin comes first in PATH under npm). */
const CONNTRACK = ['/usr/sbin/conntrack', '/sbin/conntrack'].find((p) => existsSync(p)) ?? 'conntrack';

/**
 * The UDP flows to forget after a sync, as kube-proxy forgets them: UDP has
 * no connection to close, so the kernel keeps sending a client's datagrams
 * where its conntrack entry says until the entry times out. Flows to an
 * endpoint that is no longer used would go nowhere; flows a Service without
 * endpoints rejected would stay un-NATed after endpoints appear. Each entry
 * is one `conntrack -D` filter.
 */
export function staleUdpFlows(before: ServicePort[], after: ServicePort[]): string[][] {
  const old = new Map(before.filter((p) => p.protocol === 'udp').map((p) => [p.id, p]));
  const now = new Map(after.filter((p) => p.protocol === 'udp').map((p) => [p.id, p]));
  const filters: string[][] = [];
  const addressesOf = (p: ServicePort) => [...(p.clusterIP ? [p.clusterIP] : []), ...p.externalIPs];
  for (const id of new Set([...old.keys(), ...now.keys()])) {
    const b = old.get(id);
    const a = now.get(id);
    const usedBefore = new Set(b ? usableEndpoints(b.endpoints).map((e) => e.ip) : []);
    const usedNow = new Set(a ? usableEndpoints(a.endpoints).map((e) => e.ip) : []);
    if (b) {
      for (const ip of usedBefore) {
        if (usedNow.has(ip)) continue;
        for (const address of addressesOf(b)) filters.push(['-p', 'udp', '--orig-dst', address, '--dst-nat', ip]);
        if (b.nodePort) filters.push(['-p', 'udp', '--orig-port-dst', String(b.nodePort), '--dst-nat', ip]);
      }
    }
    if (a && usedBefore.size === 0 && usedNow.size > 0) {
      for (const address of addressesOf(a)) filters.push(['-p', 'udp', '--orig-dst', address]);
      if (a.nodePort) filters.push(['-p', 'udp', '--orig-port-dst', String(a.nodePort)]);
    }
  }
  return filters;
}

/** Deletes the flows matching each filter from this namespace's conntrack table; a failure is logged, never fatal to the sync. */
export async function clearConntrack(filters: string[][]): Promise<void> {
  for (const filter of filters) {
    await new Promise<void>((resolve) => {
      execFile(CONNTRACK, ['-D', ...filter], (err, _stdout, stderr) => {
        // conntrack answers 1 when no flow matched: nothing to forget.
        if (err && !/0 flow entries have been deleted/.test(stderr)) log.error('cannot clear stale UDP flows', { filter: filter.join(' '), error: stderr.trim() || err.message });
        resolve();
      });
    });
  }
}
