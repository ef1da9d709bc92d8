import { arr, bool, int64, map, named, obj, str, strMap, time, keyedList } from './schema.js';
import type { KObject } from './kind.js';
import { invalid, required, type Cause } from './validation/field-errors.js';
import { annotations, dns1123Subdomain, labels, pathSegmentName, qualifiedName, type NameRule } from './validation/names.js';

export const ownerReference = named('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference', obj({
  apiVersion: str('API version of the referent.'),
  kind: str('Kind of the referent.'),
  name: str('Name of the referent.'),
  uid: str('UID of the referent.'),
  controller: bool('If true, this reference points to the managing controller.'),
  blockOwnerDeletion: bool('If true, the owner cannot be deleted from the key-value store until this reference is removed.'),
}, { required: ['apiVersion', 'kind', 'name', 'uid'], description: 'OwnerReference contains enough information to let you identify an owning object.' }));

export const objectMeta = named('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', obj({
  name: str('Name must be unique within a namespace.'),
  generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
  namespace: str('Namespace defines the space within which each name must be unique.'),
  uid: str('UID is the unique in time and space value for this object.'),
  resourceVersion: str('An opaque value that represents the internal version of this object.'),
  generation: int64('A sequence number representing a specific generation of the desired state.'),
  creationTimestamp: time('CreationTimestamp is a timestamp representing the server time when this object was created.'),
  deletionTimestamp: time('DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.'),
  deletionGracePeriodSeconds: int64('Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.'),
  labels: strMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
  annotations: strMap('Annotations is an unstructured key value map stored with a resource.'),
  ownerReferences: keyedList(ownerReference, 'uid', 'List of objects depended by this object.'),
  finalizers: arr(str(), { description: 'Must be empty before the object is deleted from the registry.', patchStrategy: 'merge', listType: 'set' }),
  managedFields: arr(map({ type: 'object', preserveUnknownFields: true }), { description: 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.' }),
  selfLink: str('Deprecated.'),
}, { description: 'ObjectMeta is metadata that all persisted resources must have.' }));

export const listMeta = named('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', obj({
  resourceVersion: str('String that identifies the server\'s internal version of this object.'),
  continue: str('continue may be set if the user set a limit on the number of items returned.'),
  remainingItemCount: int64('The number of subsequent items in the list which are not included in this list response.'),
  selfLink: str('Deprecated.'),
}));

/** The fields every top-level kind opens with. */
export const typeMeta = {
  apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
  kind: str('Kind is a string value representing the REST resource this object represents.'),
  metadata: objectMeta,
};

/** The checks every kind's metadata gets, whatever the kind. */
export function validateObjectMeta(meta: KObject | undefined, namespaced: boolean, nameRule: NameRule = dns1123Subdomain): Cause[] {
  if (!meta || typeof meta !== 'object') return [required('metadata')];
  const causes: Cause[] = [];
  if (!meta.name && !meta.generateName) causes.push(required('metadata.name', 'name or generateName is required'));
  if (typeof meta.name === 'string' && meta.name) {
    const bad = pathSegmentName('metadata.name', meta.name);
    causes.push(...(bad.length ? bad : nameRule('metadata.name', meta.name)));
  }
  if (typeof meta.generateName === 'string' && meta.generateName && !meta.name) {
    const bad = pathSegmentName('metadata.generateName', meta.generateName);
    causes.push(...bad);
  }
  if (namespaced) {
    if (!meta.namespace) causes.push(required('metadata.namespace'));
  } else if (meta.namespace) {
    causes.push(invalid('metadata.namespace', meta.namespace, 'not allowed on this type'));
  }
  causes.push(...labels('metadata.labels', meta.labels));
  causes.push(...annotations('metadata.annotations', meta.annotations));
  if (meta.finalizers !== undefined) {
    const seen = new Set<string>();
    (meta.finalizers as string[]).forEach((f, i) => {
      causes.push(...qualifiedName(`metadata.finalizers[${i}]`, f));
      if (seen.has(f)) causes.push(invalid(`metadata.finalizers[${i}]`, f, 'duplicate finalizer'));
      seen.add(f);
    });
  }
  return causes;
}
