import { hasFinalizer } from '../../api/finalizers.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../api/well-known.js';
import { isNotFound } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { AnyObject, OwnerReference } from '../../client/resource.js';
import {
  coordinatesOf, describeIdentity, type GraphNode,
} from './graph.js';
import type { GraphBuilder } from './graph-builder.js';
import { NamespacedOwnerOfClusterScopedObjectError, type Operations } from './operations.js';

/** How one attempt ended, when it did not fail. */
type Outcome = 'done' | 'virtual-delete-enqueued';

interface ClassifiedReferences {
  /** The owner exists and is not deleting its dependents in the foreground. */
  solid: OwnerReference[];
  /** The owner does not exist (or another object has its name now). */
  dangling: OwnerReference[];
  /** The owner exists, deleting in the foreground: it waits for this dependent to go. */
  waiting: OwnerReference[];
}

/**
 * kube's GarbageCollector: the attemptToDelete and attemptToOrphan workers.
 * What exists is always asked of the API server, never taken from the
 * graph alone, and deletes carry the uid (and resourceVersion) judged, so a
 * recreated object is never collected for its predecessor.
 */
export class GarbageCollector {
  constructor(private readonly graph: GraphBuilder, private readonly ops: Operations) {}

  /** Reconciles one node of the attemptToDelete queue. */
  attemptToDelete = async (queued: GraphNode): Promise<ReconcileResult> => {
    let node = queued;
    const inGraph = this.graph.nodes.get(node.identity.uid);
    // A virtual node checked again after a failure may have been removed, or observed for real, meanwhile.
    if (node.virtual && (!inGraph || !inGraph.virtual)) return;
    if (inGraph && inGraph !== node && (inGraph.identity.apiVersion !== node.identity.apiVersion || inGraph.identity.kind !== node.identity.kind)) {
      node = node.clone();
      node.identity.apiVersion = inGraph.identity.apiVersion;
      node.identity.kind = inGraph.identity.kind;
    }
    let outcome: Outcome;
    try {
      outcome = await this.attemptToDeleteItem(node);
    } catch (err) {
      // Such a reference never becomes valid: kube logs it and leaves the object be.
      if (err instanceof NamespacedOwnerOfClusterScopedObjectError) return;
      throw new Error(`error syncing item ${node}: ${(err as Error).message}`, { cause: err });
    }
    // A virtual node whose object exists stays queued until an informer reports the object (kube #56121).
    if (outcome === 'done' && node.virtual) return { requeue: true };
  };

  /** Reconciles one node of the attemptToOrphan queue: its dependents lose their reference to it, then it loses its `orphan` finalizer. */
  attemptToOrphan = async (owner: GraphNode): Promise<ReconcileResult> => {
    try {
      await this.orphanDependents(owner, [...owner.dependents]);
    } catch (err) {
      throw new Error(`orphanDependents for ${owner} failed with ${(err as Error).message}`, { cause: err });
    }
    try {
      await this.ops.removeFinalizer(owner.identity, ORPHAN_FINALIZER);
    } catch (err) {
      throw new Error(`removeOrphanFinalizer for ${owner} failed with ${(err as Error).message}`, { cause: err });
    }
  };

