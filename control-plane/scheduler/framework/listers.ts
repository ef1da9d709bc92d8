import type { AnyObject } from '../../../client/resource.js';
import type { Store } from '../../../client/store.js';

/** Read access to an informer's cache: what plugins look objects up in. */
export type Lister = Pick<Store<AnyObject>, 'get' | 'list' | 'byIndex'>;

/** The informer caches the plugins read, beside the node and pod cache. */
export interface Listers {
  pods: Lister;
  namespaces: Lister;
  services: Lister;
  replicaSets: Lister;
  /** Absent when the API server does not serve the kind. */
  statefulSets?: Lister;
  replicationControllers?: Lister;
  persistentVolumeClaims: Lister;
  /** Indexed by PV_CLASS_INDEX. */
  persistentVolumes: Lister;
  storageClasses: Lister;
}
