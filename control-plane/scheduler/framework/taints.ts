import type { Toleration } from './pod-info.js';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** v1.Toleration.ToleratesTaint: an empty key with Exists tolerates every taint; an empty effect every effect. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator) {
    case undefined: case '': case 'Equal': return (t.value ?? '') === (taint.value ?? '');
    case 'Exists': return true;
    default: return false;
  }
}

export function tolerated(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** The first taint no toleration matches, as v1helper.FindMatchingUntoleratedTaint finds it. */
export function firstUntolerated(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  for (const taint of taints) if (!tolerated(tolerations, taint)) return taint;
  return undefined;
}

/** How kube names an untolerated taint in FailedScheduling: {key: value}. */
export const untoleratedTaintReason = (taint: Taint): string => `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
