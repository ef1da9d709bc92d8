import { setTimeout as delay } from 'node:timers/promises';
import { hasFinalizer, withoutFinalizer } from '../../api/finalizers.js';
import { deepEqual } from '../../api/deep-equal.js';
import { isConflict, isNotFound } from '../../client/api-error.js';
import type { AnyObject, OwnerReference, ResourceRef } from '../../client/resource.js';
import type { PatchType, RestClient } from '../../client/rest-client.js';
import { describeIdentity, type GraphNode, type ObjectIdentity } from './graph.js';
import type { RestMapper } from './rest-mapper.js';

/** A cluster-scoped object names a namespaced owner: no retry makes that reference valid, so it is left alone. */
export class NamespacedOwnerOfClusterScopedObjectError extends Error {
  constructor() {
    super('cluster-scoped objects cannot refer to namespaced owners');
    this.name = 'NamespacedOwnerOfClusterScopedObjectError';
  }
}

// client-go's retry.DefaultBackoff: 4 tries, 10 ms growing fivefold.
const conflictRetries = 4;
const conflictFirstWaitMs = 10;

/**
 * The collector's requests for objects it knows by identity: the apiVersion
 * and kind resolve through discovery to the resource that serves them.
 */
export class Operations {
  constructor(private readonly client: RestClient, private readonly mapper: RestMapper) {}

  private target(id: ObjectIdentity): { ref: ResourceRef; namespace?: string } {
    const ref = this.mapper.resourceFor(id.apiVersion, id.kind);
    if (ref.namespaced && !id.namespace) throw new NamespacedOwnerOfClusterScopedObjectError();
    return { ref, namespace: ref.namespaced ? id.namespace : undefined };
  }

  getObject(id: ObjectIdentity): Promise<AnyObject> {
    const { ref, namespace } = this.target(id);
    return this.client.get(ref, id.name, { namespace });
  }

  /** Whether the kind a reference names is namespaced; throws RestMappingError for a kind discovery does not know. */
  isNamespaced(reference: OwnerReference): boolean {
    return this.mapper.resourceFor(reference.apiVersion, reference.kind).namespaced;
  }

  /** The owner `reference` names, looked for in the namespace of `dependent`; a cluster-scoped owner is found from anywhere. */
  getOwner(reference: OwnerReference, dependent: ObjectIdentity): Promise<AnyObject> {
    const ref = this.mapper.resourceFor(reference.apiVersion, reference.kind);
    if (ref.namespaced && !dependent.namespace) throw new NamespacedOwnerOfClusterScopedObjectError();
    return this.client.get(ref, reference.name, { namespace: ref.namespaced ? dependent.namespace : undefined });
  }

  /**
   * Deletes the object only if it is still the one that was judged: its uid,
   * and its resourceVersion unless only that changed since (same owners).
   */
  async deleteObject(id: ObjectIdentity, policy: 'Orphan' | 'Background' | 'Foreground', judged?: { resourceVersion?: string; owners?: OwnerReference[] }): Promise<void> {
    const { ref, namespace } = this.target(id);
    const resourceVersion = judged?.resourceVersion;
    try {
      await this.client.delete(ref, id.name, { namespace, propagationPolicy: policy, preconditions: { uid: id.uid, resourceVersion } });
    } catch (err) {
      if (!isConflict(err) || !resourceVersion) throw err;
      let live: AnyObject;
      try {
        live = await this.client.get(ref, id.name, { namespace });
      } catch (getErr) {
        if (isNotFound(getErr)) return;
        throw err;
      }
      const sameOwners = deepEqual(live.metadata.ownerReferences ?? [], judged?.owners ?? []);
      if (live.metadata.uid !== id.uid || live.metadata.resourceVersion === resourceVersion || !sameOwners) throw err;
      await this.deleteObject(id, policy);
    }
  }

  patchObject(id: ObjectIdentity, type: PatchType, patch: unknown): Promise<AnyObject> {
    const { ref, namespace } = this.target(id);
    return this.client.patch(ref, id.name, type, patch, { namespace });
  }

  /** Drops the references to `ownerUids`; the dependent's uid in the patch keeps it from touching a recreated object. */
  deleteOwnerReferences(id: ObjectIdentity, ownerUids: string[]): Promise<AnyObject> {
    return this.patchObject(id, 'strategic', { metadata: { ownerReferences: ownerUids.map((uid) => ({ $patch: 'delete', uid })), uid: id.uid } });
  }

  /** Makes every blocking reference of the node non-blocking (kube breaks possible foreground cycles this way). */
  unblockOwnerReferences(node: GraphNode): Promise<AnyObject> {
    const unblocked = node.owners.filter((o) => o.blockOwnerDeletion === true).map((o) => ({ ...o, blockOwnerDeletion: false }));
    return this.patchObject(node.identity, 'strategic', { metadata: { ownerReferences: unblocked, uid: node.identity.uid } });
  }

  /** Removes one finalizer, reading the object again on each conflict as client-go's RetryOnConflict does. */
  async removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        let current: AnyObject;
        try {
          current = await this.getObject(id);
        } catch (err) {
          if (isNotFound(err)) return;
          throw new Error(`cannot finalize owner ${describeIdentity(id)}, because cannot get it: ${(err as Error).message}. The garbage collector will retry later`);
        }
        // A recreated object of the same name is not the one being finalized.
        if (current.metadata.uid !== id.uid || !hasFinalizer(current, finalizer)) return;
        const rest = withoutFinalizer(current, finalizer).metadata.finalizers!;
        await this.patchObject(id, 'merge', { metadata: { resourceVersion: current.metadata.resourceVersion, finalizers: rest.length ? rest : null } });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
        if (attempt === conflictRetries) {
          throw new Error(`updateMaxRetries(${conflictRetries}) has reached. The garbage collector will retry later for owner ${describeIdentity(id)}`);
        }
        await delay(conflictFirstWaitMs * 5 ** (attempt - 1));
      }
    }
  }
}
