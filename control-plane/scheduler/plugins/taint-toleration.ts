import { findMatchingUntoleratedTaint, tolerationsTolerateTaint, type Taint, type Toleration } from '../../../api/taints.js';
import { Action } from '../framework/cluster-event.js';
import { defaultNormalizeScore, unresolvable, type Plugin } from '../framework/plugin.js';

const PRE_SCORE = 'PreScoreTaintToleration';

/** How kube names an untolerated taint in FailedScheduling: {key: value}. */
const untoleratedTaintReason = (taint: Taint): string => `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;

/**
 * TaintToleration: a node's NoSchedule and NoExecute taints (with the one
 * its readiness implies) must all be tolerated; among fitting nodes, fewer
 * untolerated PreferNoSchedule taints score higher.
 */
export function taintToleration(): Plugin {
  return {
    name: 'TaintToleration',
    events: [{ resource: 'Node', actions: Action.Add | Action.UpdateNodeTaint }],
    filter(_state, pod, node) {
      const taint = findMatchingUntoleratedTaint(node.noScheduleTaints, pod.tolerations);
      return taint ? unresolvable(untoleratedTaintReason(taint)) : undefined;
    },
    preScore(state, pod) {
      state.write(PRE_SCORE, pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule'));
      return undefined;
    },
    score(state, _pod, node) {
      const tolerations = state.read<Toleration[]>(PRE_SCORE)!;
      let count = 0;
      for (const taint of node.preferNoScheduleTaints) if (!tolerationsTolerateTaint(tolerations, taint)) count++;
      return count;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(scores, true);
    },
  };
}
