export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** How a zone is doing, from its nodes' Ready conditions: no Ready node at all, at least `threshold` of them (and over two) not Ready, or neither. */
export function computeZoneState(readyConditions: ({ status?: string } | undefined)[], unhealthyThreshold: number): { unhealthy: number; state: ZoneState } {
  const ready = readyConditions.filter((c) => c?.status === 'True').length;
  const unhealthy = readyConditions.length - ready;
  if (ready === 0 && unhealthy > 0) return { unhealthy, state: 'FullDisruption' };
  if (unhealthy > 2 && unhealthy / readyConditions.length >= unhealthyThreshold) return { unhealthy, state: 'PartialDisruption' };
  return { unhealthy, state: 'Normal' };
}
