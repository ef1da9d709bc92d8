import { LabelSelector, labelSelectorFromObject, selectorFromSet } from '../../../api/selectors/label-selector.js';
import { findMatchingUntoleratedTaint } from '../../../api/taints.js';
import { LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE } from '../../../api/well-known.js';
import type { AnyObject } from '../../../client/resource.js';
import { Action } from '../framework/cluster-event.js';
import type { Listers } from '../framework/listers.js';
import type { NodeInfo } from '../framework/node-info.js';
import { MAX_NODE_SCORE, SKIP, unresolvable, unschedulable, type NodeSnapshot, type Plugin } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';
import { defaultSelector } from './default-selector.js';
import { requiredNodeAffinity } from './node-affinity.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

const NOT_MATCH = unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
const LABEL_NOT_MATCH = unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
const PRE_FILTER = 'PreFilterPodTopologySpread';
const PRE_SCORE = 'PreScorePodTopologySpread';

/** kube's system default constraints, for pods that name none: gently spread over hosts and zones. */
export const SYSTEM_DEFAULT_CONSTRAINTS = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_TOPOLOGY_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  /** Names the selector (and namespace) for NodeInfo.countMatching's memo. */
  memoKey: string;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
}

/** filterTopologySpreadConstraints: the constraints with this action, selectors parsed and matchLabelKeys merged in. */
function constraintsOf(raw: readonly Record<string, any>[], pod: PodInfo, action: string, selectorOverride?: LabelSelector): Constraint[] {
  const out: Constraint[] = [];
  for (const c of raw) {
    if ((c.whenUnsatisfiable ?? 'DoNotSchedule') !== action) continue;
    let selector = selectorOverride ?? labelSelectorFromObject(c.labelSelector);
    const keys: string[] = Array.isArray(c.matchLabelKeys) ? c.matchLabelKeys : [];
    const picked = Object.fromEntries(keys.filter((k) => Object.hasOwn(pod.labels, k)).map((k) => [k, pod.labels[k]]));
    if (Object.keys(picked).length) {
      selector = LabelSelector.of([...selectorFromSet(picked).requirements, ...(selector.matchesNothing() ? [] : selector.requirements)]);
    }
    out.push({
      maxSkew: Number(c.maxSkew ?? 1),
      topologyKey: String(c.topologyKey),
      selector,
      memoKey: `${pod.namespace}\0${selector.matchesNothing() ? '\0nothing' : selector.toString()}`,
      minDomains: typeof c.minDomains === 'number' ? c.minDomains : 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    });
  }
  return out;
}

/**
 * A pod's own DoNotSchedule constraints, parsed once per version of the pod
 * (a PodInfo is made per version): a parked pod's queueing hint runs on every
 * assigned pod event. A selector that fails to parse is kept as the error,
 * which PreFilter reports as kube does.
 */
const requiredConstraints = new WeakMap<PodInfo, Constraint[] | { error: unknown }>();

function requiredConstraintsOf(pod: PodInfo): Constraint[] | { error: unknown } {
  let parsed = requiredConstraints.get(pod);
  if (!parsed) {
    try {
      parsed = constraintsOf(pod.pod.spec?.topologySpreadConstraints ?? [], pod, 'DoNotSchedule');
    } catch (error) {
      parsed = { error };
    }
    requiredConstraints.set(pod, parsed);
  }
  return parsed;
}

const hasAllKeys = (node: NodeInfo, constraints: readonly Constraint[]): boolean => constraints.every((c) => Object.hasOwn(node.labels, c.topologyKey));

/** matchNodeInclusionPolicies: whether the node counts for the constraint at all. */
function included(c: Constraint, pod: PodInfo, node: NodeInfo, affinity: (n: NodeInfo) => boolean): boolean {
  if (c.honorNodeAffinity && !affinity(node)) return false;
  return !(c.honorTaints && findMatchingUntoleratedTaint(node.noScheduleTaints, pod.tolerations));
}

interface FilterState {
  constraints: Constraint[];
  /** Per constraint: matching pods per topology value. */
  counts: Map<string, number>[];
  /** Per constraint: the global minimum, or 0 when there are fewer domains than minDomains. */
  minimums: number[];
}

interface ScoreState {
  constraints: Constraint[];
  ignored: Set<string>;
  /** Per constraint: matching pods per topology value of the scored nodes (hostname is counted per node). */
  counts: Map<string, number>[];
  weights: number[];
}

/**
 * PodTopologySpread: a pod's DoNotSchedule constraints filter out nodes
 * whose domain would exceed maxSkew over the least loaded domain; its
 * ScheduleAnyway constraints, or kube's system defaults (hosts and zones,
 * against the pods of the same Services and controllers), score nodes in
 * emptier domains higher.
 */