  private async attemptToDeleteItem(item: GraphNode): Promise<Outcome> {
    // Deletion is a one-way trip: wait for it to finish, then the dependents are processed.
    if (item.beingDeleted && !item.deletingDependents) return 'done';
    let latest: AnyObject;
    try {
      latest = await this.ops.getObject(item.identity);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return this.gone(item);
    }
    if (latest.metadata.uid !== item.identity.uid) return this.gone(item);
    if (item.deletingDependents) return this.processDeletingDependentsItem(item);

    const ownerReferences: OwnerReference[] = latest.metadata.ownerReferences ?? [];
    if (!ownerReferences.length) return 'done';
    const { solid, dangling, waiting } = await this.classifyReferences(item, ownerReferences);
    const judged = { resourceVersion: latest.metadata.resourceVersion, owners: ownerReferences };

    if (solid.length) {
      if (!dangling.length && !waiting.length) return 'done';
      // References to owners waiting on this object go too, or those owners would wait for ever.
      await this.ops.deleteOwnerReferences(item.identity, [...dangling, ...waiting].map((r) => r.uid));
      return 'done';
    }
    if (waiting.length && item.dependents.size) {
      // Part of a foreground chain with dependents of its own: it goes in the foreground too.
      if ([...item.dependents].some((dep) => dep.deletingDependents)) {
        // This and one of its dependents both wait on each other's side: unblock to break a possible cycle.
        await this.ops.unblockOwnerReferences(item);
      }
      return this.delete(item, 'Foreground', judged);
    }
    // No owner is left: collect it, honouring a propagation its own finalizers ask for.
    const policy = hasFinalizer(latest, ORPHAN_FINALIZER) ? 'Orphan' : hasFinalizer(latest, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
    return this.delete(item, policy, judged);
  }

  private async delete(item: GraphNode, policy: 'Orphan' | 'Background' | 'Foreground', judged: { resourceVersion?: string; owners: OwnerReference[] }): Promise<Outcome> {
    try {
      await this.ops.deleteObject(item.identity, policy, judged);
      return 'done';
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return this.gone(item);
    }
  }

  /** The object is not there (or is another one now): the graph hears of it as a delete. */
  private gone(item: GraphNode): Outcome {
    this.graph.enqueueVirtualDeleteEvent(item.identity);
    return 'virtual-delete-enqueued';
  }

  /** A foreground deletion ends once no dependent blocks it; until then the blocking ones are deleted. */
  private async processDeletingDependentsItem(item: GraphNode): Promise<Outcome> {
    const blocking = item.blockingDependents();
    if (!blocking.length) {
      await this.ops.removeFinalizer(item.identity, FOREGROUND_FINALIZER);
      return 'done';
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.graph.attemptToDelete.add(dep);
    return 'done';
  }

  private async classifyReferences(item: GraphNode, references: OwnerReference[]): Promise<ClassifiedReferences> {
    const classified: ClassifiedReferences = { solid: [], dangling: [], waiting: [] };
    for (const reference of references) {
      const owner = await this.liveOwner(reference, item);
      if (!owner) classified.dangling.push(reference);
      else if (owner.metadata.deletionTimestamp && hasFinalizer(owner, FOREGROUND_FINALIZER)) classified.waiting.push(reference);
      else classified.solid.push(reference);
    }
    return classified;
  }

  /** The owner a reference names, asked of the API server; undefined when it is gone or another object took its name. */
  private async liveOwner(reference: OwnerReference, item: GraphNode): Promise<AnyObject | undefined> {
    const absent = { ...coordinatesOf(reference), namespace: '' };
    if (this.graph.absentOwners.has(absent)) return undefined;
    absent.namespace = item.identity.namespace;
    if (this.graph.absentOwners.has(absent)) return undefined;
    if (!this.ops.isNamespaced(reference)) absent.namespace = '';
    let owner: AnyObject;
    try {
      owner = await this.ops.getOwner(reference, item.identity);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.graph.absentOwners.add(absent);
      return undefined;
    }
    if (owner.metadata.uid !== reference.uid) {
      this.graph.absentOwners.add(absent);
      return undefined;
    }
    return owner;
  }

  private orphanDependents(owner: GraphNode, dependents: GraphNode[]): Promise<void> {
    return Promise.allSettled(dependents.map(async (dep) => {
      try {
        await this.ops.deleteOwnerReferences(dep.identity, [owner.identity.uid]);
      } catch (err) {
        // A dependent gone meanwhile needs no orphaning; a reference already gone makes the patch a no-op.
        if (!isNotFound(err)) throw new Error(`orphaning ${dep} failed, ${(err as Error).message}`);
      }
    })).then((results) => {
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      if (errors.length) throw new Error(`failed to orphan dependents of owner ${describeIdentity(owner.identity)}, got errors: [${errors.join(', ')}]`);
    });
  }
}
