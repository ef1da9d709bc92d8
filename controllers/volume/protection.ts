import { hasFinalizer } from '../../api/finalizers.js';
import type { KubeObject } from '../../client/resource.js';

/** Being deleted and still held by `finalizer`: the protection controller decides whether to let go. */
export const isDeletionCandidate = (obj: KubeObject, finalizer: string): boolean => !!obj.metadata.deletionTimestamp && hasFinalizer(obj, finalizer);

/**
 * Not being deleted and missing `finalizer`: admission adds it on create,
 * so only objects from before admission did so (or edited by hand) lack it.
 */
export const needsFinalizer = (obj: KubeObject, finalizer: string): boolean => !obj.metadata.deletionTimestamp && !hasFinalizer(obj, finalizer);