export function podTopologySpread(snapshot: NodeSnapshot, listers: Pick<Listers, 'services' | 'replicaSets' | 'statefulSets' | 'replicationControllers'>): Plugin {
  return {
    name: 'PodTopologySpread',
    events: [
      { resource: 'AssignedPod', actions: Action.Add | Action.UpdatePodLabel | Action.Delete, hint: (pod, oldObj, newObj) => spreadMayChange(pod, oldObj, newObj) },
      { resource: 'Node', actions: Action.Add | Action.Delete | Action.UpdateNodeLabel | Action.UpdateNodeTaint },
    ],
    preFilter(state, pod) {
      const constraints = requiredConstraintsOf(pod);
      if (!Array.isArray(constraints)) throw constraints.error;
      if (!constraints.length) return SKIP;
      const affinity = requiredNodeAffinity(pod);
      const counts = constraints.map(() => new Map<string, number>());
      for (const node of snapshot.list()) {
        if (!hasAllKeys(node, constraints)) continue;
        constraints.forEach((c, i) => {
          if (!included(c, pod, node, affinity)) return;
          const value = node.labels[c.topologyKey];
          counts[i].set(value, (counts[i].get(value) ?? 0) + node.countMatching(pod.namespace, c.selector, c.memoKey));
        });
      }
      const minimums = constraints.map((c, i) => {
        if (counts[i].size < c.minDomains) return 0;
        let min = Infinity;
        for (const n of counts[i].values()) if (n < min) min = n;
        return min;
      });
      state.write(PRE_FILTER, { constraints, counts, minimums } satisfies FilterState);
      return undefined;
    },
    filter(state, pod, node) {
      const s = state.read<FilterState>(PRE_FILTER)!;
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        const value = node.labels[c.topologyKey];
        if (value === undefined) return LABEL_NOT_MATCH;
        const self = c.selector.matches(pod.labels) ? 1 : 0;
        if ((s.counts[i].get(value) ?? 0) + self - s.minimums[i] > c.maxSkew) return NOT_MATCH;
      }
      return undefined;
    },
    preScore(state, pod, feasible) {
      const own: AnyObject[] = pod.pod.spec?.topologySpreadConstraints ?? [];
      let constraints: Constraint[];
      if (own.length) {
        constraints = constraintsOf(own, pod, 'ScheduleAnyway');
      } else {
        const selector = defaultSelector(pod, listers);
        constraints = selector.empty() ? [] : constraintsOf(SYSTEM_DEFAULT_CONSTRAINTS, pod, 'ScheduleAnyway', selector);
      }
      if (!constraints.length) return SKIP;
      // Only pods' own constraints require every topology label; system defaults spread over whatever labels a node has.
      const requireAll = own.length > 0;
      const ignored = new Set<string>();
      const counts = constraints.map(() => new Map<string, number>());
      const domains = constraints.map(() => 0);
      for (const node of feasible) {
        if (requireAll && !hasAllKeys(node, constraints)) {
          ignored.add(node.name);
          continue;
        }
        constraints.forEach((c, i) => {
          if (c.topologyKey === LABEL_HOSTNAME) return;
          const value = node.labels[c.topologyKey];
          if (!counts[i].has(value)) {
            counts[i].set(value, 0);
            domains[i]++;
          }
        });
      }
      const affinity = requiredNodeAffinity(pod);
      // Every node of the cluster counts toward its domain: the hot loop of a cycle, so plain loops.
      const all = snapshot.list();
      for (let n = 0; n < all.length; n++) {
        const node = all[n];
        if (requireAll && !hasAllKeys(node, constraints)) continue;
        for (let i = 0; i < constraints.length; i++) {
          const c = constraints[i];
          if (c.topologyKey === LABEL_HOSTNAME) continue;
          const value = node.labels[c.topologyKey];
          const sum = counts[i].get(value);
          if (sum === undefined || !included(c, pod, node, affinity)) continue;
          counts[i].set(value, sum + node.countMatching(pod.namespace, c.selector, c.memoKey));
        }
      }
      const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? feasible.length - ignored.size : domains[i]) + 2));
      state.write(PRE_SCORE, { constraints, ignored, counts, weights } satisfies ScoreState);
      return undefined;
    },
    score(state, pod, node) {
      const s = state.read<ScoreState>(PRE_SCORE)!;
      if (s.ignored.has(node.name)) return 0;
      let score = 0;
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        const value = node.labels[c.topologyKey];
        if (value === undefined) continue;
        const count = c.topologyKey === LABEL_HOSTNAME ? node.countMatching(pod.namespace, c.selector, c.memoKey) : s.counts[i].get(value) ?? 0;
        score += count * s.weights[i] + (c.maxSkew - 1);
      }
      return Math.round(score);
    },
    normalizeScore(state, _pod, scores, nodes) {
      const s = state.read<ScoreState>(PRE_SCORE)!;
      let min = Infinity;
      let max = 0;
      for (let i = 0; i < scores.length; i++) {
        if (s.ignored.has(nodes[i].name)) continue;
        if (scores[i] < min) min = scores[i];
        if (scores[i] > max) max = scores[i];
      }
      for (let i = 0; i < scores.length; i++) {
        if (s.ignored.has(nodes[i].name)) scores[i] = 0;
        else if (max === 0) scores[i] = MAX_NODE_SCORE;
        else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
      }
    },
  };
}

/** The queueing hint for pod changes: only pods the parked pod's own constraints count can change its spreading. */
function spreadMayChange(pod: PodInfo, oldObj: AnyObject | undefined, newObj: AnyObject | undefined): boolean {
  const changed = newObj ?? oldObj;
  if (!changed || changed.metadata?.namespace !== pod.namespace) return false;
  const constraints = requiredConstraintsOf(pod);
  // Constraints that do not parse leave the pod to PreFilter's error: any change may be worth a try.
  if (!Array.isArray(constraints)) return true;
  return constraints.some((c) => c.selector.matches(oldObj?.metadata?.labels) || c.selector.matches(newObj?.metadata?.labels));
}
