import type { KubeObject, OwnerReference } from '../../client/resource.js';

/** An owner reference's coordinates: what names the object it points to. */
export type Coordinates = Pick<OwnerReference, 'apiVersion' | 'kind' | 'name' | 'uid'>;

/** Who an object is: its coordinates and its namespace ('' when cluster-scoped). */
export interface ObjectIdentity extends Coordinates {
  namespace: string;
}

export function coordinatesOf(ref: Coordinates): Coordinates {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid };
}

export function matchesCoordinates(a: Coordinates, b: Coordinates): boolean {
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion;
}

export function sameIdentity(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return matchesCoordinates(a, b) && a.namespace === b.namespace;
}

/** A string that stands for the identity, for sets and maps. */
export function identityKey(id: ObjectIdentity): string {
  return JSON.stringify([id.apiVersion, id.kind, id.namespace, id.name, id.uid]);
}

/** kube's rendering of an identity, which its events and errors quote. */
export function describeIdentity(id: ObjectIdentity): string {
  return `[${id.apiVersion}/${id.kind}, namespace: ${id.namespace}, name: ${id.name}, uid: ${id.uid}]`;
}

export const beingDeleted = (obj: KubeObject): boolean => !!obj.metadata.deletionTimestamp;

/**
 * One object in the dependency graph, or a virtual stand-in for an owner
 * known only from the references to it. The graph builder alone changes
 * nodes; JavaScript runs one thing at a time, so the workers reading them
 * never see half a change and a node is updated in place rather than
 * copied as kube's locks require.
 */
export class GraphNode {
  /** The nodes whose ownerReferences name this one. */
  readonly dependents = new Set<GraphNode>();
  owners: OwnerReference[];
  /** A one-way trip: once the object has a deletionTimestamp it is never undeleted. */
  beingDeleted: boolean;
  /** Being deleted in the foreground: waiting for its blocking dependents. */
  deletingDependents: boolean;
  /** Seen only as an owner in references, never through an informer. */
  virtual: boolean;

  constructor(public identity: ObjectIdentity, init: { owners?: OwnerReference[]; beingDeleted?: boolean; deletingDependents?: boolean; virtual?: boolean } = {}) {
    this.owners = init.owners ?? [];
    this.beingDeleted = init.beingDeleted ?? false;
    this.deletingDependents = init.deletingDependents ?? false;
    this.virtual = init.virtual ?? false;
  }

  /** The dependents whose reference to this node has blockOwnerDeletion set: a foreground deletion waits for them. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((dep) => dep.owners.some((o) => o.uid === this.identity.uid && o.blockOwnerDeletion === true));
  }

  /** A detached copy for one pass of work, as kube's clone. */
  clone(): GraphNode {
    const copy = new GraphNode({ ...this.identity }, { owners: [...this.owners], beingDeleted: this.beingDeleted, deletingDependents: this.deletingDependents, virtual: this.virtual });
    for (const dep of this.dependents) copy.dependents.add(dep);
    return copy;
  }

  toString(): string {
    return describeIdentity(this.identity);
  }
}
