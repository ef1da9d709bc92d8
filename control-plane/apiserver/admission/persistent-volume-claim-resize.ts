import type { KObject } from '../../../api/kind.js';
import { claimClass } from '../../../api/kinds/persistent-volume-claim.js';
import { compareQuantities, parseQuantity } from '../../../api/validation/quantity.js';
import type { ResourceStore } from '../registry/resource-store.js';

/**
 * The PersistentVolumeClaimResize admission plugin: a claim may ask for
 * more storage only once bound, and only when its class allows volume
 * expansion. Answers why a write is refused, or undefined.
 */
export function claimResize(storageClasses: ResourceStore) {
  return async (claim: KObject, old: KObject): Promise<string | undefined> => {
    const size = parseQuantity(claim.spec?.resources?.requests?.storage);
    const oldSize = parseQuantity(old.spec?.resources?.requests?.storage);
    if (!size || !oldSize || compareQuantities(size, oldSize) <= 0) return undefined;
    if (old.status?.phase !== 'Bound') return 'Only bound persistent volume claims can be expanded';
    const refused = 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize';
    const className = claimClass(claim);
    if (!className) return refused;
    const cls = await storageClasses.get(undefined, className).catch(() => undefined);
    return cls?.allowVolumeExpansion ? undefined : refused;
  };
}
