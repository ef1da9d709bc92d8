import type { Kind } from '../kind.js';
import { objectReference } from '../object-reference.js';
import { typeMeta } from '../object-meta.js';
import { named, obj } from '../schema.js';

/** core/v1 Binding: posted to pods/binding by the scheduler, never stored. */
export const bindingKind: Kind = {
  group: '', version: 'v1', kind: 'Binding', plural: 'bindings', singular: 'binding', namespaced: true,
  schema: named('io.k8s.api.core.v1.Binding', obj({
    ...typeMeta,
    target: objectReference,
  }, { required: ['target'], description: 'Binding ties one object to another; for example, a pod is bound to a node by a scheduler.', gvk: { group: '', version: 'v1', kind: 'Binding' } })),
  columns: [],
};
