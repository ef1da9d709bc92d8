import { ANN_DYNAMICALLY_PROVISIONED } from '../../../api/storage/annotations.js';
import { EBS_CSI_DRIVER } from '../../../api/storage/csi-attachment.js';
import { isNotFound } from '../../../client/api-error.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';
import type { Informer } from '../../../client/informer.js';
import { PERSISTENT_VOLUMES } from '../../../client/resources.js';
import { describeAwsError } from '../../aws/errors.js';
import { VA_PV_INDEX } from './attach-sync.js';
import { ebsVolumeId } from './ebs-csi.js';
import type { Provisioner } from './provision.js';

/** How soon to try again while EC2 still calls the volume in use. */
const IN_USE_RETRY_MS = 5000;

/**
 * external-provisioner's deletion for ebs.csi.aws.com: a Released volume
 * it provisioned with reclaim policy Delete has its EBS volume deleted once
 * no VolumeAttachment holds it (EC2's VolumeInUse is tried again later),
 * then its PV. Retain keeps both; a volume found gone counts as deleted.
 */
export async function syncVolumeReclaim(p: Provisioner, attachments: Informer, name: string): Promise<ReconcileResult> {
  const pv = p.pvs.store.get(name);
  if (!pv || pv.metadata.deletionTimestamp) return;
  if (pv.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== EBS_CSI_DRIVER) return;
  if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
  const volumeId = ebsVolumeId(pv);
  if (!volumeId) return;
  const attached = attachments.store.byIndex(VA_PV_INDEX, name);
  if (attached.length) {
    p.recorder.event(pv, 'Warning', 'VolumeFailedDelete', `persistentvolume ${name} is still attached to node ${attached[0].spec?.nodeName}`);
    return;
  }
  try {
    if (await p.volumes.delete(volumeId) === 'in-use') {
      p.recorder.event(pv, 'Warning', 'VolumeFailedDelete', `rpc error: code = Internal desc = Could not delete volume ID "${volumeId}": volume is still in use`);
      return { requeueAfter: IN_USE_RETRY_MS };
    }
  } catch (err) {
    p.recorder.event(pv, 'Warning', 'VolumeFailedDelete', describeAwsError(err));
    throw err;
  }
  try {
    await p.client.delete(PERSISTENT_VOLUMES, name, { preconditions: { uid: pv.metadata.uid } });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
