import type { AnyObject } from '../../../client/resource.js';
import { labelSelectorFromObject } from '../../../api/selectors/label-selector.js';
import { NodeSelectorTerms } from '../framework/node-selector.js';
import { quantityToNumber } from '../framework/resource.js';

/** The annotations the scheduler, the PV controller and provisioners talk through. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const NOT_SUPPORTED_PROVISIONER = 'kubernetes.io/no-provisioner';

/** storagehelpers.GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName. */
export function claimClass(pvc: AnyObject): string {
  return pvc.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

export function volumeClass(pv: AnyObject): string {
  return pv.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';
}

/** A claim the PV controller has finished binding. */
export const isClaimFullyBound = (pvc: AnyObject): boolean => !!pvc.spec?.volumeName && Object.hasOwn(pvc.metadata?.annotations ?? {}, ANN_BIND_COMPLETED);

/** IsVolumeBoundToClaim: the volume's claimRef names the claim (and its uid, once set). */
export function isVolumeBoundToClaim(pv: AnyObject, pvc: AnyObject): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

/** CheckNodeAffinity: a volume without node affinity is reachable from every node. Only labels count. */
export function volumeAdmitsNode(pv: AnyObject, nodeLabels: Record<string, string>): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  if (!required) return true;
  return NodeSelectorTerms.parse(required.nodeSelectorTerms).matches(nodeLabels, '');
}

const storageOf = (list: AnyObject | undefined): number => quantityToNumber(list?.storage, false);
export const requestedStorage = (pvc: AnyObject): number => storageOf(pvc.spec?.resources?.requests);
export const volumeCapacity = (pv: AnyObject): number => storageOf(pv.spec?.capacity);

function accessModesFit(pvc: AnyObject, pv: AnyObject): boolean {
  const offered: string[] = pv.spec?.accessModes ?? [];
  return (pvc.spec?.accessModes ?? []).every((m: string) => offered.includes(m));
}

const volumeMode = (spec: AnyObject | undefined): string => spec?.volumeMode ?? 'Filesystem';

/**
 * FindMatchingVolume on the scheduler's path: a volume pre-bound to the
 * claim wins (if it admits the node); otherwise the smallest Available
 * volume of the claim's class that is big enough, offers its access modes
 * and volume mode, matches its selector and admits the node.
 */
export function findMatchingVolume(pvc: AnyObject, volumes: Iterable<AnyObject>, nodeLabels: Record<string, string>, excluded: ReadonlySet<string>): AnyObject | undefined {
  const requested = requestedStorage(pvc);
  const wantedClass = claimClass(pvc);
  const selector = pvc.spec?.selector ? labelSelectorFromObject(pvc.spec.selector) : undefined;
  let smallest: AnyObject | undefined;
  let smallestSize = 0;
  for (const pv of volumes) {
    if (excluded.has(pv.metadata.name!)) continue;
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, pvc)) continue;
    const size = volumeCapacity(pv);
    if (size < requested) continue;
    if (volumeMode(pv.spec) !== volumeMode(pvc.spec)) continue;
    if (pv.metadata.deletionTimestamp) continue;
    const admits = volumeAdmitsNode(pv, nodeLabels);
    if (isVolumeBoundToClaim(pv, pvc)) return admits ? pv : undefined;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(pv.metadata.labels)) continue;
    if (volumeClass(pv) !== wantedClass) continue;
    if (!admits || !accessModesFit(pvc, pv)) continue;
    if (!smallest || size < smallestSize) {
      smallest = pv;
      smallestSize = size;
    }
  }
  return smallest;
}

/**
 * GetBindVolumeToClaim: the volume with its claimRef pointing at the claim,
 * marked as bound by a controller when the user had not pre-bound it.
 * Answers undefined when nothing needs writing.
 */
export function bindVolumeToClaim(pv: AnyObject, pvc: AnyObject): AnyObject | undefined {
  const preBound = isVolumeBoundToClaim(pv, pvc);
  const ref = pv.spec?.claimRef;
  const clone = structuredClone(pv);
  let dirty = false;
  if (!ref || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace || ref.uid !== pvc.metadata.uid) {
    clone.spec.claimRef = {
      kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name,
      uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion,
    };
    dirty = true;
  }
  if (!preBound && !Object.hasOwn(clone.metadata.annotations ?? {}, ANN_BOUND_BY_CONTROLLER)) {
    clone.metadata.annotations = { ...clone.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
    dirty = true;
  }
  return dirty ? clone : undefined;
}

/** ephemeral.VolumeClaimName: the claim a generic ephemeral volume gets, named after the pod and the volume. */
export const ephemeralClaimName = (pod: AnyObject, volume: AnyObject): string => `${pod.metadata.name}-${volume.name}`;

/** The claims a pod's volumes use, with whether each is a generic ephemeral volume's. */
export function podClaims(pod: AnyObject): { name: string; ephemeral: boolean }[] {
  const claims: { name: string; ephemeral: boolean }[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim) claims.push({ name: v.persistentVolumeClaim.claimName ?? '', ephemeral: false });
    else if (v?.ephemeral) claims.push({ name: ephemeralClaimName(pod, v), ephemeral: true });
  }
  return claims;
}
