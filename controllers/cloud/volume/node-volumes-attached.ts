import { deepEqual } from '../../../api/deep-equal.js';
import { isConflict, isNotFound } from '../../../client/api-error.js';
import type { AnyObject } from '../../../client/resource.js';
import { NODES } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';

/** Attempts at one node status write before the reconcile's own backoff takes over. */
const CONFLICT_ATTEMPTS = 5;

/**
 * Keeps one volume in or out of node.status.volumesAttached, as kube's
 * attach/detach controller reports what it attached (CSI volumes with an
 * empty devicePath, as the CSI attacher returns none). The list is
 * replaced whole, so a fresh read and a resourceVersion guard the write.
 */
export async function setNodeVolumeAttached(client: RestClient, nodeName: string, uniqueName: string, attached: boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let node: AnyObject;
    try {
      node = await client.get(NODES, nodeName);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const current: AnyObject[] = node.status?.volumesAttached ?? [];
    const others = current.filter((v) => v.name !== uniqueName);
    const next = attached ? [...others, { name: uniqueName, devicePath: '' }].sort((a, b) => (a.name < b.name ? -1 : 1)) : others;
    if (deepEqual(next, current)) return;
    const status = { ...node.status, volumesAttached: next };
    if (!next.length) delete status.volumesAttached;
    try {
      await client.updateStatus(NODES, { ...node, status });
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || attempt === CONFLICT_ATTEMPTS) throw err;
    }
  }
}
