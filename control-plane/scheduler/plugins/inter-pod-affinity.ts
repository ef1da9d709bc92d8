import { LabelSelector } from '../../../api/selectors/label-selector.js';
import type { AnyObject } from '../../../client/resource.js';
import { Action } from '../framework/cluster-event.js';
import type { Lister } from '../framework/listers.js';
import type { NodeInfo } from '../framework/node-info.js';
import { MAX_NODE_SCORE, SKIP, unresolvable, unschedulable, type NodeSnapshot, type Plugin } from '../framework/plugin.js';
import { termMatches, type AffinityTerm, type PodInfo, type WeightedAffinityTerm } from '../framework/pod-info.js';

export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

const AFFINITY_REJECTED = unresolvable(ERR_REASON_AFFINITY);
const ANTI_AFFINITY_REJECTED = unschedulable(ERR_REASON_ANTI_AFFINITY);
const EXISTING_REJECTED = unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
const PRE_FILTER = 'PreFilterInterPodAffinity';
const PRE_SCORE = 'PreScoreInterPodAffinity';
/** kube's InterPodAffinityArgs.hardPodAffinityWeight default. */
const HARD_POD_AFFINITY_WEIGHT = 1;

/** Counts per topology pair, keyed "key\0value". */
type PairCounts = Map<string, number>;
const pair = (key: string, value: string) => `${key}\0${value}`;

function bump(counts: PairCounts, node: NodeInfo, key: string, by: number): void {
  const value = node.labels[key];
  if (value === undefined) return;
  const k = pair(key, value);
  const n = (counts.get(k) ?? 0) + by;
  if (n === 0) counts.delete(k);
  else counts.set(k, n);
}

/** podMatchesAllAffinityTerms: the incoming pod's terms (namespaces already merged) all select `pod`. */
function matchesAll(terms: readonly AffinityTerm[], pod: PodInfo): boolean {
  if (!terms.length) return false;
  for (const t of terms) if (!termMatches(t, pod, undefined)) return false;
  return true;
}

interface FilterState {
  pod: PodInfo;
  affinity: readonly AffinityTerm[];
  antiAffinity: readonly AffinityTerm[];
  existingAnti: PairCounts;
  affinityCounts: PairCounts;
  antiCounts: PairCounts;
}

/**
 * InterPodAffinity: required pod affinity and anti-affinity, on any
 * topology key, in both directions (the incoming pod's terms over the pods
 * already placed, and their anti-affinity terms over the incoming pod);
 * preferred terms, and existing pods' terms that select the incoming pod,
 * move scores by their weights.
 */
