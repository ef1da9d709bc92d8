import type { Status } from './plugin.js';

/** Why no node fits: per-node statuses, and the status of the nodes not looked at one by one. */
export interface Diagnosis {
  /** Nodes that a filter rejected, by name. */
  nodeStatuses: Map<string, Status>;
  /** Every node absent from nodeStatuses has this status (a PreFilter rejection, or a PreFilter result that left the node out). */
  absentStatus?: Status;
  /** Plugins that rejected the pod: only events they care about can make it fit. */
  unschedulablePlugins: Set<string>;
  /** The message of a PreFilter rejection: then the per-node reasons are not repeated. */
  preFilterMsg?: string;
  /** What preemption (PostFilter) said. */
  postFilterMsg?: string;
}

/**
 * framework.FitError.Error(): "0/N nodes are available: <PreFilter message>."
 * or the reasons with their node counts sorted as strings, then what
 * preemption said.
 */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let message = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    message += ` ${d.preFilterMsg}.`;
  } else {
    const histogram = reasonHistogram(numAllNodes, d);
    if (histogram.length) message += ` ${histogram.join(', ')}.`;
  }
  if (d.postFilterMsg) message += ` ${d.postFilterMsg}`;
  return message;
}

function reasonHistogram(numAllNodes: number, d: Diagnosis): string[] {
  const counts = new Map<string, number>();
  for (const status of d.nodeStatuses.values()) {
    for (const reason of status.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  const absent = numAllNodes - d.nodeStatuses.size;
  if (absent > 0 && d.absentStatus) {
    for (const reason of d.absentStatus.reasons) counts.set(reason, (counts.get(reason) ?? 0) + absent);
  }
  // Go's sort.Strings: byte order, which for these ASCII strings is JavaScript's default order.
  return [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
}

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';

/**
 * The DefaultPreemption PostFilter's message. This scheduler does not
 * preempt, so no node is one where preemption could help: the same message
 * kube gives when every node is unresolvable. A pod that may not preempt
 * gets kube's reason for that.
 */
export function preemptionMessage(pod: Record<string, any>, numAllNodes: number): string {
  if (pod.spec?.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  return `preemption: 0/${numAllNodes} nodes are available: ${numAllNodes} ${PREEMPTION_NOT_HELPFUL}.`;
}

/** The FitError an attempt ends with when no node fits. */
export class FitError extends Error {
  constructor(readonly numAllNodes: number, readonly diagnosis: Diagnosis) {
    super(fitErrorMessage(numAllNodes, diagnosis));
    this.name = 'FitError';
  }
}
