import type { Kind } from '../kind.js';
import { objectMeta } from '../object-meta.js';
import { named, obj, str } from '../schema.js';

export const objectReference = named('io.k8s.api.core.v1.ObjectReference', obj({
  apiVersion: str('API version of the referent.'),
  kind: str('Kind of the referent.'),
  name: str('Name of the referent.'),
  namespace: str('Namespace of the referent.'),
  uid: str('UID of the referent.'),
  resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
  fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
}, { description: 'ObjectReference contains enough information to let you inspect or modify the referred object.' }));

/** core/v1 Binding: posted to pods/binding by the scheduler, never stored. */
export const bindingKind: Kind = {
  group: '', version: 'v1', kind: 'Binding', plural: 'bindings', singular: 'binding', namespaced: true,
  schema: named('io.k8s.api.core.v1.Binding', obj({
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
    kind: str('Kind is a string value representing the REST resource this object represents.'),
    metadata: objectMeta,
    target: objectReference,
  }, { required: ['target'], description: 'Binding ties one object to another; for example, a pod is bound to a node by a scheduler.', gvk: { group: '', version: 'v1', kind: 'Binding' } })),
  columns: [],
};
