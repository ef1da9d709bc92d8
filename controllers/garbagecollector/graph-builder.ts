import { hasFinalizer } from '../../api/finalizers.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../api/well-known.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { KubeObject, OwnerReference } from '../../client/resource.js';
import type { SharedInformers } from '../../client/shared-informers.js';
import { WorkQueue } from '../../client/workqueue.js';
import { AbsentOwnerCache } from './absent-owner-cache.js';
import {
  beingDeleted, coordinatesOf, describeIdentity, GraphNode, identityKey, matchesCoordinates,
  sameIdentity, type ObjectIdentity,
} from './graph.js';
import type { DiscoveredResource } from '../../client/discovery.js';

/** A change to the graph: from an informer, or virtual (the collector found an object gone). */
export interface ObjectEvent {
  type: 'add' | 'update' | 'delete';
  virtual: boolean;
  obj: KubeObject;
  old?: KubeObject;
  apiVersion: string;
  kind: string;
}

/** No informer reports on this kind any more (discovery stopped listing its resource). */
export interface ResourceGone {
  type: 'resource-gone';
  apiVersion: string;
  kind: string;
}

export type GraphEvent = ObjectEvent | ResourceGone;

interface Monitor {
  resource: DiscoveredResource;
  removeHandlers: () => void;
}

/**
 * kube's GraphBuilder: informer events on every deletable resource go to
 * the graph-changes queue (the handlers only enqueue); one worker applies
 * them to the uid → node graph and queues what may now be garbage
 * (attemptToDelete) or what waits to orphan its dependents (attemptToOrphan).
 */
export class GraphBuilder {
  readonly nodes = new Map<string, GraphNode>();
  readonly graphChanges = new WorkQueue<GraphEvent>();
  readonly attemptToDelete = new WorkQueue<GraphNode>();
  readonly attemptToOrphan = new WorkQueue<GraphNode>();
  readonly absentOwners = new AbsentOwnerCache();
  /** Per watched resource, its shared informer's handlers. */
  private readonly monitors = new Map<string, Monitor>();

  constructor(private readonly informers: SharedInformers, private readonly recorder: EventRecorder) {}

  /**
   * Watches exactly these resources: new ones get a (shared) informer;
   * vanished ones lose the handlers, the informer is released (stopped
   * unless another controller holds it) and their objects leave the graph.
   */
  async syncMonitors(resources: DiscoveredResource[]): Promise<void> {
    const wanted = new Map(resources.map((r) => [`${r.apiVersion}/${r.ref.resource}`, r]));
    const released: Promise<void>[] = [];
    for (const [key, { resource, removeHandlers }] of this.monitors) {
      if (wanted.has(key)) continue;
      removeHandlers();
      this.monitors.delete(key);
      // Queued behind the changes the informer already reported, so none of them brings an object back afterwards.
      this.graphChanges.add({ type: 'resource-gone', apiVersion: resource.apiVersion, kind: resource.kind });
      released.push(this.informers.release(resource.ref));
    }
    for (const [key, r] of wanted) {
      if (this.monitors.has(key)) continue;
      const informer = this.informers.for(r.ref);
      const change = (type: ObjectEvent['type'], obj: KubeObject, old?: KubeObject) => {
        this.graphChanges.add({ type, virtual: false, obj, old, apiVersion: r.apiVersion, kind: r.kind });
      };
      const removeHandlers = informer.addEventHandler({
        onAdd: (obj) => change('add', obj),
        onUpdate: (old, obj) => change('update', obj, old),
        onDelete: (obj) => change('delete', obj),
      });
      this.monitors.set(key, { resource: r, removeHandlers });
    }
    await Promise.all(released);
  }

  /** Tells the graph an object is gone without an informer having said so. */
  enqueueVirtualDeleteEvent(id: ObjectIdentity): void {
    this.graphChanges.add({
      type: 'delete', virtual: true, apiVersion: id.apiVersion, kind: id.kind,
      obj: { apiVersion: id.apiVersion, kind: id.kind, metadata: { name: id.name, namespace: id.namespace || undefined, uid: id.uid } },
    });
  }

