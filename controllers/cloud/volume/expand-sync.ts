import { claimClass } from '../../../api/kinds/persistent-volume-claim.js';
import { rfc3339 } from '../../../api/time.js';
import { requestedStorage, volumeCapacity } from '../../../api/storage/volume-binding.js';
import { compareQuantities } from '../../../api/validation/quantity.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';
import type { EventRecorder } from '../../../client/event-recorder.js';
import type { Informer } from '../../../client/informer.js';
import type { AnyObject } from '../../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import { describeAwsError } from '../../aws/errors.js';
import type { Volumes } from '../../aws/volumes.js';
import { ebsVolumeId, roundUpGiB } from './ebs-csi.js';

export interface Expander {
  client: RestClient;
  recorder: EventRecorder;
  volumes: Volumes;
  claims: Informer;
  pvs: Informer;
  classes: Informer;
}

/** How soon to look again while EBS is still modifying a volume. */
const MODIFYING_RETRY_MS = 2000;

const RESIZE_CONDITIONS = new Set(['Resizing', 'FileSystemResizePending', 'ControllerResizeError']);

/** The claim's status with its resize conditions replaced and the allocation recorded (RecoverVolumeExpansionFailure, on in 1.32). */
function resizeStatus(claim: AnyObject, condition: Record<string, unknown> | undefined, size: string, progress: string): Record<string, unknown> {
  const conditions = (claim.status?.conditions ?? []).filter((c: AnyObject) => !RESIZE_CONDITIONS.has(c.type));
  return {
    ...claim.status,
    conditions: condition ? [...conditions, condition] : conditions,
    allocatedResources: { ...claim.status?.allocatedResources, storage: size },
    allocatedResourceStatuses: { ...claim.status?.allocatedResourceStatuses, storage: progress },
  };
}

const condition = (type: string, message = ''): Record<string, unknown> => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(Date.now()), ...(message ? { message } : {}) });

/**
 * external-resizer for ebs.csi.aws.com: a bound claim that asks for more
 * than its EBS volume holds, in a class that allows expansion, has the
 * volume grown with ModifyVolume, its PV's capacity raised, and the
 * FileSystemResizePending condition set for the node to grow the file
 * system (block volumes need no node step: their claim is done at once).
 */
export async function syncClaimExpansion(e: Expander, key: string): Promise<ReconcileResult> {
  let claim = e.claims.store.get(key);
  if (!claim || claim.status?.phase !== 'Bound' || !claim.spec?.volumeName) return;
  const pv = e.pvs.store.get(claim.spec.volumeName);
  const volumeId = ebsVolumeId(pv);
  if (!pv || !volumeId) return;
  const wanted = requestedStorage(claim);
  // A resize half done (the PV grown, the claim not yet marked) is finished too.
  const inProgress = claim.status?.allocatedResourceStatuses?.storage === 'ControllerResizeInProgress';
  if (!inProgress && compareQuantities(wanted, volumeCapacity(pv)) <= 0) return;
  if (!e.classes.store.get(claimClass(claim))?.allowVolumeExpansion) return;
  const requested: string = claim.spec.resources.requests.storage;
  const pvName = pv.metadata.name!;
  if (!inProgress) {
    claim = await e.client.updateStatus(PERSISTENT_VOLUME_CLAIMS, { ...claim, status: resizeStatus(claim, condition('Resizing'), requested, 'ControllerResizeInProgress') });
    e.recorder.event(claim, 'Normal', 'Resizing', `External resizer is resizing volume ${pvName}`);
  }
  let result;
  try {
    result = await e.volumes.resize(volumeId, roundUpGiB(wanted));
  } catch (err) {
    e.recorder.event(claim, 'Warning', 'VolumeResizeFailed', `resize volume "${pvName}" by resizer "ebs.csi.aws.com" failed: ${describeAwsError(err)}`);
    throw err;
  }
  if (result.state === 'in-progress') return { requeueAfter: MODIFYING_RETRY_MS };
  const size = `${result.sizeGiB}Gi`;
  if (pv.spec.capacity?.storage !== size) await e.client.update(PERSISTENT_VOLUMES, { ...pv, spec: { ...pv.spec, capacity: { ...pv.spec.capacity, storage: size } } });
  if (pv.spec?.volumeMode === 'Block') {
    const { storage: _done, ...rest } = claim.status?.allocatedResourceStatuses ?? {};
    const status = { ...resizeStatus(claim, undefined, requested, ''), capacity: { ...claim.status?.capacity, storage: size }, allocatedResourceStatuses: rest };
    await e.client.updateStatus(PERSISTENT_VOLUME_CLAIMS, { ...claim, status });
    e.recorder.event(claim, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
    return;
  }
  await e.client.updateStatus(PERSISTENT_VOLUME_CLAIMS, {
    ...claim,
    status: resizeStatus(claim, condition('FileSystemResizePending', 'Waiting for user to (re-)start a pod to finish file system resize of volume on node.'), requested, 'NodeResizePending'),
  });
  e.recorder.event(claim, 'Normal', 'FileSystemResizeRequired', 'Require file system resize of volume on node');
}
