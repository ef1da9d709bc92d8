import type { KObject } from '../kind.js';
import { volumeClass } from '../kinds/persistent-volume.js';
import { claimClass } from '../kinds/persistent-volume-claim.js';
import { labelSelectorFromObject } from '../selectors/label-selector.js';
import { compareQuantities, parseQuantity, type Quantity } from '../validation/quantity.js';
import { ANN_BOUND_BY_CONTROLLER, hasAnnotation } from './annotations.js';
import { checkNodeAffinity } from './volume-node-affinity.js';

/**
 * Which volume a claim binds to, and what binding it writes on the volume:
 * the rules the PV controller and the scheduler share (kube's
 * component-helpers/storage/volume pv_helpers).
 */

/** The provisioner of classes whose volumes an administrator makes by hand. */
export const NOT_SUPPORTED_PROVISIONER = 'kubernetes.io/no-provisioner';

const ZERO: Readonly<Quantity> = Object.freeze({ value: 0n, scale: 0, format: 'DecimalSI' });

/** spec.resources.requests.storage of a claim; zero when absent, as kube reads a missing entry. */
export const requestedStorage = (claim: KObject): Readonly<Quantity> => parseQuantity(claim.spec?.resources?.requests?.storage) ?? ZERO;

/** spec.capacity.storage of a volume; zero when absent. */
export const volumeCapacity = (volume: KObject): Readonly<Quantity> => parseQuantity(volume.spec?.capacity?.storage) ?? ZERO;

/** IsVolumeBoundToClaim: the volume's claimRef names the claim (same namespace and name), and its uid once it has one. */
export function isVolumeBoundToClaim(volume: KObject, claim: KObject): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** CheckVolumeModeMismatches: Filesystem unless said otherwise, on both sides. */
export const volumeModeMismatch = (claim: KObject, volume: KObject): boolean =>
  (claim.spec?.volumeMode ?? 'Filesystem') !== (volume.spec?.volumeMode ?? 'Filesystem');

/** CheckAccessModes: every mode the claim asks for is one the volume offers. */
export const accessModesSatisfied = (claim: KObject, volume: KObject): boolean =>
  (claim.spec?.accessModes ?? []).every((m: string) => (volume.spec?.accessModes ?? []).includes(m));

/**
 * IsDelayBindingMode: the claim's class waits for a pod to be scheduled
 * before its volume is chosen or made. A class that does not exist (yet)
 * does not delay; one without a binding mode is an error.
 */
export function isDelayBindingMode(claim: KObject, classes: { get(name: string): KObject | undefined }): boolean {
  const name = claimClass(claim);
  if (!name) return false;
  const cls = classes.get(name);
  if (!cls) return false;
  if (!cls.volumeBindingMode) throw new Error(`VolumeBindingMode not set for StorageClass "${name}"`);
  return cls.volumeBindingMode === 'WaitForFirstConsumer';
}

export interface MatchOptions {
  /** The scheduler's path: the labels of the node the pod would run on, which the volume must admit. */
  nodeLabels?: Record<string, string>;
  /** Volumes already chosen for other claims of the pod. */
  excluded?: ReadonlySet<string>;
  /** The claim's class delays binding: on the controller's path (no node) only volumes pre-bound to it count. */
  delayBinding?: boolean;
}

/**
 * FindMatchingVolume: a volume pre-bound to the claim wins (on the
 * scheduler's path only if it admits the node); otherwise the smallest
 * Available volume of the claim's class that is big enough, has its volume
 * mode and matches its selector, and, on the scheduler's path, admits the
 * node and offers its access modes (the controller's index has already
 * grouped volumes by access modes). Undefined when none fits.
 */
export function findMatchingVolume<V extends KObject>(claim: KObject, volumes: Iterable<V>, opts: MatchOptions = {}): V | undefined {
  const { nodeLabels, excluded, delayBinding = false } = opts;
  const requested = requestedStorage(claim);
  const requestedClass = claimClass(claim);
  const selector = claim.spec?.selector ? labelSelectorFromObject(claim.spec.selector) : undefined;
  let smallest: V | undefined;
  let smallestSize = ZERO;
  for (const volume of volumes) {
    if (excluded?.has(volume.metadata.name)) continue;
    if (volume.spec?.claimRef && !isVolumeBoundToClaim(volume, claim)) continue;
    const size = volumeCapacity(volume);
    if (compareQuantities(size, requested) < 0) continue;
    if (volumeModeMismatch(claim, volume)) continue;
    if (volume.metadata.deletionTimestamp) continue;
    const admitsNode = !nodeLabels || checkNodeAffinity(volume, nodeLabels);
    if (isVolumeBoundToClaim(volume, claim)) return admitsNode ? volume : undefined;
    // The scheduler binds the others, knowing the node.
    if (!nodeLabels && delayBinding) continue;
    // A volume not yet Available will be soon if it fits; binding it now would only meet conflicts.
    if (volume.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(volume.metadata.labels)) continue;
    if (volumeClass(volume) !== requestedClass) continue;
    if (!admitsNode) continue;
    if (nodeLabels && !accessModesSatisfied(claim, volume)) continue;
    if (!smallest || compareQuantities(smallestSize, size) > 0) {
      smallest = volume;
      smallestSize = size;
    }
  }
  return smallest;
}

/** The claimRef a bound volume carries (reference.GetReference): enough to tell this claim from a later one of the same name. */
export const claimReference = (claim: KObject): Record<string, unknown> => ({
  kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name,
  uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion,
});

/**
 * GetBindVolumeToClaim: the volume with its claimRef pointing at the claim,
 * marked bound-by-controller unless the user had pre-bound it to this
 * claim. Undefined when the volume already is so and nothing needs writing.
 * The volume given is left as it is.
 */
export function bindVolumeToClaim<V extends KObject>(volume: V, claim: KObject): V | undefined {
  const ref = volume.spec?.claimRef;
  let next: V = volume;
  if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace || ref.uid !== claim.metadata.uid) {
    next = { ...next, spec: { ...next.spec, claimRef: claimReference(claim) } };
  }
  if (!isVolumeBoundToClaim(volume, claim) && !hasAnnotation(next, ANN_BOUND_BY_CONTROLLER)) {
    next = { ...next, metadata: { ...next.metadata, annotations: { ...next.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' } } };
  }
  return next === volume ? undefined : next;
}
