import type { LabelSelector } from '../../api/selectors/label-selector.js';
import type { AnyObject } from '../../client/resource.js';
import type { ResourceRef } from '../../client/resource.js';

/**
 * What the replica machinery needs to know about the kind that owns the
 * pods: ReplicaSets, and ReplicationControllers, which kube runs through the
 * very same controller with only their selector (a plain label map) and
 * their names told apart.
 */
export interface ReplicaOwnerKind {
  resource: ResourceRef;
  apiVersion: string;
  kind: string;
  /** Source of the owner's events, as kube's controller reports them (replicaset-controller, replication-controller). */
  component: string;
  /** The queue's and the workers' name, and the controller's short name. */
  queueName: string;
  /** The pods the owner selects; undefined when its selector is unusable. */
  selector(owner: AnyObject): LabelSelector | undefined;
}
