import { claimClass } from '../../../api/kinds/persistent-volume-claim.js';
import { volumeClass } from '../../../api/kinds/persistent-volume.js';
import { labelSelectorFromObject } from '../../../api/selectors/label-selector.js';
import { compareQuantities, parseQuantity, type Quantity } from '../../../api/validation/quantity.js';
import type { AnyObject } from '../../../client/resource.js';

const ZERO: Quantity = { value: 0n, scale: 0, format: 'DecimalSI' };
const storageOf = (list: Record<string, unknown> | undefined): Quantity => parseQuantity(list?.storage) ?? ZERO;
// The order kube spells access modes in when it indexes volumes by them.
const MODE_ORDER = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

/** True when the volume is pre-bound or bound to this claim: same namespace and name, and same uid once it has one. */
export function isVolumeBoundToClaim(volume: AnyObject, claim: AnyObject): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** Filesystem unless said otherwise, on both sides. */
export const volumeModeMismatch = (claim: AnyObject, volume: AnyObject): boolean =>
  (claim.spec?.volumeMode ?? 'Filesystem') !== (volume.spec?.volumeMode ?? 'Filesystem');

/** Every mode the claim asks for is one the volume offers. */
export const accessModesSatisfied = (claim: AnyObject, volume: AnyObject): boolean =>
  (claim.spec?.accessModes ?? []).every((m: string) => (volume.spec?.accessModes ?? []).includes(m));

/** Why a volume the claim names in spec.volumeName cannot serve it, in kube's words; undefined when it can. */
export function volumeMismatch(volume: AnyObject, claim: AnyObject): string | undefined {
  if (volume.metadata.deletionTimestamp) return `the volume is marked for deletion "${volume.metadata.name}"`;
  if (compareQuantities(storageOf(volume.spec?.capacity), storageOf(claim.spec?.resources?.requests)) < 0) return 'requested PV is too small';
  if (volumeClass(volume) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(claim, volume)) return 'incompatible volumeMode';
  if (!accessModesSatisfied(claim, volume)) return 'incompatible accessMode';
  return undefined;
}

/**
 * kube's FindMatchingVolume over volumes of one access-mode set: a volume
 * pre-bound to the claim wins if it is big enough; otherwise the smallest
 * Available volume of the claim's class that fits and that the selector
 * picks. With delayed binding only pre-bound volumes count: the scheduler
 * chooses the others, knowing the node.
 */
function findMatchingVolume(claim: AnyObject, volumes: AnyObject[], delayBinding: boolean): AnyObject | undefined {
  const requested = storageOf(claim.spec?.resources?.requests);
  const requestedClass = claimClass(claim);
  const selector = claim.spec?.selector ? labelSelectorFromObject(claim.spec.selector) : undefined;
  let smallest: { volume: AnyObject; size: Quantity } | undefined;
  for (const volume of volumes) {
    if (volume.spec?.claimRef && !isVolumeBoundToClaim(volume, claim)) continue;
    const size = storageOf(volume.spec?.capacity);
    if (compareQuantities(size, requested) < 0) continue;
    if (volumeModeMismatch(claim, volume)) continue;
    if (volume.metadata.deletionTimestamp) continue;
    if (isVolumeBoundToClaim(volume, claim)) return volume;
    if (delayBinding) continue;
    // A volume not yet Available will be soon if it fits; binding it now would only meet conflicts.
    if (volume.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(volume.metadata.labels)) continue;
    if (volumeClass(volume) !== requestedClass) continue;
    if (!smallest || compareQuantities(smallest.size, size) > 0) smallest = { volume, size };
  }
  return smallest?.volume;
}

/**
 * The best volume for a claim, as kube's binder picks it: among volumes
 * offering every mode the claim asks for, those with the fewest modes are
 * tried first, so a claim for ReadWriteOnce takes a ReadWriteOnce volume
 * before one that could also serve ReadWriteMany claims.
 */
export function findBestMatchForClaim(volumes: AnyObject[], claim: AnyObject, delayBinding: boolean): AnyObject | undefined {
  const byModes = new Map<string, AnyObject[]>();
  for (const volume of volumes) {
    const modes = MODE_ORDER.filter((m) => (volume.spec?.accessModes ?? []).includes(m)).join(',');
    byModes.set(modes, [...(byModes.get(modes) ?? []), volume]);
  }
  const wanted: string[] = claim.spec?.accessModes ?? [];
  const sets = [...byModes.keys()]
    .map((key) => ({ key, modes: key ? key.split(',') : [] }))
    .filter(({ modes }) => wanted.every((m) => modes.includes(m)))
    .sort((a, b) => a.modes.length - b.modes.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { key } of sets) {
    const found = findMatchingVolume(claim, byModes.get(key)!, delayBinding);
    if (found) return found;
  }
  return undefined;
}
