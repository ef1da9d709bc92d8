import type { AnyObject } from '../../client/resource.js';
import { quantityMilliValue, quantityValue } from '../../api/validation/quantity.js';
import { podQOSClass } from '../../api/validation/pod-spec.js';

/** The CFS period the kubelet sets on every container: 100 ms, in microseconds. */
const CPU_PERIOD_US = 100_000;
/** The smallest quota the kernel accepts (1 ms) and cpu.shares' bounds. */
const MIN_QUOTA_US = 1_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;

const GUARANTEED_OOM_SCORE_ADJ = -997;
const BEST_EFFORT_OOM_SCORE_ADJ = 1000;

/** cpu.shares for a cpu amount: 1024 a CPU, at least 2 (what no request at all gets). */
export function milliCPUToShares(milliCPU: number): number {
  if (milliCPU === 0) return MIN_SHARES;
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((milliCPU * 1024) / 1000)));
}

/** The CFS quota in a period for a cpu limit; 0 (no quota) without a limit. */
export function milliCPUToQuota(milliCPU: number, periodUs: number): number {
  if (milliCPU === 0) return 0;
  return Math.max(MIN_QUOTA_US, Math.floor((milliCPU * periodUs) / 1000));
}

/**
 * The container's oom_score_adj by its pod's QoS class: Guaranteed (and
 * node-critical pods) last to be killed, BestEffort first, Burstable in
 * between by the share of the node's memory it requests, always above
 * Guaranteed and below BestEffort.
 */
export function oomScoreAdj(pod: AnyObject, container: Record<string, any>, memoryCapacityBytes: number): number {
  if (pod.spec?.priorityClassName === 'system-node-critical') return GUARANTEED_OOM_SCORE_ADJ;
  const qos = podQOSClass(pod.spec);
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BEST_EFFORT_OOM_SCORE_ADJ;
  const request = quantityValue(container.resources?.requests?.memory);
  const adj = 1000 - Math.floor((1000 * request) / memoryCapacityBytes);
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  return adj === BEST_EFFORT_OOM_SCORE_ADJ ? adj - 1 : adj;
}

/**
 * The container's LinuxContainerResources as the kubelet sets them: cpu
 * shares from the cpu request (the limit when only that is given), a CFS
 * quota from the cpu limit, the memory limit, and the OOM score by QoS.
 */
export function containerResources(pod: AnyObject, container: Record<string, any>, memoryCapacityBytes: number): Record<string, number> {
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  const cpuRequest = quantityMilliValue(requests.cpu);
  const cpuLimit = quantityMilliValue(limits.cpu);
  return {
    cpuPeriod: CPU_PERIOD_US,
    cpuQuota: milliCPUToQuota(cpuLimit, CPU_PERIOD_US),
    cpuShares: milliCPUToShares(cpuRequest === 0 && cpuLimit !== 0 ? cpuLimit : cpuRequest),
    memoryLimitInBytes: quantityValue(limits.memory),
    oomScoreAdj: oomScoreAdj(pod, container, memoryCapacityBytes),
  };
}