  /** Applies one change to the graph (kube's processGraphChanges). */
  processGraphChange(event: GraphEvent): void {
    if (event.type === 'resource-gone') return this.forgetKind(event.apiVersion, event.kind);
    const meta = event.obj.metadata;
    const uid = meta.uid;
    if (!uid) return;
    const existing = this.nodes.get(uid);
    if (existing && !event.virtual && existing.virtual) this.observe(existing, identityFromEvent(event));
    if (event.type === 'delete') {
      if (existing) this.processDelete(event, existing);
      return;
    }
    const owners = meta.ownerReferences ?? [];
    if (!existing) {
      const node = new GraphNode(identityFromEvent(event), {
        owners,
        beingDeleted: beingDeleted(event.obj),
        deletingDependents: beingDeleted(event.obj) && hasFinalizer(event.obj, FOREGROUND_FINALIZER),
      });
      this.nodes.set(uid, node);
      this.addDependentToOwners(node, owners);
      // One event may carry both the creation and the start of deletion.
      this.processTransitions(event.old, event.obj, node);
      return;
    }
    if (!event.virtual) {
      existing.identity.apiVersion = event.apiVersion;
      existing.identity.kind = event.kind;
    }
    const { added, removed, changed } = referencesDiffs(existing.owners, owners);
    if (added.length || removed.length || changed.length) {
      // An owner waiting for its blocking dependents may have just lost one.
      this.addUnblockedOwnersToDeleteQueue(removed, changed);
      existing.owners = owners;
      this.addDependentToOwners(existing, added);
      for (const owner of removed) this.nodes.get(owner.uid)?.dependents.delete(existing);
    }
    if (beingDeleted(event.obj)) existing.beingDeleted = true;
    this.processTransitions(event.old, event.obj, existing);
  }

  /**
   * A virtual node is seen for real. Dependents that named it with other
   * coordinates may have been wrong about it: they are checked again, and
   * those in another namespace than a namespaced owner are reported.
   */
  private observe(node: GraphNode, observed: ObjectIdentity): void {
    if (!sameIdentity(observed, node.identity)) {
      const [, mismatched] = partitionDependents([...node.dependents], observed);
      for (const dep of mismatched) {
        if (observed.namespace && dep.identity.namespace !== observed.namespace) this.reportInvalidNamespaceOwnerRef(dep, observed.uid);
        this.attemptToDelete.add(dep);
      }
      node.identity = observed;
    }
    node.virtual = false;
  }

  private processDelete(event: ObjectEvent, node: GraphNode): void {
    if (event.virtual) {
      const deleted = identityFromEvent(event);
      if (node.virtual) {
        const [matching, mismatched] = partitionDependents([...node.dependents], deleted);
        if (mismatched.length) {
          // Dependents disagree on who this owner is: it stays, as whoever the others say it is.
          this.collectMatching(deleted, matching);
          if (sameIdentity(node.identity, deleted)) {
            const replacement = alternateOwnerIdentity(mismatched, deleted);
            if (replacement) {
              node.identity = replacement;
              this.attemptToDelete.addRateLimited(node);
            }
          }
          return;
        }
      } else if (!sameIdentity(node.identity, deleted)) {
        // The object was observed with other coordinates: only the references naming these are dangling.
        this.collectMatching(deleted, partitionDependents([...node.dependents], deleted)[0]);
        return;
      }
    }
    this.nodes.delete(node.identity.uid);
    for (const owner of node.owners) this.nodes.get(owner.uid)?.dependents.delete(node);
    if (node.dependents.size) this.absentOwners.add(identityFromEvent(event));
    for (const dep of node.dependents) this.attemptToDelete.add(dep);
    for (const owner of node.owners) {
      // An owner deleting in the foreground may have been waiting for this one.
      const ownerNode = this.nodes.get(owner.uid);
      if (ownerNode?.deletingDependents) this.attemptToDelete.add(ownerNode);
    }
  }

