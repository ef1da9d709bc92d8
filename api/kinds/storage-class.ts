import type { Kind, KObject } from '../kind.js';
import { ageColumn } from '../printers.js';
import { arr, bool, enumOf, named, obj, str, strMap } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { deepEqual } from '../deep-equal.js';
import { duplicate, forbidden, immutable, invalid, notSupported, required, tooLong, type Cause } from '../validation/field-errors.js';
import { labelValue, qualifiedName } from '../validation/names.js';

/** Marks the class claims without storageClassName get. */
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

/** Whether the class is marked as the cluster default. */
export function isDefaultClass(sc: KObject): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

const topologySelectorTerm = named('io.k8s.api.core.v1.TopologySelectorTerm', obj({
  matchLabelExpressions: arr(named('io.k8s.api.core.v1.TopologySelectorLabelRequirement', obj({
    key: str('The topology label, e.g. topology.kubernetes.io/zone.'),
    values: arr(str(), { listType: 'atomic', description: 'Accepted values of the label; one must match.' }),
  }, { required: ['key', 'values'], description: 'A topology label and the values accepted for it.' })), { listType: 'atomic', description: 'Requirements on topology labels, all of which must hold.' }),
}, { description: 'A topology domain, given by label requirements.' }));

function validateTopologies(terms: KObject[] | undefined): Cause[] {
  const causes: Cause[] = [];
  const seen: Array<Record<string, string[]>> = [];
  (terms ?? []).forEach((term, i) => {
    const path = `allowedTopologies[${i}]`;
    const exprs: KObject[] = term.matchLabelExpressions ?? [];
    const byKey: Record<string, string[]> = {};
    if (!exprs.length) causes.push(required(path, 'must have at least one label expression'));
    exprs.forEach((e, j) => {
      const ep = `${path}.matchLabelExpressions[${j}]`;
      causes.push(...qualifiedName(`${ep}.key`, e.key ?? ''));
      const values: string[] = e.values ?? [];
      if (!values.length) causes.push(required(`${ep}.values`, 'must specify as least one value'));
      values.forEach((v, k) => causes.push(...labelValue(`${ep}.values[${k}]`, v)));
      if (e.key in byKey) causes.push(duplicate(`${ep}.key`, e.key));
      byKey[e.key] = [...new Set(values)].sort();
    });
    if (seen.some((s) => deepEqual(s, byKey))) causes.push(duplicate(`${path}.matchLabelExpressions`, ''));
    seen.push(byKey);
  });
  return causes;
}

function validateStorageClass(sc: KObject, old?: KObject): Cause[] {
  const causes: Cause[] = [];
  const provisioner: string = sc.provisioner ?? '';
  if (!provisioner) causes.push(required('provisioner'));
  else causes.push(...qualifiedName('provisioner', provisioner.toLowerCase()));
  const params: Record<string, string> = sc.parameters ?? {};
  const keys = Object.keys(params);
  if (keys.length > MAX_PARAMETERS) {
    causes.push(tooLong('parameters', MAX_PARAMETERS));
  } else {
    let size = 0;
    for (const k of keys) {
      if (!k) causes.push(invalid('parameters', k, 'field can not be empty.'));
      size += k.length + String(params[k] ?? '').length;
    }
    if (size > MAX_PARAMETERS_SIZE) causes.push(tooLong('parameters', MAX_PARAMETERS_SIZE));
  }
  if (sc.reclaimPolicy && !RECLAIM_POLICIES.includes(sc.reclaimPolicy)) causes.push(notSupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM_POLICIES));
  if (sc.volumeBindingMode === undefined) causes.push(required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) causes.push(notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  causes.push(...validateTopologies(sc.allowedTopologies));
  if (old) {
    if (!deepEqual(sc.parameters ?? {}, old.parameters ?? {})) causes.push(forbidden('parameters', 'updates to parameters are forbidden.'));
    if (sc.provisioner !== old.provisioner) causes.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (sc.reclaimPolicy !== old.reclaimPolicy) causes.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (sc.volumeBindingMode !== old.volumeBindingMode) causes.push(immutable('volumeBindingMode', sc.volumeBindingMode ?? null));
  }
  return causes;
}

export const storageClass: Kind = {
  group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', singular: 'storageclass',
  shortNames: ['sc'], namespaced: false,
  schema: named('io.k8s.api.storage.v1.StorageClass', obj({
    ...typeMeta,
    provisioner: str('Name of the volume plugin or CSI driver that creates volumes of this class. Immutable.'),
    parameters: strMap('Provisioner-specific settings for new volumes (at most 512 entries, 256 KiB). Immutable.'),
    reclaimPolicy: enumOf(RECLAIM_POLICIES, 'Reclaim policy given to volumes this class creates: Delete (default) or Retain.'),
    mountOptions: arr(str(), { listType: 'atomic', description: 'Mount options given to volumes this class creates; not checked.' }),
    allowVolumeExpansion: bool('Whether claims of this class may ask for more storage later.'),
    volumeBindingMode: enumOf(BINDING_MODES, 'When volumes are provisioned and bound: Immediate (default) or WaitForFirstConsumer (once a pod uses the claim).'),
    allowedTopologies: arr(topologySelectorTerm, { listType: 'atomic', description: 'Topology domains volumes may be provisioned in; anywhere when empty.' }),
  }, { required: ['provisioner'], description: 'A class of storage: which provisioner creates volumes for claims naming it, and with which settings.', gvk: { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass' } })),
  defaults(sc) {
    sc.reclaimPolicy ??= 'Delete';
    sc.volumeBindingMode ??= 'Immediate';
  },
  validate: validateStorageClass,
  returnDeletedObject: true,
  columns: [
    { name: 'Name', type: 'string', format: 'name', priority: 0, description: 'Name of the class, marked "(default)" for the default class.', cell: (o) => `${o.metadata?.name ?? ''}${isDefaultClass(o) ? ' (default)' : ''}` },
    { name: 'Provisioner', type: 'string', priority: 0, description: 'Who creates volumes of this class.', cell: (o) => o.provisioner ?? '' },
    { name: 'ReclaimPolicy', type: 'string', priority: 0, description: 'Reclaim policy of the volumes created.', cell: (o) => o.reclaimPolicy ?? 'Delete' },
    { name: 'VolumeBindingMode', type: 'string', priority: 0, description: 'When volumes are bound.', cell: (o) => o.volumeBindingMode ?? 'Immediate' },
    { name: 'AllowVolumeExpansion', type: 'string', priority: 0, description: 'Whether claims may grow.', cell: (o) => o.allowVolumeExpansion ?? false },
    ageColumn,
  ],
};
