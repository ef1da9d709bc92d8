import { withFinalizer, withoutFinalizer } from '../../../api/finalizers.js';
import { PV_PROTECTION_FINALIZER } from '../../../api/well-known.js';
import { isNotFound } from '../../../client/api-error.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';
import type { Informer } from '../../../client/informer.js';
import type { AnyObject } from '../../../client/resource.js';
import { PERSISTENT_VOLUMES } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import { WorkQueue } from '../../../client/workqueue.js';
import { workersFor, type ControllerDescriptor } from '../../controller.js';
import { isDeletionCandidate, needsFinalizer } from '../protection.js';

/**
 * The PV protection controller: a volume being deleted keeps its
 * kubernetes.io/pv-protection finalizer while it is Bound (the binder's
 * word on it); volumes that lack the finalizer get it. Keys are volume names.
 */
export function pvProtectionReconciler(client: RestClient, volumes: Informer) {
  return async function reconcile(name: string): Promise<ReconcileResult> {
    const volume = volumes.store.get(name);
    if (!volume) return;
    try {
      if (isDeletionCandidate(volume, PV_PROTECTION_FINALIZER) && volume.status?.phase !== 'Bound') {
        await client.update(PERSISTENT_VOLUMES, withoutFinalizer(volume, PV_PROTECTION_FINALIZER));
      } else if (needsFinalizer(volume, PV_PROTECTION_FINALIZER)) {
        await client.update(PERSISTENT_VOLUMES, withFinalizer(volume, PV_PROTECTION_FINALIZER));
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
}

export const pvProtectionController: ControllerDescriptor = {
  name: 'persistentvolume-protection-controller', aliases: ['pv-protection'], enabledByDefault: true,
  create(ctx) {
    const volumes = ctx.informers.for<AnyObject>(PERSISTENT_VOLUMES);
    const queue = new WorkQueue<string>();
    const changed = (volume: AnyObject) => {
      if (needsFinalizer(volume, PV_PROTECTION_FINALIZER) || isDeletionCandidate(volume, PV_PROTECTION_FINALIZER)) queue.add(volume.metadata.name!);
    };
    volumes.addEventHandler({ onAdd: changed, onUpdate: (_old, volume) => changed(volume) });
    return [{ name: 'pv-protection', queue, reconcile: pvProtectionReconciler(ctx.client, volumes), workers: workersFor(ctx, 'pv-protection', 1) }];
  },
};
