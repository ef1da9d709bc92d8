import type { KObject } from '../kind.js';
import { NodeSelector } from '../selectors/node-selector.js';

/**
 * CheckNodeAffinity: whether a node with these labels can reach the volume.
 * A volume without required node affinity is reachable from every node.
 * kube matches the terms on the labels alone: the node's name reads as "".
 */
export function checkNodeAffinity(volume: KObject, nodeLabels: Record<string, string> | undefined): boolean {
  const required = volume.spec?.nodeAffinity?.required;
  if (!required) return true;
  return NodeSelector.parse(required).matches(nodeLabels);
}
