import { hasFinalizer, withFinalizer } from '../../../api/finalizers.js';
import type { KObject } from '../../../api/kind.js';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '../../../api/well-known.js';

function protect(finalizer: string) {
  return async (obj: KObject): Promise<void> => {
    if (!hasFinalizer(obj, finalizer)) obj.metadata.finalizers = withFinalizer(obj, finalizer).metadata.finalizers;
  };
}

/**
 * The StorageObjectInUseProtection admission plugin: new claims and volumes
 * get a finalizer, so deleting one that a pod or a claim still uses leaves
 * it Terminating until the protection controllers release it.
 */
export const claimProtection = protect(PVC_PROTECTION_FINALIZER);
export const volumeProtection = protect(PV_PROTECTION_FINALIZER);
