import { selectorFromSet } from '../../../api/selectors/label-selector.js';
import { NodeSelector } from '../../../api/selectors/node-selector.js';
import { Action } from '../framework/cluster-event.js';
import type { NodeInfo } from '../framework/node-info.js';
import { defaultNormalizeScore, SKIP, unresolvable, type Plugin } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';

export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_AFFINITY_CONFLICT = 'pod affinity terms conflict';

const REJECTED = unresolvable(ERR_REASON_NODE_AFFINITY);
const PRE_FILTER = 'PreFilterNodeAffinity';
const PRE_SCORE = 'PreScoreNodeAffinity';

/** nodeaffinity.GetRequiredNodeAffinity: the pod's nodeSelector and its required node affinity, both. */
export function requiredNodeAffinity(pod: PodInfo): (node: NodeInfo) => boolean {
  const nodeSelector: Record<string, string> | undefined = pod.pod.spec?.nodeSelector;
  const required = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const labels = nodeSelector && Object.keys(nodeSelector).length ? selectorFromSet(nodeSelector) : undefined;
  const affinity = required ? NodeSelector.parse(required) : undefined;
  if (!labels && !affinity) return () => true;
  return (node) => (!labels || labels.matches(node.labels)) && (!affinity || affinity.matches(node.labels, node.name));
}

/**
 * The nodes a pod's required terms name by metadata.name, when every term
 * names some (kube's PreFilterResult for DaemonSet pods); undefined when
 * any node may do.
 */
function namedNodes(pod: PodInfo): Set<string> | undefined {
  const terms = pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!Array.isArray(terms) || !terms.length) return undefined;
  let names: Set<string> | undefined;
  for (const term of terms) {
    let termNames: Set<string> | undefined;
    for (const f of term?.matchFields ?? []) {
      if (f?.key !== 'metadata.name' || f.operator !== 'In') continue;
      const values = new Set<string>(f.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => values.has(n))) : values;
    }
    if (!termNames) return undefined;
    names = new Set([...(names ?? []), ...termNames]);
  }
  return names;
}

/**
 * NodeAffinity: the pod's nodeSelector and required node affinity filter
 * nodes; its preferred terms add their weights to the nodes they match.
 */
export function nodeAffinity(): Plugin {
  return {
    name: 'NodeAffinity',
    events: [{ resource: 'Node', actions: Action.Add | Action.UpdateNodeLabel }],
    preFilter(state, pod) {
      const spec = pod.pod.spec ?? {};
      if (!spec.nodeSelector && !spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) return SKIP;
      state.write(PRE_FILTER, requiredNodeAffinity(pod));
      const names = namedNodes(pod);
      if (!names) return undefined;
      return names.size ? { nodeNames: names } : unresolvable(ERR_REASON_AFFINITY_CONFLICT);
    },
    filter(state, _pod, node) {
      return state.read<(n: NodeInfo) => boolean>(PRE_FILTER)!(node) ? undefined : REJECTED;
    },
    preScore(state, pod) {
      const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
      const terms = (Array.isArray(preferred) ? preferred : [])
        .filter((t) => Number(t?.weight) !== 0)
        .map((t) => ({ weight: Number(t.weight), term: NodeSelector.parseTerm(t.preference) }));
      if (!terms.length) return SKIP;
      state.write(PRE_SCORE, terms);
      return undefined;
    },
    score(state, _pod, node) {
      let total = 0;
      for (const { weight, term } of state.read<{ weight: number; term: NodeSelector }[]>(PRE_SCORE)!) {
        if (term.matches(node.labels, node.name)) total += weight;
      }
      return total;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(scores, false);
    },
  };
}
