import { EBS_CSI_DRIVER } from '../../../api/storage/csi-attachment.js';
import type { AnyObject } from '../../../client/resource.js';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES, VOLUME_ATTACHMENTS } from '../../../client/resources.js';
import { objectKey } from '../../../client/store.js';
import { enqueueFrom, workersFor } from '../../controller.js';
import { cloudQueue, type CloudControllerDescriptor } from '../cloud-context.js';
import { requeueOnConflict } from './conflicts.js';
import { VA_PV_INDEX, vaPvIndex } from './attach-sync.js';
import { volumesFor } from './ebs-csi.js';
import { syncClaimProvisioning, type Provisioner } from './provision.js';
import { syncVolumeReclaim } from './reclaim.js';

const NAME = 'ebs-provisioner-controller';

/**
 * The EBS provisioner (external-provisioner with the EBS CSI driver's
 * controller side): claims handed to ebs.csi.aws.com get a volume and a PV,
 * Released volumes of reclaim policy Delete are deleted.
 */
export const ebsProvisionerController: CloudControllerDescriptor = {
  name: NAME, aliases: ['ebs-provisioner'], enabledByDefault: true,
  create(ctx) {
    const p: Provisioner = {
      client: ctx.client,
      // external-provisioner reports as the driver it provisions for.
      recorder: ctx.recorder(EBS_CSI_DRIVER),
      volumes: volumesFor(ctx),
      claims: ctx.informers.for<AnyObject>(PERSISTENT_VOLUME_CLAIMS),
      pvs: ctx.informers.for<AnyObject>(PERSISTENT_VOLUMES),
      classes: ctx.informers.for<AnyObject>(STORAGE_CLASSES),
      nodes: ctx.informers.for<AnyObject>(NODES),
    };
    const attachments = ctx.informers.for<AnyObject>(VOLUME_ATTACHMENTS);
    ctx.informers.index(attachments, VA_PV_INDEX, vaPvIndex);
    const claimQueue = cloudQueue(ctx);
    const volumeQueue = cloudQueue(ctx);
    enqueueFrom(p.claims, claimQueue, objectKey, { onDelete: false });
    // A class made after its claims lets them go ahead now.
    const pendingClaims = () => {
      for (const claim of p.claims.store.list()) if (!claim.spec?.volumeName) claimQueue.add(objectKey(claim));
    };
    p.classes.addEventHandler({ onAdd: pendingClaims, onUpdate: pendingClaims });
    enqueueFrom(p.pvs, volumeQueue, objectKey, { onDelete: false });
    // The last attachment going lets its volume be deleted.
    attachments.addEventHandler({ onDelete: (va) => { for (const pv of vaPvIndex(va)) volumeQueue.add(pv); } });
    return [
      { name: `${NAME}-claims`, queue: claimQueue, reconcile: (key: string) => requeueOnConflict(() => syncClaimProvisioning(p, key)), workers: workersFor(ctx, NAME, 10) },
      { name: `${NAME}-volumes`, queue: volumeQueue, reconcile: (key: string) => requeueOnConflict(() => syncVolumeReclaim(p, attachments, key)), workers: workersFor(ctx, NAME, 5) },
    ];
  },
};
