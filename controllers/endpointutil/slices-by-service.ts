import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from '../../api/well-known.js';
import type { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';

/** An index of the slice informer, shared by the slice controllers: slices by "namespace/service". */
export const SLICES_BY_SERVICE = 'service-name';

export function slicesByService(slice: AnyObject): string[] {
  const service = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return service ? [`${slice.metadata.namespace}/${service}`] : [];
}

/** The slices of a Service that `managedBy` writes. */
export function slicesOfService(slices: Informer, namespace: string, service: string, managedBy: string): AnyObject[] {
  return slices.store.byIndex(SLICES_BY_SERVICE, `${namespace}/${service}`).filter((s) => s.metadata.labels?.[LABEL_MANAGED_BY] === managedBy);
}
