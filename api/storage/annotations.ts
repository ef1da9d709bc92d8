/**
 * The annotations through which the PV controller, the scheduler and
 * external provisioners talk about a binding (kube's
 * component-helpers/storage/volume).
 */

/** On a claim: its binding has been set up once; from then on a missing volume means Lost. */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** On a volume or claim: the binder (or the scheduler, on its behalf) made the binding, not the user. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** On a claim: the node the scheduler chose for a WaitForFirstConsumer claim to be provisioned near. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** On a volume: the provisioner that created it, the one that deletes it. */
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
/** On a claim: the provisioner asked to create its volume (and its older, beta spelling). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a claim or volume of an in-tree plugin: the CSI driver that handles it instead. */
export const ANN_MIGRATED_TO = 'pv.kubernetes.io/migrated-to';

/** metav1.HasAnnotation: present, whatever its value (kube's binding annotations are flags). */
export function hasAnnotation(obj: { metadata?: { annotations?: Record<string, string> } }, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj.metadata?.annotations ?? {}, name);
}
