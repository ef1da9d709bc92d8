import { Action } from '../framework/cluster-event.js';
import type { NodeInfo } from '../framework/node-info.js';
import { SKIP, unschedulable, type Plugin } from '../framework/plugin.js';
import type { HostPort } from '../framework/pod-info.js';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

const REJECTED = unschedulable(ERR_REASON_PORTS);

/** HostPortInfo.CheckConflict: 0.0.0.0 clashes with every address of the same protocol and port. */
function conflicts(node: NodeInfo, want: HostPort): boolean {
  const ips = node.usedPorts.get(`${want.protocol}/${want.port}`);
  if (!ips) return false;
  if (want.ip === '0.0.0.0') return ips.size > 0;
  return ips.has('0.0.0.0') || ips.has(want.ip);
}

/** NodePorts: the host ports a pod asks for must be free on the node. */
export function nodePorts(): Plugin {
  return {
    name: 'NodePorts',
    events: [{ resource: 'AssignedPod', actions: Action.Delete }, { resource: 'Node', actions: Action.Add }],
    preFilter(_state, pod) {
      return pod.hostPorts.length ? undefined : SKIP;
    },
    filter(_state, pod, node) {
      for (const want of pod.hostPorts) if (conflicts(node, want)) return REJECTED;
      return undefined;
    },
  };
}
