import { matchTaint, nodeTaints, taintExists, type Taint } from '../../api/taints.js';
import { rfc3339 } from '../../api/time.js';
import { isConflict, isNotFound } from '../../client/api-error.js';
import type { AnyObject } from '../../client/resource.js';
import { NODES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';

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
  if (!add.length && !remove.some((t) => taintExists(nodeTaints(cached), t))) return true;
  const stamped = add.map((t) => ({ ...t, timeAdded: rfc3339(Date.now()) }));
  let node = cached;
  for (let attempt = 1; ; attempt++) {
    const current = nodeTaints(node);
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
