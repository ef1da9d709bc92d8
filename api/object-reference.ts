import { named, obj, str } from './schema.js';

/** core/v1 ObjectReference: points at one object, possibly at a field inside it. */
export const objectReference = named('io.k8s.api.core.v1.ObjectReference', obj({
  apiVersion: str('API version of the referent.'),
  kind: str('Kind of the referent.'),
  name: str('Name of the referent.'),
  namespace: str('Namespace of the referent.'),
  uid: str('UID of the referent.'),
  resourceVersion: str('The resourceVersion of the referent this reference was made against, if any.'),
  fieldPath: str('A field inside the referent, e.g. spec.containers{name} for one container of a pod.'),
}, { description: 'ObjectReference contains enough information to let you inspect or modify the referred object.' }));
