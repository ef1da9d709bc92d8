import type { KObject } from './kind.js';

/**
 * Taints and tolerations as core/v1 matches them (ToleratesTaint and the
 * v1helper functions over lists), shared by the scheduler's filters and
 * the node controllers. Allocation-free where the scheduler calls them:
 * they run once per node per pod.
 */

/** A node taint as the API carries it. */
export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

/** A pod toleration as the API carries it. */
export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number | null;
}

/**
 * core/v1's ToleratesTaint: an empty effect matches every effect, an empty
 * key (only valid with Exists) every key; Equal, the default, also needs
 * the value to match.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator) {
    case undefined:
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** v1helper.TolerationsTolerateTaint: some toleration tolerates the taint. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (let i = 0; i < tolerations.length; i++) if (toleratesTaint(tolerations[i], taint)) return true;
  return false;
}

/** v1helper.FindMatchingUntoleratedTaint: the first taint no toleration tolerates. */
export function findMatchingUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  for (let i = 0; i < taints.length; i++) if (!tolerationsTolerateTaint(tolerations, taints[i])) return taints[i];
  return undefined;
}

/**
 * For each taint, the first toleration that tolerates it (v1helper's
 * GetMatchingTolerations); undefined when some taint is not tolerated.
 */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = tolerations.find((t) => toleratesTaint(t, taint));
    if (!match) return undefined;
    used.push(match);
  }
  return used;
}

/** Taint.MatchTaint: the same taint when key and effect match; value and timeAdded do not count. */
export const matchTaint = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

/** TaintExists: some taint of the list matches `taint`. */
export const taintExists = (taints: readonly Taint[], taint: Taint): boolean => taints.some((t) => matchTaint(t, taint));

/** A node's spec.taints; none when it has none. */
export const nodeTaints = (node: KObject | undefined): Taint[] => (Array.isArray(node?.spec?.taints) ? node.spec.taints : []);