  /**
   * The objects of a kind no informer watches any more leave the graph:
   * nothing would report their changes or deletion. One that still has
   * dependents stays as a virtual node, an owner known only from their
   * references, which the collector looks up as it does any such owner;
   * a virtual owner left with no dependents goes too.
   */
  private forgetKind(apiVersion: string, kind: string): void {
    for (const node of [...this.nodes.values()]) {
      if (node.virtual || node.identity.apiVersion !== apiVersion || node.identity.kind !== kind) continue;
      for (const owner of node.owners) {
        const ownerNode = this.nodes.get(owner.uid);
        if (!ownerNode) continue;
        ownerNode.dependents.delete(node);
        if (ownerNode.virtual && !ownerNode.dependents.size) this.nodes.delete(owner.uid);
      }
      node.owners = [];
      if (!node.dependents.size) {
        this.nodes.delete(node.identity.uid);
        continue;
      }
      node.virtual = true;
      node.beingDeleted = false;
      node.deletingDependents = false;
      this.attemptToDelete.add(node);
    }
  }

  private collectMatching(deleted: ObjectIdentity, matching: GraphNode[]): void {
    if (!matching.length) return;
    this.absentOwners.add(deleted);
    for (const dep of matching) this.attemptToDelete.add(dep);
  }

  /**
   * Links a node to its owners, making virtual nodes for owners not seen
   * yet (the collector asks the API server whether they exist). A reference
   * that cannot be right (a namespaced owner in another namespace, or
   * coordinates that do not match the owner seen) has the node checked.
   */
  private addDependentToOwners(node: GraphNode, owners: OwnerReference[]): void {
    let potentiallyInvalid = false;
    for (const owner of owners) {
      let ownerNode = this.nodes.get(owner.uid);
      if (!ownerNode) {
        ownerNode = new GraphNode({ ...coordinatesOf(owner), namespace: node.identity.namespace }, { virtual: true });
        this.nodes.set(owner.uid, ownerNode);
        ownerNode.dependents.add(node);
        this.attemptToDelete.add(ownerNode);
        continue;
      }
      ownerNode.dependents.add(node);
      if (potentiallyInvalid) continue;
      const ownerNamespace = ownerNode.identity.namespace;
      if (ownerNamespace && ownerNamespace !== node.identity.namespace) {
        if (!ownerNode.virtual) this.reportInvalidNamespaceOwnerRef(node, owner.uid);
        potentiallyInvalid = true;
      } else if (!matchesCoordinates(owner, ownerNode.identity)) {
        potentiallyInvalid = true;
      } else if (!ownerNamespace && node.identity.namespace && ownerNode.virtual) {
        // A virtual owner made from a cluster-scoped dependent's reference may be a namespaced object named by mistake (kube #98040): check this dependent.
        potentiallyInvalid = true;
      }
    }
    if (potentiallyInvalid) this.attemptToDelete.add(node);
  }

