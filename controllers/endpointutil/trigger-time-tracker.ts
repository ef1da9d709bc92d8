import { podCondition } from '../../api/pod-status.js';
import type { AnyObject } from '../../client/resource.js';

interface ServiceState {
  serviceTime: number;
  podTimes: Map<string, number>;
}

const timeOf = (stamp: unknown): number => (typeof stamp === 'string' ? Date.parse(stamp) || 0 : 0);

/**
 * Computes the endpoints.kubernetes.io/last-change-trigger-time annotation as
 * kube does: the Service's creation when it is first seen, else the earliest
 * of the trigger times (pods' Ready transitions, the Service's creation) that
 * moved since the previous sync; 0 when none did. One state per Service,
 * updated on every sync even when nothing gets written. Like kube's, it can
 * miss a change when one object changes twice between two syncs.
 */
export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  compute(service: AnyObject, pods: AnyObject[]): number {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const known = this.states.get(key);
    let earliest = 0;
    const note = (t: number) => {
      if (!earliest || t < earliest) earliest = t;
    };
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const name = pod.metadata.name ?? '';
      const t = timeOf(podCondition(pod, 'Ready')?.lastTransitionTime);
      if (!t) continue;
      podTimes.set(name, t);
      if (t > (known?.podTimes.get(name) ?? 0)) note(t);
    }
    const serviceTime = timeOf(service.metadata.creationTimestamp);
    if (serviceTime > (known?.serviceTime ?? 0)) note(serviceTime);
    this.states.set(key, { serviceTime, podTimes });
    return known ? earliest : serviceTime;
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
