import type { Kind } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { arr, enumOf, named, obj, str } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { dns1123Label } from '../validation/names.js';
import { NAMESPACE_DEFAULT, NAMESPACE_FINALIZER, NAMESPACE_PUBLIC, NAMESPACE_SYSTEM } from '../well-known.js';

/** The namespaces the cluster itself lives in, which cannot be deleted. */
export const SYSTEM_NAMESPACES = [NAMESPACE_DEFAULT, NAMESPACE_SYSTEM, NAMESPACE_PUBLIC];

export const namespace: Kind = {
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace',
  shortNames: ['ns'], namespaced: false,
  subresources: { status: true },
  schema: named('io.k8s.api.core.v1.Namespace', obj({
    ...typeMeta,
    spec: named('io.k8s.api.core.v1.NamespaceSpec', obj({
      finalizers: arr(str(), { description: 'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.', listType: 'atomic' }),
    }, { description: 'NamespaceSpec describes the attributes on a Namespace.' })),
    status: named('io.k8s.api.core.v1.NamespaceStatus', obj({
      phase: enumOf(['Active', 'Terminating'], 'Phase is the current lifecycle phase of the namespace.'),
    }, { description: 'NamespaceStatus is information about the current status of a Namespace.' })),
  }, { description: 'Namespace provides a scope for Names. Use of multiple namespaces is optional.', gvk: { group: '', version: 'v1', kind: 'Namespace' } })),
  defaults(ns) {
    // Every namespace carries its name as a label, so selectors can pick namespaces by name.
    if (ns.metadata?.name) ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name };
    ns.spec ??= {};
    ns.spec.finalizers ??= [NAMESPACE_FINALIZER];
    ns.status ??= {};
    ns.status.phase ??= 'Active';
  },
  nameRule: dns1123Label,
  prepareForCreate(ns) {
    ns.status = { phase: 'Active' };
  },
  holdDeletion(ns) {
    if (!ns.spec?.finalizers?.length) return false;
    ns.status = { ...ns.status, phase: 'Terminating' };
    return true;
  },
  returnDeletedObject: true,
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  forbidDeletion(ns) {
    return SYSTEM_NAMESPACES.includes(ns.metadata?.name) ? 'this namespace may not be deleted' : undefined;
  },
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', priority: 0, description: 'The status of the namespace', cell: (o) => o.status?.phase ?? '' },
    ageColumn,
  ],
  fields: { 'status.phase': (o) => o.status?.phase },
};
