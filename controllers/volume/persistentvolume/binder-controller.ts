import { ANN_BIND_COMPLETED, hasAnnotation } from '../../../api/storage/annotations.js';
import { claimNamesOf } from '../../../api/storage/pod-claims.js';
import { isConflict } from '../../../client/api-error.js';
import { AssumeCache } from '../../../client/assume-cache.js';
import type { Reconcile } from '../../../client/controller-loop.js';
import type { AnyObject } from '../../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS, STORAGE_CLASSES } from '../../../client/resources.js';
import { objectKey } from '../../../client/store.js';
import { WorkQueue } from '../../../client/workqueue.js';
import type { ControllerDescriptor } from '../../controller.js';
import { indexPodsByClaim } from '../pods-by-claim.js';
import { claimKey, claimRefKey, type Binder } from './binder.js';
import { syncClaim } from './claim-sync.js';
import { syncVolume } from './volume-sync.js';

/** kube's --pvclaimbinder-sync-period: every claim and volume is looked at again this often. */
const SYNC_PERIOD_MS = 15_000;
/** A conflict means a newer version is on its way to the cache; its event usually comes first. */
const CONFLICT_RETRY_MS = 1_000;

function reconciler(get: (key: string) => AnyObject | undefined, sync: (obj: AnyObject) => Promise<void>): Reconcile<string> {
  return async (key) => {
    const obj = get(key);
    if (!obj) return;
    try {
      await sync(obj);
    } catch (err) {
      if (isConflict(err)) return { requeueAfter: CONFLICT_RETRY_MS };
      throw err;
    }
    return { requeueAfter: SYNC_PERIOD_MS };
  };
}

/**
 * The persistent volume binder (kube's PersistentVolumeController): binds
 * claims to volumes, hands claims to external provisioners, follows each
 * through Pending, Bound, Released, Lost and Failed, and applies reclaim
 * policies. Claims and volumes each have one queue with one worker: a
 * claim sync is not safe to run beside another, it could bind one volume
 * twice.
 */
export const persistentVolumeBinderController: ControllerDescriptor = {
  name: 'persistentvolume-binder-controller', aliases: ['persistentvolume-binder'], enabledByDefault: true,
  create(ctx) {
    const volumeInformer = ctx.informers.for<AnyObject>(PERSISTENT_VOLUMES);
    const claimInformer = ctx.informers.for<AnyObject>(PERSISTENT_VOLUME_CLAIMS);
    const pods = ctx.informers.for<AnyObject>(PODS);
    indexPodsByClaim(ctx.informers, pods);
    const claimQueue = new WorkQueue<string>();
    const volumeQueue = new WorkQueue<string>();
    const b: Binder = {
      client: ctx.client,
      recorder: ctx.recorder('persistentvolume-controller'),
      volumes: new AssumeCache('persistentvolume', volumeInformer.store),
      claims: new AssumeCache('persistentvolumeclaim', claimInformer.store),
      classes: ctx.informers.for<AnyObject>(STORAGE_CLASSES),
      pods,
      claimQueue,
    };
    // kube leaves a waiting claim to the periodic sync; looking at once when
    // a volume frees up or a class appears binds it without that wait.
    const unboundClaims = () => {
      for (const claim of b.claims.list()) if (!hasAnnotation(claim, ANN_BIND_COMPLETED)) claimQueue.add(claimKey(claim));
    };
    const volumeChanged = (volume: AnyObject) => {
      volumeQueue.add(volume.metadata.name!);
      const ref = volume.spec?.claimRef;
      if (ref) claimQueue.add(claimRefKey(ref));
      else if (volume.status?.phase === 'Available') unboundClaims();
    };
    volumeInformer.addEventHandler({
      onAdd: volumeChanged,
      onUpdate: (_old, volume) => volumeChanged(volume),
      // A claim whose volume is gone turns Lost now, not at the next sync.
      onDelete: (volume) => {
        b.volumes.restore(objectKey(volume));
        if (volume.spec?.claimRef) claimQueue.add(claimRefKey(volume.spec.claimRef));
      },
    });
    claimInformer.addEventHandler({
      onAdd: (claim) => claimQueue.add(claimKey(claim)),
      onUpdate: (_old, claim) => claimQueue.add(claimKey(claim)),
      // A volume whose claim is gone is Released now, not at the next sync.
      onDelete: (claim) => {
        b.claims.restore(objectKey(claim));
        if (claim.spec?.volumeName) volumeQueue.add(claim.spec.volumeName);
      },
    });
    b.classes.addEventHandler({ onAdd: unboundClaims, onUpdate: unboundClaims });
    // A new pod waiting for its claims is named in their WaitForPodScheduled events now, not at the next sync.
    pods.addEventHandler({
      onAdd: (pod) => {
        if (pod.spec?.nodeName) return;
        for (const name of claimNamesOf(pod)) claimQueue.add(`${pod.metadata.namespace}/${name}`);
      },
    });
    return [
      { name: 'persistentvolume-binder-claims', queue: claimQueue, reconcile: reconciler((key) => b.claims.get(key), (claim) => syncClaim(b, claim)), workers: 1 },
      { name: 'persistentvolume-binder-volumes', queue: volumeQueue, reconcile: reconciler((key) => b.volumes.get(key), (volume) => syncVolume(b, volume)), workers: 1 },
    ];
  },
};
