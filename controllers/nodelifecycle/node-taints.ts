import { rfc3339 } from '../../api/time.js';
import { isConflict, isNotFound } from '../../client/api-error.js';
import type { AnyObject } from '../../client/resource.js';
import { NODES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Taint } from './tolerations.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };
export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };

/** Which status of which node condition taints the node with which key (TaintNodesByCondition). */
export const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};

/** Taint keys the node lifecycle controller derives from conditions, and so may remove. */
export const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((byStatus) => Object.values(byStatus)));

/** Taints are the same taint when key and effect match; value and timeAdded do not count. */
export const matchTaint = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

export const taintExists = (taints: Taint[], taint: Taint): boolean => taints.some((t) => matchTaint(t, taint));

export const taintsOf = (node: AnyObject | undefined): Taint[] => (Array.isArray(node?.spec?.taints) ? node.spec.taints : []);

/** A node condition as the API carries it. */
export type NodeCondition = Record<string, any>;

export const nodeCondition = (status: Record<string, any> | undefined, type: string): NodeCondition | undefined =>
  (Array.isArray(status?.conditions) ? status.conditions : []).find((c: NodeCondition) => c?.type === type);

// kube retries a taint write on conflict with a short backoff (UpdateTaintBackoff: 5 steps).
const maxAttempts = 5;

/**
 * Puts `add` on the node (stamped with timeAdded now, replacing a taint of
 * the same key and effect) and takes `remove` off, in one write: kube's
 * SwapNodeControllerTaint, which does the two in a row. Starts from the
 * cached node and reads it afresh only on a conflict; answers false when the
 * node is gone, true when the taints are as asked.
 */
export async function swapNodeTaints(client: RestClient, cached: AnyObject, add: Taint[], remove: Taint[]): Promise<boolean> {
  if (!add.length && !remove.some((t) => taintExists(taintsOf(cached), t))) return true;
  const stamped = add.map((t) => ({ ...t, timeAdded: rfc3339(Date.now()) }));
  let node = cached;
  for (let attempt = 1; ; attempt++) {
    const current = taintsOf(node);
    // A taint already there is replaced where it stands, as kube's AddOrUpdateTaint does.
    const next = current
      .filter((t) => !remove.some((r) => matchTaint(r, t)))
      .map((t) => stamped.find((a) => matchTaint(a, t)) ?? t);
    next.push(...stamped.filter((a) => !taintExists(next, a)));
    if (!stamped.length && next.length === current.length) return true;
    try {
      await client.patch(NODES, node.metadata.name!, 'merge', {
        metadata: { resourceVersion: node.metadata.resourceVersion },
        spec: { taints: next.length ? next : null },
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!isConflict(err) || attempt >= maxAttempts) throw err;
    }
    try {
      node = await client.get(NODES, node.metadata.name!);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}
