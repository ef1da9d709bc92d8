import { isControlledBy } from '../../api/owner-references.js';
import type { LabelSelector } from '../../api/selectors/label-selector.js';
import { isAlreadyExists, isNotFound } from '../../client/api-error.js';
import type { Informer } from '../../client/informer.js';
import type { AnyObject, ResourceRef } from '../../client/resource.js';
import { CONTROLLER_REVISIONS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { namespaceIndex } from '../../client/store.js';
import { claimObjects } from '../controller-ref-manager.js';
import { equalRevision, newControllerRevision, type RevisionSpec } from './controller-revision.js';

/** The parent a history belongs to: a DaemonSet or StatefulSet and where to read it afresh. */
export interface HistoryParent {
  apiVersion: string;
  kind: string;
  resource: ResourceRef;
}

/**
 * A parent's ControllerRevisions, as kube's history.Interface over the
 * shared informer: listed from the cache (adopting matching orphans and
 * releasing those the selector no longer takes), created under a
 * collision-free name, renumbered and deleted through the API.
 */
export class RevisionHistory {
  constructor(private readonly client: RestClient, private readonly revisions: Informer, private readonly parentKind: HistoryParent) {}

  /** The revisions `parent` controls, after claiming the orphans its selector matches. */
  async list(parent: AnyObject, selector: LabelSelector): Promise<AnyObject[]> {
    const { namespace, name } = parent.metadata;
    const candidates = this.revisions.store.byIndex(namespaceIndex, namespace!);
    return claimObjects(candidates, {
      owner: parent, ownerApiVersion: this.parentKind.apiVersion, ownerKind: this.parentKind.kind, kind: 'ControllerRevision', selector,
      getFresh: () => this.client.get(this.parentKind.resource, name!, { namespace }),
      patch: (rev, body) => this.client.patch(CONTROLLER_REVISIONS, rev.metadata.name!, 'strategic', body, { namespace }),
    });
  }

  /**
   * CreateControllerRevision: stores the revision `spec` describes.
   * A name already taken by the same data answers that revision; by other
   * data (a hash collision), the collision count moves on and the name with
   * it. Answers the revision and the collision count the parent must record.
   */
  async create(parent: AnyObject, spec: RevisionSpec): Promise<{ revision: AnyObject; collisionCount: number }> {
    for (let count = spec.collisionCount ?? 0; ; count++) {
      const wanted = newControllerRevision(parent, this.parentKind, { ...spec, collisionCount: count || undefined });
      try {
        return { revision: await this.client.create(CONTROLLER_REVISIONS, wanted), collisionCount: count };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      const existing = await this.client.get(CONTROLLER_REVISIONS, wanted.metadata.name!, { namespace: parent.metadata.namespace });
      if (equalRevision(existing, wanted) && isControlledBy(existing, parent)) {
        return { revision: existing, collisionCount: count };
      }
    }
  }

  /** Gives a revision a new number, as when an old template comes back and becomes the newest. */
  renumber(revision: AnyObject, number: number): Promise<AnyObject> {
    return this.client.update(CONTROLLER_REVISIONS, { ...revision, revision: number });
  }

  async delete(revision: AnyObject): Promise<void> {
    try {
      await this.client.delete(CONTROLLER_REVISIONS, revision.metadata.name!, { namespace: revision.metadata.namespace, preconditions: { uid: revision.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
