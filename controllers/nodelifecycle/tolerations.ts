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
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/**
 * For each taint, the first toleration that tolerates it (kube's
 * GetMatchingTolerations); undefined when some taint is not tolerated.
 */
export function matchingTolerations(taints: Taint[], tolerations: Toleration[]): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = tolerations.find((t) => toleratesTaint(t, taint));
    if (!match) return undefined;
    used.push(match);
  }
  return used;
}
