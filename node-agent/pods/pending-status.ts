import { rfc3339 } from '../../api/time.js';
import type { AnyObject } from '../../client/resource.js';
import { containerStatus } from './pod-status.js';

/**
 * The status of a pod that waits before its sandbox can start (its volumes
 * are not all mounted): Pending, not ready, every container waiting with
 * the kubelet's default reason (PodInitializing when the pod has init
 * containers, else ContainerCreating).
 */
export function pendingPodStatus(pod: AnyObject, hostIP: string): Record<string, any> {
  const now = rfc3339(Date.now());
  const condition = (type: string, ok: boolean) => {
    const prior = (pod.status?.conditions ?? []).find((c: AnyObject) => c.type === type);
    const status = ok ? 'True' : 'False';
    return { type, status, lastProbeTime: null, lastTransitionTime: prior?.status === status ? prior.lastTransitionTime : now };
  };
  const inits: AnyObject[] = pod.spec?.initContainers ?? [];
  const reason = inits.length ? 'PodInitializing' : 'ContainerCreating';
  return {
    phase: 'Pending',
    conditions: [condition('Initialized', !inits.length), condition('Ready', false), condition('ContainersReady', false), condition('PodScheduled', true)],
    hostIP, hostIPs: [{ ip: hostIP }],
    startTime: pod.status?.startTime ?? now,
    containerStatuses: (pod.spec?.containers ?? []).map((c: AnyObject) => containerStatus(c, undefined, reason)),
    ...(inits.length ? { initContainerStatuses: inits.map((c) => containerStatus(c, undefined, reason)) } : {}),
  };
}
