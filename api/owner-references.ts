import type { KObject } from './kind.js';

/** metav1.OwnerReference, as objects carry it in metadata.ownerReferences. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.GetControllerOf: the owner reference marked as the object's controller, if any. */
export function getControllerOf(obj: KObject): OwnerReference | undefined {
  const refs = obj.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  for (let i = 0; i < refs.length; i++) if (refs[i]?.controller === true) return refs[i];
  return undefined;
}

/** metav1.IsControlledBy: the object's controller reference names this owner's uid. */
export function isControlledBy(obj: KObject, owner: KObject): boolean {
  const ref = getControllerOf(obj);
  return !!ref && ref.uid === owner.metadata?.uid;
}

/** metav1.NewControllerRef: a reference that makes `owner` the controller, blocking its deletion in the foreground. */
export function newControllerRef(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}
