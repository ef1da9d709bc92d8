import { deepEqual } from '../deep-equal.js';
import type { Kind } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { getControllerOf } from '../owner-references.js';
import { ageColumn, nameColumn } from '../printers.js';
import { free, int64, named, obj } from '../schema.js';
import { immutable, invalid, required, type Cause } from '../validation/field-errors.js';
import { NON_NEGATIVE } from '../validation/pod-spec.js';

/**
 * kubectl's CONTROLLER cell: the controller as `kind.group/name`
 * (daemonset.apps/fluentd), `<none>` for an orphan.
 */
function controllerName(o: Record<string, any>): string {
  const ref = getControllerOf(o);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

/**
 * apps/v1 ControllerRevision: an immutable snapshot of a workload's state
 * (a DaemonSet's or StatefulSet's template, as a patch) that its controller
 * rolls back to. Only `revision` may change after creation: controllers
 * renumber a snapshot when an old template comes back.
 */
export const controllerRevision: Kind = {
  group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', singular: 'controllerrevision',
  namespaced: true,
  schema: named('io.k8s.api.apps.v1.ControllerRevision', obj({
    ...typeMeta,
    data: free('The state this revision records, as its controller serializes it.'),
    revision: int64('The revision number; the higher, the newer.'),
  }, { required: ['revision'], description: 'An immutable snapshot of state data, for workload controllers\' update and rollback.', gvk: { group: 'apps', version: 'v1', kind: 'ControllerRevision' } })),

  validate(cr, old) {
    const causes: Cause[] = [];
    if (cr.data === undefined || cr.data === null) causes.push(required('data'));
    if (typeof cr.revision === 'number' && cr.revision < 0) causes.push(invalid('revision', cr.revision, NON_NEGATIVE));
    if (old && !deepEqual(cr.data, old.data)) causes.push(immutable('data', cr.data ?? null));
    return causes;
  },

  columns: [
    nameColumn,
    { name: 'Controller', type: 'string', priority: 0, description: 'The controller that owns this revision.', cell: controllerName },
    { name: 'Revision', type: 'integer', priority: 0, description: 'The revision number.', cell: (o) => o.revision ?? 0 },
    ageColumn,
  ],
};
