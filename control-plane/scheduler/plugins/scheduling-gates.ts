import type { Plugin } from '../framework/plugin.js';

/**
 * SchedulingGates: a pod with spec.schedulingGates is not attempted until
 * they are all removed; the queue keeps it apart and admits it on the
 * update that removes the last one.
 */
export function schedulingGates(): Plugin {
  return {
    name: 'SchedulingGates',
    preEnqueue(pod) {
      const gates = pod.pod.spec?.schedulingGates;
      if (!Array.isArray(gates) || gates.length === 0) return undefined;
      return `waiting for scheduling gates: [${gates.map((g: { name?: string }) => g?.name).join(' ')}]`;
    },
  };
}
