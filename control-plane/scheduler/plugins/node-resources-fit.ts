import { Action } from '../framework/cluster-event.js';
import type { NodeInfo } from '../framework/node-info.js';
import { MAX_NODE_SCORE, unschedulable, type Plugin, type Status } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';

/** fitsRequest: every resource the pod needs that the node has not got left, in kube's order. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const reasons: string[] = [];
  if (node.pods.length + 1 > node.allowedPods) reasons.push('Too many pods');
  const want = pod.requests;
  if (want.milliCPU === 0 && want.memory === 0 && want.ephemeralStorage === 0 && !want.scalar?.size) return reasons;
  const alloc = node.allocatable;
  const used = node.requested;
  if (want.milliCPU > 0 && want.milliCPU > alloc.milliCPU - used.milliCPU) reasons.push('Insufficient cpu');
  if (want.memory > 0 && want.memory > alloc.memory - used.memory) reasons.push('Insufficient memory');
  if (want.ephemeralStorage > 0 && want.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) reasons.push('Insufficient ephemeral-storage');
  if (want.scalar) {
    for (const [name, n] of want.scalar) {
      if (n === 0) continue;
      if (n > (alloc.scalar?.get(name) ?? 0) - (used.scalar?.get(name) ?? 0)) reasons.push(`Insufficient ${name}`);
    }
  }
  return reasons;
}

/** leastRequestedScore: the share of the node left free after the pod, 0..100. */
function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/**
 * NodeResourcesFit: the pod's requests (containers, init containers,
 * overhead) must fit what the node's pods leave of its allocatable; among
 * fitting nodes the least allocated scores highest (cpu and memory, weight
 * 1 each, counting containers without requests at kube's defaults).
 */
export function nodeResourcesFit(): Plugin {
  return {
    name: 'NodeResourcesFit',
    events: [
      { resource: 'AssignedPod', actions: Action.Delete | Action.UpdatePodScaleDown },
      { resource: 'Node', actions: Action.Add | Action.UpdateNodeAllocatable },
    ],
    filter(_state, pod, node): Status | undefined {
      const reasons = insufficientResources(pod, node);
      return reasons.length ? unschedulable(...reasons) : undefined;
    },
    score(_state, pod, node) {
      let total = 0;
      let weights = 0;
      const cpu = node.allocatable.milliCPU;
      if (cpu > 0) {
        total += leastRequested(node.nonZeroMilliCPU + pod.nonZeroMilliCPU, cpu);
        weights++;
      }
      const memory = node.allocatable.memory;
      if (memory > 0) {
        total += leastRequested(node.nonZeroMemory + pod.nonZeroMemory, memory);
        weights++;
      }
      return weights ? Math.trunc(total / weights) : 0;
    },
  };
}
