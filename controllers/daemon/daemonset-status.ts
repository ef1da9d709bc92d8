import { isPodReady } from '../../api/pod-status.js';
import type { AnyObject } from '../../client/resource.js';
import { DAEMON_SETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { availableInMs } from '../replicaset/pod-availability.js';
import { isPodUpdated, type NodeVerdict } from './daemon-pod.js';
import { byCreationAndPhase } from './pod-order.js';

const COUNTS = [
  'desiredNumberScheduled', 'currentNumberScheduled', 'numberMisscheduled', 'numberReady',
  'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable',
] as const;

export interface DaemonSetStatusResult {
  status: Record<string, number>;
  /** When the next ready pod becomes available (minReadySeconds), if one is waiting. */
  nextAvailableInMs?: number;
}

/**
 * updateDaemonSetStatus's counts: over the nodes that should run the
 * daemon, those with a pod (its oldest judged ready, available, updated);
 * over the others, those running one anyway (misscheduled).
 */
export function calculateStatus(ds: AnyObject, nodes: AnyObject[], verdict: (node: AnyObject) => NodeVerdict,
  nodeToPods: Map<string, AnyObject[]>, hash: string, nowMs = Date.now()): DaemonSetStatusResult {
  const s = Object.fromEntries(COUNTS.map((c) => [c, 0])) as Record<(typeof COUNTS)[number], number>;
  const minReady = ds.spec.minReadySeconds ?? 0;
  let nextAvailableInMs: number | undefined;
  for (const node of nodes) {
    const pods = nodeToPods.get(node.metadata.name!) ?? [];
    if (!verdict(node).shouldRun) {
      if (pods.length) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (!pods.length) continue;
    s.currentNumberScheduled++;
    const pod = [...pods].sort(byCreationAndPhase)[0];
    if (isPodReady(pod)) {
      s.numberReady++;
      const wait = availableInMs(pod, minReady, nowMs);
      if (wait === 0) s.numberAvailable++;
      else if (wait !== undefined && Number.isFinite(wait)) nextAvailableInMs = Math.min(nextAvailableInMs ?? wait, wait);
    }
    if (isPodUpdated(pod, hash)) s.updatedNumberScheduled++;
  }
  s.numberUnavailable = s.desiredNumberScheduled - s.numberAvailable;
  return { status: s, nextAvailableInMs };
}

/**
 * storeDaemonSetStatus: writes the counts (and the generation acted on,
 * when this sync acted) unless nothing changed; one retry on a fresh read.
 */
export async function updateDaemonSetStatus(client: RestClient, ds: AnyObject, counts: Record<string, number>, collisionCount: number, observe: boolean): Promise<void> {
  const generation = ds.metadata.generation ?? 0;
  const observedGeneration = observe ? generation : ds.status?.observedGeneration;
  const unchanged = COUNTS.every((c) => (ds.status?.[c] ?? 0) === counts[c])
    && (ds.status?.observedGeneration ?? 0) >= generation && (ds.status?.collisionCount ?? 0) === collisionCount;
  if (unchanged) return;
  const status = { ...ds.status, ...counts, ...(observedGeneration !== undefined ? { observedGeneration } : {}) };
  // Zero counts beyond the four kube always writes are left out, as Go's omitempty does.
  for (const c of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const) if (!status[c]) delete status[c];
  if (collisionCount) status.collisionCount = collisionCount;
  let current = ds;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.updateStatus(DAEMON_SETS, { ...current, status });
      return;
    } catch (err) {
      if (attempt >= 1) throw err;
      current = await client.get(DAEMON_SETS, ds.metadata.name!, { namespace: ds.metadata.namespace });
    }
  }
}
