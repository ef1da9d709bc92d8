import type { AnyObject } from '../../client/resource.js';
import { DESIRED_REPLICAS, intAnnotation, MAX_REPLICAS } from './annotations.js';

/** How sizes are read: spec.replicas is defaulted to 1 by the API server. */
export const specReplicas = (obj: AnyObject | undefined): number => obj?.spec?.replicas ?? 1;

export const isRollingUpdate = (d: AnyObject): boolean => d.spec.strategy?.type === 'RollingUpdate';

/** An int-or-percent of `total`: percentages round up for surge and down for unavailability. */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const m = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  // Validation refuses anything else; failing here makes a slipped-through value visible.
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage: ${JSON.stringify(value)}`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * kube's ResolveFenceposts: maxSurge and maxUnavailable as pod counts for
 * `desired` replicas. Both 0 would stall a rollout, so unavailability is then 1.
 */
export function resolveFenceposts(maxSurge: unknown, maxUnavailable: unknown, desired: number): [number, number] {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: AnyObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, specReplicas(d))[0];
}

export function maxUnavailable(d: AnyObject): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy.rollingUpdate ?? {};
  return Math.min(resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas)[1], replicas);
}

const sum = (list: Array<AnyObject | undefined>, f: (rs: AnyObject) => number) => list.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** Pods the ReplicaSets want (spec). */
export const replicaCount = (list: Array<AnyObject | undefined>) => sum(list, specReplicas);
/** Pods the ReplicaSets have (status). */
export const actualReplicaCount = (list: Array<AnyObject | undefined>) => sum(list, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (list: Array<AnyObject | undefined>) => sum(list, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (list: Array<AnyObject | undefined>) => sum(list, (rs) => rs.status?.availableReplicas ?? 0);

/** How big the new ReplicaSet may be now (kube's NewRSNewReplicas). */
export function newRSNewReplicas(d: AnyObject, allRSs: AnyObject[], newRS: AnyObject): number {
  const replicas = specReplicas(d);
  switch (d.spec.strategy?.type) {
    case 'RollingUpdate': {
      const surge = scaledValue(d.spec.strategy.rollingUpdate?.maxSurge, replicas, true);
      const current = replicaCount(allRSs);
      const maxTotal = replicas + surge;
      if (current >= maxTotal) return specReplicas(newRS);
      const scaleUp = Math.min(maxTotal - current, replicas - specReplicas(newRS));
      return specReplicas(newRS) + scaleUp;
    }
    case 'Recreate':
      return replicas;
    default:
      throw new Error(`deployment type ${d.spec.strategy?.type} isn't supported`);
  }
}

/** Go's integer.RoundToInt32: halves round away from zero. */
const round = (x: number): number => (x < 0 ? Math.ceil(x - 0.5) : Math.floor(x + 0.5));

/** The share of a scaling this ReplicaSet takes: its size scaled by the Deployment's new size over the old. */
function replicaSetFraction(rs: AnyObject, d: AnyObject): number {
  if (specReplicas(d) === 0) return -specReplicas(rs);
  const deploymentReplicas = specReplicas(d) + maxSurge(d);
  // Without the annotation the current size is the best guess; getProportion's bounds keep the result safe.
  const annotated = intAnnotation(rs, MAX_REPLICAS) ?? d.status?.replicas ?? 0;
  return round((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
}

/** kube's GetProportion: this ReplicaSet's part of `toAdd`, never beyond what is left to add (or remove). */
export function getProportion(rs: AnyObject | undefined, d: AnyObject, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** The new ReplicaSet holds every replica, all available, for the Deployment's current size. */
export function isSaturated(d: AnyObject, rs: AnyObject | undefined): boolean {
  if (!rs) return false;
  const desired = intAnnotation(rs, DESIRED_REPLICAS);
  if (desired === undefined) return false;
  const replicas = specReplicas(d);
  return specReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** Every replica updated and available, and the current generation observed. */
export function deploymentComplete(d: AnyObject, status: Record<string, any>): boolean {
  const replicas = specReplicas(d);
  return (status.updatedReplicas ?? 0) === replicas && (status.replicas ?? 0) === replicas
    && (status.availableReplicas ?? 0) === replicas && (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Anything moved since the last status: more updated, ready or available replicas, or fewer old ones. */
export function deploymentProgressing(d: AnyObject, next: Record<string, any>): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
    || (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}
