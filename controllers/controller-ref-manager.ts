import { getControllerOf, newControllerRef } from '../api/owner-references.js';
import type { LabelSelector } from '../api/selectors/label-selector.js';
import { aggregate, isInvalid, isNotFound } from '../client/api-error.js';
import type { AnyObject } from '../client/resource.js';

export interface ClaimOptions {
  /** The would-be owner, as the controller's cache has it. */
  owner: AnyObject;
  ownerApiVersion: string;
  ownerKind: string;
  /** The kind claimed, for messages (Pod, ReplicaSet). */
  kind: string;
  selector: LabelSelector;
  /**
   * Reads the owner afresh from the API server. The cache may not show yet
   * that the owner is being deleted, and adopting then would fight the
   * garbage collector orphaning its dependents (kube #42639).
   */
  getFresh(): Promise<AnyObject>;
  /** Sends a strategic merge patch to one claimed object. */
  patch(obj: AnyObject, body: Record<string, unknown>): Promise<unknown>;
}

/**
 * kube's ControllerRefManager.ClaimObject over a list: keeps the objects
 * this owner controls and its selector still matches, releases those it
 * controls that no longer match (unless it is being deleted), and adopts
 * matching orphans once a fresh read shows the owner is not being deleted.
 * Objects another controller owns are left alone. Every patch names the
 * object's uid, so a replacement of the same name is never touched. Throws
 * an Aggregate of the failures after trying every object.
 */
export async function claimObjects(objects: AnyObject[], opts: ClaimOptions): Promise<AnyObject[]> {
  const ownerUid = opts.owner.metadata.uid;
  const ownerDeleting = !!opts.owner.metadata.deletionTimestamp;
  let canAdopt: Promise<void> | undefined;
  const checkCanAdopt = () => (canAdopt ??= recheckDeletion(opts));
  const claimed: AnyObject[] = [];
  const errors: unknown[] = [];

  const claim = async (obj: AnyObject): Promise<boolean> => {
    const matches = opts.selector.matches(obj.metadata.labels);
    const ref = getControllerOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) return false;
      if (matches) return true;
      if (ownerDeleting) return false;
      try {
        await opts.patch(obj, { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } });
      } catch (err) {
        // Gone, or replaced by an object of the same name (its uid no longer matches): nothing to release.
        if (!isNotFound(err) && !isInvalid(err)) throw err;
      }
      return false;
    }
    if (ownerDeleting || !matches || obj.metadata.deletionTimestamp) return false;
    if (opts.owner.metadata.namespace !== obj.metadata.namespace) return false;
    try {
      await checkCanAdopt();
    } catch (err) {
      throw new Error(`can't adopt ${opts.kind} ${obj.metadata.namespace}/${obj.metadata.name} (${obj.metadata.uid}): ${(err as Error).message}`);
    }
    try {
      await opts.patch(obj, { metadata: { ownerReferences: [newControllerRef(opts.owner, opts.ownerApiVersion, opts.ownerKind)], uid: obj.metadata.uid } });
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    return true;
  };

  for (const obj of objects) {
    try {
      if (await claim(obj)) claimed.push(obj);
    } catch (err) {
      errors.push(err);
    }
  }
  const failed = aggregate(errors);
  if (failed) throw failed;
  return claimed;
}

async function recheckDeletion(opts: ClaimOptions): Promise<void> {
  const { namespace, name, uid } = opts.owner.metadata;
  let fresh: AnyObject;
  try {
    fresh = await opts.getFresh();
    if (fresh.metadata.uid !== uid) throw new Error(`original ${opts.ownerKind} ${namespace}/${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
  } catch (err) {
    throw new Error(`can't recheck DeletionTimestamp: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (fresh.metadata.deletionTimestamp) throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
}
