import type { AnyObject } from '../../client/resource.js';

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** Nodes with this label never count towards their zone's health. */
export const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';

/**
 * A node's zone as the node lifecycle controller groups nodes: region and
 * zone from the topology labels (or their deprecated failure-domain forms),
 * '' when the node has neither. The NUL keeps "a:b" + "c" apart from "a" + "b:c".
 */
export function zoneKey(node: AnyObject): string {
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  return region || zone ? `${region}:\0:${zone}` : '';
}

/** How a zone is doing, from its nodes' Ready conditions: no Ready node at all, at least `threshold` of them (and over two) not Ready, or neither. */
export function computeZoneState(readyConditions: (Record<string, any> | undefined)[], unhealthyThreshold: number): { unhealthy: number; state: ZoneState } {
  const ready = readyConditions.filter((c) => c?.status === 'True').length;
  const unhealthy = readyConditions.length - ready;
  if (ready === 0 && unhealthy > 0) return { unhealthy, state: 'FullDisruption' };
  if (unhealthy > 2 && unhealthy / readyConditions.length >= unhealthyThreshold) return { unhealthy, state: 'PartialDisruption' };
  return { unhealthy, state: 'Normal' };
}