  private reportInvalidNamespaceOwnerRef(node: GraphNode, ownerUid: string): void {
    const ref = node.owners.find((o) => o.uid === ownerUid);
    if (!ref) return;
    const { identity } = node;
    const involved = { apiVersion: identity.apiVersion, kind: identity.kind, metadata: { name: identity.name, namespace: identity.namespace || undefined, uid: identity.uid } };
    const owner = describeIdentity({ ...coordinatesOf(ref), namespace: identity.namespace });
    this.recorder.event(involved, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef ${owner} does not exist in namespace ${JSON.stringify(identity.namespace)}`);
  }

  private addUnblockedOwnersToDeleteQueue(removed: OwnerReference[], changed: Array<[OwnerReference, OwnerReference]>): void {
    const unblocked = [
      ...removed.filter((r) => r.blockOwnerDeletion === true),
      ...changed.filter(([before, after]) => before.blockOwnerDeletion === true && after.blockOwnerDeletion !== true).map(([, after]) => after),
    ];
    for (const ref of unblocked) {
      const owner = this.nodes.get(ref.uid);
      if (owner) this.attemptToDelete.add(owner);
    }
  }

  /** Deletion starting with `orphan` queues the orphaning; with `foregroundDeletion`, the dependents' deletion. */
  private processTransitions(old: KubeObject | undefined, obj: KubeObject, node: GraphNode): void {
    if (deletionStartsWithFinalizer(old, obj, ORPHAN_FINALIZER)) {
      this.attemptToOrphan.add(node);
      return;
    }
    if (deletionStartsWithFinalizer(old, obj, FOREGROUND_FINALIZER)) {
      node.deletingDependents = true;
      for (const dep of node.dependents) this.attemptToDelete.add(dep);
      this.attemptToDelete.add(node);
    }
  }
}

function identityFromEvent(event: ObjectEvent): ObjectIdentity {
  const meta = event.obj.metadata;
  return { apiVersion: event.apiVersion, kind: event.kind, name: meta.name ?? '', uid: meta.uid ?? '', namespace: meta.namespace ?? '' };
}

function deletionStartsWithFinalizer(old: KubeObject | undefined, obj: KubeObject, finalizer: string): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, finalizer)) return false;
  return !old || !beingDeleted(old) || !hasFinalizer(old, finalizer);
}

function referencesDiffs(before: OwnerReference[], after: OwnerReference[]) {
  const old = new Map(before.map((r) => [r.uid, r]));
  const added: OwnerReference[] = [];
  const changed: Array<[OwnerReference, OwnerReference]> = [];
  for (const ref of after) {
    const prior = old.get(ref.uid);
    if (!prior) added.push(ref);
    else {
      if (!sameReference(prior, ref)) changed.push([prior, ref]);
      old.delete(ref.uid);
    }
  }
  return { added, removed: [...old.values()], changed };
}

function sameReference(a: OwnerReference, b: OwnerReference): boolean {
  return matchesCoordinates(a, b) && a.controller === b.controller && a.blockOwnerDeletion === b.blockOwnerDeletion;
}

/**
 * Splits dependents into those whose reference to the owner's uid matches
 * its identity and those whose does not (a dependent can be in both); a
 * namespaced owner matches no dependent of another namespace.
 */
function partitionDependents(dependents: GraphNode[], owner: ObjectIdentity): [GraphNode[], GraphNode[]] {
  const matching: GraphNode[] = [];
  const mismatched: GraphNode[] = [];
  for (const dep of dependents) {
    let match = false;
    let mismatch = false;
    if (owner.namespace && owner.namespace !== dep.identity.namespace) mismatch = true;
    else {
      for (const ref of dep.owners) {
        if (ref.uid !== owner.uid) continue;
        if (matchesCoordinates(ref, owner)) match = true;
        else mismatch = true;
      }
    }
    if (match) matching.push(dep);
    if (mismatch) mismatched.push(dep);
  }
  return [matching, mismatched];
}

/** kube's ordering of identities: kind, apiVersion, namespace, name, uid. */
function compareIdentities(a: ObjectIdentity, b: ObjectIdentity): number {
  for (const f of ['kind', 'apiVersion', 'namespace', 'name', 'uid'] as const) {
    if (a[f] !== b[f]) return a[f] < b[f] ? -1 : 1;
  }
  return 0;
}

/**
 * Another identity the dependents give the absent owner's uid: the first
 * after the absent one in kube's order, else the first of all, so that
 * repeated checks try each in turn.
 */
function alternateOwnerIdentity(dependents: GraphNode[], absent: ObjectIdentity): ObjectIdentity | undefined {
  const clusterScoped = !absent.namespace;
  const seen = new Set<string>([identityKey(absent)]);
  let first: ObjectIdentity | undefined;
  let firstFollowing: ObjectIdentity | undefined;
  for (const dep of dependents) {
    for (const ref of dep.owners) {
      if (ref.uid !== absent.uid) continue;
      if (matchesCoordinates(ref, absent) && (clusterScoped || absent.namespace === dep.identity.namespace)) continue;
      const id: ObjectIdentity = { ...coordinatesOf(ref), namespace: dep.identity.namespace };
      // The absent identity's apiVersion and kind are known to be cluster-scoped.
      if (clusterScoped && id.apiVersion === absent.apiVersion && id.kind === absent.kind) id.namespace = '';
      const key = identityKey(id);
      if (seen.has(key)) continue;
      seen.add(key);
      if (!first || compareIdentities(id, first) < 0) first = id;
      if (compareIdentities(absent, id) < 0 && (!firstFollowing || compareIdentities(id, firstFollowing) < 0)) firstFollowing = id;
    }
  }
  return firstFollowing ?? first;
}
