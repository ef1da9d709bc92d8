import { MAX_NODE_SCORE, SKIP, type Plugin } from '../framework/plugin.js';

/**
 * NodeResourcesBalancedAllocation: nodes whose cpu and memory would be used
 * in equal shares after the pod score higher (one minus the standard
 * deviation of the shares, from the actual requests). A pod that requests
 * nothing is not scored.
 */
export function balancedAllocation(): Plugin {
  return {
    name: 'NodeResourcesBalancedAllocation',
    preScore(_state, pod) {
      return pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? SKIP : undefined;
    },
    score(_state, pod, node) {
      const fractions: number[] = [];
      const cpu = node.allocatable.milliCPU;
      if (cpu > 0) fractions.push(Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / cpu));
      const memory = node.allocatable.memory;
      if (memory > 0) fractions.push(Math.min(1, (node.requested.memory + pod.requests.memory) / memory));
      const std = fractions.length === 2 ? Math.abs((fractions[0] - fractions[1]) / 2) : 0;
      return Math.trunc((1 - std) * MAX_NODE_SCORE);
    },
  };
}
