import type { AnyObject } from '../../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES } from '../../../client/resources.js';
import { objectKey } from '../../../client/store.js';
import { enqueueFrom, workersFor } from '../../controller.js';
import { cloudQueue, type CloudControllerDescriptor } from '../cloud-context.js';
import { requeueOnConflict } from './conflicts.js';
import { volumesFor } from './ebs-csi.js';
import { syncClaimExpansion, type Expander } from './expand-sync.js';

const NAME = 'persistentvolume-expander-controller';

/** kube's expand controller with the EBS external-resizer behind it: bound EBS claims grow when their request does. */
export const persistentVolumeExpanderController: CloudControllerDescriptor = {
  name: NAME, aliases: ['persistentvolume-expander'], enabledByDefault: true,
  create(ctx) {
    const e: Expander = {
      client: ctx.client,
      recorder: ctx.recorder('external-resizer ebs.csi.aws.com'),
      volumes: volumesFor(ctx),
      claims: ctx.informers.for<AnyObject>(PERSISTENT_VOLUME_CLAIMS),
      pvs: ctx.informers.for<AnyObject>(PERSISTENT_VOLUMES),
      classes: ctx.informers.for<AnyObject>(STORAGE_CLASSES),
    };
    const queue = cloudQueue(ctx);
    enqueueFrom(e.claims, queue, objectKey, { onDelete: false });
    return [{ name: NAME, queue, reconcile: (key: string) => requeueOnConflict(() => syncClaimExpansion(e, key)), workers: workersFor(ctx, NAME, 5) }];
  },
};
