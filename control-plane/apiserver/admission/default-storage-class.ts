import type { KObject } from '../../../api/kind.js';
import { isDefaultClass } from '../../../api/kinds/storage-class.js';
import type { ResourceStore } from '../registry/resource-store.js';

/**
 * The DefaultStorageClass admission plugin: a claim that names no class
 * gets the cluster's default one (the newest, if several are marked).
 */
export function defaultStorageClass(storageClasses: ResourceStore) {
  return async (claim: KObject): Promise<void> => {
    if (claim.spec?.storageClassName !== undefined && claim.spec?.storageClassName !== null) return;
    const { items } = await storageClasses.list({ filter: isDefaultClass });
    if (!items.length) return;
    const newest = items.reduce((a, b) => (Date.parse(b.metadata.creationTimestamp) > Date.parse(a.metadata.creationTimestamp) || (b.metadata.creationTimestamp === a.metadata.creationTimestamp && b.metadata.name < a.metadata.name) ? b : a));
    claim.spec = { ...claim.spec, storageClassName: newest.metadata.name };
  };
}
