import { createHash } from 'node:crypto';
import { isPodReady, podCondition } from '../../api/pod-status.js';
import { rfc3339 } from '../../api/time.js';
import type { AnyObject } from '../../client/resource.js';

/** Whether the pod already shows what the simulator would report: Running, its IP, Ready as its gates allow. */
export function isRunningAsSimulated(pod: AnyObject): boolean {
  const status = pod.status ?? {};
  if (status.phase !== 'Running' || !status.podIP || !status.hostIP) return false;
  return isPodReady(pod) === gatesMet(pod);
}

/** Readiness gates (spec.readinessGates) are met only by conditions someone else sets True. */
function gatesMet(pod: AnyObject): boolean {
  return unmetGates(pod).length === 0;
}

/** Why each unmet readiness gate is unmet, in the kubelet's words. */
function unmetGates(pod: AnyObject): string[] {
  return (pod.spec?.readinessGates ?? []).flatMap((g: AnyObject) => {
    const c = podCondition(pod, g.conditionType);
    if (!c) return [`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`];
    return c.status === 'True' ? [] : [`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`];
  });
}

const containerId = (pod: AnyObject, name: string) => `simulated://${createHash('sha256').update(`${pod.metadata.uid}/${name}`).digest('hex')}`;

/**
 * The status a kubelet reports once every container runs: init containers
 * completed, containers running and ready (no probes run here), the pod's
 * conditions, IPs and start time. Conditions set by others (readiness gates,
 * DisruptionTarget) are kept.
 */
export function runningPodStatus(pod: AnyObject, podIP: string, hostIP: string, now = rfc3339(Date.now())): Record<string, any> {
  const old: AnyObject = pod.status ?? {};
  const startedAt = old.startTime ?? now;
  const unmet = unmetGates(pod);
  const ready = unmet.length === 0;
  const kubeletTypes = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  const condition = (type: string, status = 'True') => {
    const prior = podCondition(pod, type);
    return { type, status, lastProbeTime: null, lastTransitionTime: prior?.status === status ? prior.lastTransitionTime : now };
  };
  const image = (c: AnyObject) => ({ image: c.image, imageID: '' });
  return {
    ...old,
    phase: 'Running',
    conditions: [
      condition('PodReadyToStartContainers'),
      condition('Initialized'),
      { ...condition('Ready', ready ? 'True' : 'False'), ...(ready ? {} : { reason: 'ReadinessGatesNotReady', message: unmet.join(', ') }) },
      condition('ContainersReady'),
      condition('PodScheduled'),
      ...(old.conditions ?? []).filter((c: AnyObject) => !kubeletTypes.has(c.type)),
    ],
    hostIP, hostIPs: [{ ip: hostIP }],
    podIP, podIPs: [{ ip: podIP }],
    startTime: startedAt,
    initContainerStatuses: (pod.spec?.initContainers ?? []).map((c: AnyObject) => ({
      name: c.name, ...image(c), containerID: containerId(pod, c.name), ready: true, started: false, restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: startedAt, containerID: containerId(pod, c.name) } },
    })),
    containerStatuses: (pod.spec?.containers ?? []).map((c: AnyObject) => ({
      name: c.name, ...image(c), containerID: containerId(pod, c.name), ready: true, started: true, restartCount: 0,
      state: { running: { startedAt } },
    })),
  };
}
