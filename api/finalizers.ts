import type { KObject } from './kind.js';

/** metadata.finalizers; none when the object has none (or something that is not a list). */
const finalizersOf = (obj: KObject): string[] => (Array.isArray(obj.metadata?.finalizers) ? obj.metadata.finalizers : []);

export const hasFinalizer = (obj: KObject, finalizer: string): boolean => finalizersOf(obj).includes(finalizer);

/** A copy of the object with `finalizer` added at the end (once). */
export function withFinalizer<T extends KObject>(obj: T, finalizer: string): T {
  const finalizers = finalizersOf(obj);
  return { ...obj, metadata: { ...obj.metadata, finalizers: finalizers.includes(finalizer) ? finalizers : [...finalizers, finalizer] } };
}

/** A copy of the object without `finalizer`. */
export function withoutFinalizer<T extends KObject>(obj: T, finalizer: string): T {
  return { ...obj, metadata: { ...obj.metadata, finalizers: finalizersOf(obj).filter((f) => f !== finalizer) } };
}
