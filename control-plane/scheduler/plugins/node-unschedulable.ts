import { tolerationsTolerateTaint } from '../../../api/taints.js';
import { TAINT_NODE_UNSCHEDULABLE } from '../../../api/well-known.js';
import { Action } from '../framework/cluster-event.js';
import { unresolvable, type Plugin } from '../framework/plugin.js';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

const REJECTED = unresolvable(ERR_REASON_UNSCHEDULABLE);
const UNSCHEDULABLE_TAINT = { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' };

/** NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that tolerate node.kubernetes.io/unschedulable:NoSchedule. */
export function nodeUnschedulable(): Plugin {
  return {
    name: 'NodeUnschedulable',
    events: [{ resource: 'Node', actions: Action.Add | Action.UpdateNodeTaint }],
    filter(_state, pod, node) {
      if (!node.unschedulable || tolerationsTolerateTaint(pod.tolerations, UNSCHEDULABLE_TAINT)) return undefined;
      return REJECTED;
    },
  };
}
