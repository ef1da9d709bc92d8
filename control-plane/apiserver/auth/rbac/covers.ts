import type { PolicyRule } from './rule-matching.js';

const ALL = '*';
const list = (v: string[] | undefined): string[] => v ?? [];

/**
 * Splits a rule into rules of one verb, one group, one resource and at most
 * one name (or one verb and one non-resource URL). '*' stays as written: a
 * piece with '*' is covered only by an owner rule that has '*' too.
 */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const pieces: PolicyRule[] = [];
  for (const group of list(rule.apiGroups)) {
    for (const resource of list(rule.resources)) {
      for (const verb of list(rule.verbs)) {
        const names = list(rule.resourceNames);
        if (!names.length) pieces.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        for (const name of names) pieces.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
      }
    }
  }
  for (const url of list(rule.nonResourceURLs)) {
    for (const verb of list(rule.verbs)) pieces.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return pieces;
}

const hasAll = (owned: string[], wanted: string[]): boolean => wanted.every((w) => owned.includes(w));

/** An owner's '*', or the exact resource, or '*' + '/sub' for a subresource 'x/sub'. */
function resourcesCovered(owned: string[], wanted: string[]): boolean {
  if (owned.includes(ALL)) return true;
  return wanted.every((r) => {
    if (owned.includes(r)) return true;
    const slash = r.indexOf('/');
    return slash >= 0 && owned.includes(`*${r.slice(slash)}`);
  });
}

function urlCovered(owner: string, url: string): boolean {
  return owner === url || (owner.endsWith(ALL) && url.startsWith(owner.replace(/\*+$/, '')));
}

/** Whether one owner rule covers one piece of breakdownRule. */
function ruleCovers(owner: PolicyRule, piece: PolicyRule): boolean {
  const verbs = list(owner.verbs);
  const groups = list(owner.apiGroups);
  const ownerNames = list(owner.resourceNames);
  const pieceNames = list(piece.resourceNames);
  return (verbs.includes(ALL) || hasAll(verbs, list(piece.verbs)))
    && (groups.includes(ALL) || hasAll(groups, list(piece.apiGroups)))
    && resourcesCovered(list(owner.resources), list(piece.resources))
    && list(piece.nonResourceURLs).every((url) => list(owner.nonResourceURLs).some((o) => urlCovered(o, url)))
    // An owner limited to names covers only pieces limited to some of those names.
    && (ownerNames.length === 0 || (pieceNames.length > 0 && hasAll(ownerNames, pieceNames)));
}

/**
 * kube's Covers: whether the owner's rules allow everything the requested
 * rules would, compared piece by piece; answers the pieces not covered.
 */
export function covers(ownerRules: PolicyRule[], requested: PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing = requested.flatMap(breakdownRule).filter((piece) => !ownerRules.some((owner) => ruleCovers(owner, piece)));
  return { covered: missing.length === 0, missing };
}

/**
 * Joins pieces that differ only in their verb (one group, one resource, at
 * most one name, no URLs), as kube does before listing what is missing.
 */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const isSimple = list(rule.apiGroups).length === 1 && list(rule.resources).length === 1
      && list(rule.resourceNames).length <= 1 && !list(rule.nonResourceURLs).length;
    if (!isSimple) {
      out.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups, rule.resources, rule.resourceNames ?? []]);
    const existing = simple.get(key);
    if (!existing) {
      simple.set(key, { ...rule, verbs: [...list(rule.verbs)] });
      continue;
    }
    for (const verb of list(rule.verbs)) if (!existing.verbs!.includes(verb)) existing.verbs!.push(verb);
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a string slice: `["a" "b"]`. */
export function goQuotedList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

/** kube's one-line form of a rule: `{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}`. */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (list(rule.apiGroups).length) parts.push(`APIGroups:${goQuotedList(rule.apiGroups!)}`);
  if (list(rule.resources).length) parts.push(`Resources:${goQuotedList(rule.resources!)}`);
  if (list(rule.nonResourceURLs).length) parts.push(`NonResourceURLs:${goQuotedList(rule.nonResourceURLs!)}`);
  if (list(rule.resourceNames).length) parts.push(`ResourceNames:${goQuotedList(rule.resourceNames!)}`);
  if (list(rule.verbs).length) parts.push(`Verbs:${goQuotedList(rule.verbs!)}`);
  return `{${parts.join(', ')}}`;
}