export function interPodAffinity(snapshot: NodeSnapshot, namespaces: Lister): Plugin {
  const namespaceLabels = (name: string): Record<string, string> => namespaces.get(name)?.metadata?.labels ?? {};

  /** mergeAffinityTermNamespacesIfNotEmpty: the incoming pod's namespace selectors become a list of namespaces. */
  const merged = <T extends AffinityTerm>(terms: readonly T[]): readonly T[] => {
    if (!terms.some((t) => !t.namespaceSelector.matchesNothing())) return terms;
    const all = namespaces.list();
    return terms.map((t) => {
      if (t.namespaceSelector.matchesNothing()) return t;
      const names = new Set(t.namespaces);
      for (const ns of all) if (t.namespaceSelector.matches(ns.metadata.labels)) names.add(ns.metadata.name!);
      return { ...t, namespaces: names, namespaceSelector: LabelSelector.nothing() };
    });
  };

  return {
    name: 'InterPodAffinity',
    events: [
      { resource: 'AssignedPod', actions: Action.Add | Action.UpdatePodLabel | Action.Delete, hint: affinityMayChange },
      { resource: 'Node', actions: Action.Add | Action.UpdateNodeLabel },
    ],
    preFilter(state, pod) {
      if (pod.parseError) return unresolvable(`parsing pod: ${pod.parseError}`);
      const affinity = merged(pod.requiredAffinityTerms);
      const antiAffinity = merged(pod.requiredAntiAffinityTerms);
      const nsLabels = namespaceLabels(pod.namespace);
      const existingAnti: PairCounts = new Map();
      for (const node of snapshot.havePodsWithRequiredAntiAffinity()) {
        for (const existing of node.podsWithRequiredAntiAffinity) {
          for (const t of existing.requiredAntiAffinityTerms) if (termMatches(t, pod, nsLabels)) bump(existingAnti, node, t.topologyKey, 1);
        }
      }
      const affinityCounts: PairCounts = new Map();
      const antiCounts: PairCounts = new Map();
      if (affinity.length || antiAffinity.length) {
        for (const node of snapshot.list()) {
          for (const existing of node.pods) {
            if (matchesAll(affinity, existing)) for (const t of affinity) bump(affinityCounts, node, t.topologyKey, 1);
            for (const t of antiAffinity) if (termMatches(t, existing, undefined)) bump(antiCounts, node, t.topologyKey, 1);
          }
        }
      }
      if (!existingAnti.size && !affinity.length && !antiAffinity.length) return SKIP;
      state.write(PRE_FILTER, { pod, affinity, antiAffinity, existingAnti, affinityCounts, antiCounts } satisfies FilterState);
      return undefined;
    },
    filter(state, _pod, node) {
      const s = state.read<FilterState>(PRE_FILTER)!;
      if (!satisfiesAffinity(s, node)) return AFFINITY_REJECTED;
      if (s.antiCounts.size) {
        for (const t of s.antiAffinity) {
          const value = node.labels[t.topologyKey];
          if (value !== undefined && (s.antiCounts.get(pair(t.topologyKey, value)) ?? 0) > 0) return ANTI_AFFINITY_REJECTED;
        }
      }
      if (s.existingAnti.size) {
        for (const key in node.labels) if ((s.existingAnti.get(pair(key, node.labels[key])) ?? 0) > 0) return EXISTING_REJECTED;
      }
      return undefined;
    },
    preScore(state, pod, feasible) {
      if (!feasible.length) return SKIP;
      const preferred = merged(pod.preferredAffinityTerms);
      const preferredAnti = merged(pod.preferredAntiAffinityTerms);
      const hasConstraints = preferred.length > 0 || preferredAnti.length > 0;
      const nsLabels = namespaceLabels(pod.namespace);
      const scores = new Map<string, Map<string, number>>();
      const add = (term: AffinityTerm, weight: number, target: PodInfo, labels: Record<string, string> | undefined, node: NodeInfo) => {
        if (!termMatches(term, target, labels)) return;
        const value = node.labels[term.topologyKey];
        if (value === undefined) return;
        let byValue = scores.get(term.topologyKey);
        if (!byValue) scores.set(term.topologyKey, (byValue = new Map()));
        byValue.set(value, (byValue.get(value) ?? 0) + weight);
      };
      const weighted = (terms: readonly WeightedAffinityTerm[], sign: 1 | -1, target: PodInfo, labels: Record<string, string> | undefined, node: NodeInfo) => {
        for (const t of terms) add(t, t.weight * sign, target, labels, node);
      };
      for (const node of hasConstraints ? snapshot.list() : snapshot.havePodsWithAffinity()) {
        if (!Object.keys(node.labels).length) continue;
        for (const existing of hasConstraints ? node.pods : node.podsWithAffinity) {
          weighted(preferred, 1, existing, undefined, node);
          weighted(preferredAnti, -1, existing, undefined, node);
          for (const t of existing.requiredAffinityTerms) add(t, HARD_POD_AFFINITY_WEIGHT, pod, nsLabels, node);
          weighted(existing.preferredAffinityTerms, 1, pod, nsLabels, node);
          weighted(existing.preferredAntiAffinityTerms, -1, pod, nsLabels, node);
        }
      }
      if (!scores.size) return SKIP;
      state.write(PRE_SCORE, scores);
      return undefined;
    },
    score(state, _pod, node) {
      let total = 0;
      for (const [key, byValue] of state.read<Map<string, Map<string, number>>>(PRE_SCORE)!) {
        const value = node.labels[key];
        if (value !== undefined) total += byValue.get(value) ?? 0;
      }
      return total;
    },
    normalizeScore(_state, _pod, scores) {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        if (s < min) min = s;
        if (s > max) max = s;
      }
      const spread = max - min;
      for (let i = 0; i < scores.length; i++) scores[i] = spread > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i] - min)) / spread) : 0;
    },
  };
}

/**
 * satisfyPodAffinity: each term's topology label must be on the node with a
 * matching pod in that domain; a pod that is the first of a group selecting
 * itself may start the group anywhere the labels exist.
 */
function satisfiesAffinity(s: FilterState, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of s.affinity) {
    const value = node.labels[t.topologyKey];
    if (value === undefined) return false;
    if ((s.affinityCounts.get(pair(t.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  return s.affinityCounts.size === 0 && matchesAll(s.affinity, s.pod);
}

/** The queueing hint for pod changes: a pod the parked pod's terms select, or one with anti-affinity of its own. */
function affinityMayChange(pod: PodInfo, oldObj: AnyObject | undefined, newObj: AnyObject | undefined): boolean {
  for (const obj of [oldObj, newObj]) {
    if (!obj) continue;
    if (obj.spec?.affinity?.podAntiAffinity) return true;
    const labels = obj.metadata?.labels;
    const ns = obj.metadata?.namespace ?? '';
    for (const t of [...pod.requiredAffinityTerms, ...pod.requiredAntiAffinityTerms]) {
      if ((t.namespaces.has(ns) || !t.namespaceSelector.matchesNothing()) && t.selector.matches(labels)) return true;
    }
  }
  return false;
}
