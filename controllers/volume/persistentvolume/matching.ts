import { volumeClass } from '../../../api/kinds/persistent-volume.js';
import { claimClass } from '../../../api/kinds/persistent-volume-claim.js';
import {
  accessModesSatisfied, findMatchingVolume, requestedStorage, volumeCapacity, volumeModeMismatch,
} from '../../../api/storage/volume-binding.js';
import { compareQuantities } from '../../../api/validation/quantity.js';
import type { AnyObject } from '../../../client/resource.js';

// The order kube spells access modes in when it indexes volumes by them.
const MODE_ORDER = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

/** checkVolumeSatisfyClaim: why a volume the claim names in spec.volumeName cannot serve it, in kube's words; undefined when it can. */
export function volumeMismatch(volume: AnyObject, claim: AnyObject): string | undefined {
  if (volume.metadata.deletionTimestamp) return `the volume is marked for deletion "${volume.metadata.name}"`;
  if (compareQuantities(volumeCapacity(volume), requestedStorage(claim)) < 0) return 'requested PV is too small';
  if (volumeClass(volume) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(claim, volume)) return 'incompatible volumeMode';
  if (!accessModesSatisfied(claim, volume)) return 'incompatible accessMode';
  return undefined;
}

/**
 * The best volume for a claim, as kube's binder index picks it
 * (findBestMatchForClaim): among volumes offering every mode the claim asks
 * for, those with the fewest modes are tried first, so a claim for
 * ReadWriteOnce takes a ReadWriteOnce volume before one that could also
 * serve ReadWriteMany claims. With delayed binding only volumes pre-bound
 * to the claim count: the scheduler chooses the others, knowing the node.
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
    const found = findMatchingVolume(claim, byModes.get(key)!, { delayBinding });
    if (found) return found;
  }
  return undefined;
}
