import type { Kind, KObject } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { enumOf, keyedList, map, named, obj, quantity, str, strMap, time } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { clone, deepEqual } from '../deep-equal.js';
import { forbidden, invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { dns1123Label, dns1123Subdomain } from '../validation/names.js';
import { canonicalizeResourceList, compareQuantities, parseQuantity } from '../validation/quantity.js';
import { labelSelectorSchema, validateLabelSelector } from '../label-selector-schema.js';
import {
  BETA_STORAGE_CLASS_ANNOTATION, VOLUME_MODES, accessModesSchema, accessModesString, checkQuantity, quantityCell,
  validateAccessModes, validatePositiveQuantity,
} from './persistent-volume.js';

const CLAIM_PHASES = ['Pending', 'Bound', 'Lost'];

const resourceList = (description: string) => map(quantity(), description);

const pvcSpec = named('io.k8s.api.core.v1.PersistentVolumeClaimSpec', obj({
  accessModes: accessModesSchema('Access modes the volume must offer: ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.'),
  selector: labelSelectorSchema,
  resources: named('io.k8s.api.core.v1.VolumeResourceRequirements', obj({
    limits: resourceList('The most storage the claim may use.'),
    requests: resourceList('The least storage the claim needs (`storage`); may grow later if the class allows expansion.'),
  }, { description: 'How much storage the claim wants.' })),
  volumeName: str('Name of the persistent volume the claim is bound to.'),
  storageClassName: str('Name of the StorageClass the claim wants; empty means a volume without class, absent means the default class.'),
  volumeMode: enumOf(VOLUME_MODES, 'Filesystem (default) or Block.'),
  dataSource: named('io.k8s.api.core.v1.TypedLocalObjectReference', obj({
    apiGroup: str('API group of the source; empty for the core group.'),
    kind: str('Kind of the source, e.g. PersistentVolumeClaim or VolumeSnapshot.'),
    name: str('Name of the source.'),
  }, { required: ['kind', 'name'], description: 'A reference to an object in the same namespace.' })),
  dataSourceRef: named('io.k8s.api.core.v1.TypedObjectReference', obj({
    apiGroup: str('API group of the source; empty for the core group.'),
    kind: str('Kind of the source.'),
    name: str('Name of the source.'),
    namespace: str('Namespace of the source, when it lives elsewhere.'),
  }, { required: ['kind', 'name'], description: 'A reference to an object, possibly in another namespace.' })),
  volumeAttributesClassName: str('Name of the VolumeAttributesClass the claim wants.'),
}, { description: 'What a persistent volume claim asks for.' }));

const pvcCondition = named('io.k8s.api.core.v1.PersistentVolumeClaimCondition', obj({
  type: str('Kind of condition, e.g. Resizing or FileSystemResizePending.'),
  status: str('True, False or Unknown.'),
  lastProbeTime: time('When the condition was last checked.'),
  lastTransitionTime: time('When the condition last changed status.'),
  reason: str('A short CamelCase reason for the last transition.'),
  message: str('Human-readable details of the last transition.'),
}, { required: ['type', 'status'], description: 'One aspect of a claim\'s state.' }));

const pvcStatus = named('io.k8s.api.core.v1.PersistentVolumeClaimStatus', obj({
  phase: enumOf(CLAIM_PHASES, 'Pending, Bound or Lost.'),
  accessModes: accessModesSchema('Access modes of the bound volume.'),
  capacity: resourceList('Size of the bound volume.'),
  conditions: keyedList(pvcCondition, 'type', 'Current conditions of the claim.'),
  allocatedResources: resourceList('Storage allotted to the claim while it is being resized.'),
  allocatedResourceStatuses: strMap('State of an ongoing resize, per resource.'),
  currentVolumeAttributesClassName: str('The VolumeAttributesClass currently applied to the volume.'),
  modifyVolumeStatus: named('io.k8s.api.core.v1.ModifyVolumeStatus', obj({
    targetVolumeAttributesClassName: str('The VolumeAttributesClass being applied.'),
    status: str('Progress of the modification: Pending, InProgress or Infeasible.'),
  }, { required: ['status'], description: 'State of an ongoing change of volume attributes class.' })),
}, { description: 'The observed state of a claim.' }));

/** The storage class a claim asks for: the beta annotation wins over spec.storageClassName. */
export function claimClass(pvc: KObject): string {
  const annotated = pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  return annotated !== undefined ? annotated : pvc.spec?.storageClassName ?? '';
}

/** Copies dataSource to dataSourceRef and back when only one is given, as Kubernetes does on create. */
export function normalizeDataSources(spec: KObject): void {
  const pick = (r: KObject): KObject => Object.fromEntries(['apiGroup', 'kind', 'name'].filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));
  if (spec.dataSource && !spec.dataSourceRef) spec.dataSourceRef = pick(spec.dataSource);
  else if (spec.dataSourceRef && !spec.dataSource && !spec.dataSourceRef.namespace) spec.dataSource = pick(spec.dataSourceRef);
}

function validateDataSource(path: string, ref: KObject): Cause[] {
  const causes: Cause[] = [];
  if (!ref.name) causes.push(required(`${path}.name`));
  if (!ref.kind) causes.push(required(`${path}.kind`));
  if (!ref.apiGroup && ref.kind !== 'PersistentVolumeClaim') {
    causes.push(invalid(path, ref.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  }
  if (ref.apiGroup) causes.push(...dns1123Subdomain(`${path}.apiGroup`, ref.apiGroup));
  if (ref.namespace) causes.push(...dns1123Label(`${path}.namespace`, ref.namespace));
  return causes;
}

function validateSpec(spec: KObject): Cause[] {
  const causes: Cause[] = [];
  if (!spec.accessModes?.length) causes.push(required('spec.accessModes', 'at least 1 access mode is required'));
  if (spec.selector) causes.push(...validateLabelSelector('spec.selector', spec.selector));
  causes.push(...validateAccessModes('spec.accessModes', spec.accessModes).filter((c) => c.reason !== 'FieldValueRequired'));
  const requests: Record<string, unknown> = spec.resources?.requests ?? {};
  // Kubernetes names this path without "requests".
  if (requests.storage === undefined) causes.push(required('spec.resources[storage]'));
  else causes.push(...validatePositiveQuantity('spec.resources[storage]', requests.storage));
  for (const [k, v] of Object.entries({ ...requests, ...(spec.resources?.limits ?? {}) })) {
    if (k !== 'storage' || requests.storage === undefined) causes.push(...checkQuantity(`spec.resources[${k}]`, v).causes);
  }
  if (spec.storageClassName) causes.push(...dns1123Subdomain('spec.storageClassName', spec.storageClassName));
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode)) {
    causes.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  }
  if (spec.dataSource) causes.push(...validateDataSource('spec.dataSource', spec.dataSource));
  if (spec.dataSourceRef) causes.push(...validateDataSource('spec.dataSourceRef', spec.dataSourceRef));
  if (spec.dataSourceRef?.namespace) {
    if (spec.dataSource) causes.push(invalid('spec', 'spec.dataSource', 'may not be specified when dataSourceRef.namespace is specified'));
  } else if (spec.dataSource && spec.dataSourceRef) {
    const same = (spec.dataSource.apiGroup ?? null) === (spec.dataSourceRef.apiGroup ?? null)
      && spec.dataSource.kind === spec.dataSourceRef.kind && spec.dataSource.name === spec.dataSourceRef.name;
    if (!same) causes.push(invalid('spec', 'spec.dataSource', 'must match dataSourceRef'));
  }
  if (spec.volumeAttributesClassName) causes.push(...dns1123Subdomain('spec.volumeAttributesClassName', spec.volumeAttributesClassName));
  return causes;
}

function validateUpdate(pvc: KObject, old: KObject): Cause[] {
  const causes: Cause[] = [];
  const spec: KObject = pvc.spec ?? {};
  const oldSpec: KObject = old.spec ?? {};
  const newClone: KObject = clone(spec);
  const oldClone: KObject = clone(oldSpec);
  // The binder may set volumeName once.
  if (!oldSpec.volumeName) {
    if (newClone.volumeName === undefined) delete oldClone.volumeName;
    else oldClone.volumeName = newClone.volumeName;
  }
  const oldAnn = old.metadata?.annotations ?? {};
  const newAnn = pvc.metadata?.annotations ?? {};
  const hadAnnotation = Object.prototype.hasOwnProperty.call(oldAnn, BETA_STORAGE_CLASS_ANNOTATION);
  const hasAnnotation = Object.prototype.hasOwnProperty.call(newAnn, BETA_STORAGE_CLASS_ANNOTATION);
  const upgradeFromAnnotation = hadAnnotation
    && (!hasAnnotation || newAnn[BETA_STORAGE_CLASS_ANNOTATION] === oldAnn[BETA_STORAGE_CLASS_ANNOTATION])
    && oldSpec.storageClassName === undefined
    && spec.storageClassName === oldAnn[BETA_STORAGE_CLASS_ANNOTATION];
  if (upgradeFromAnnotation) {
    delete newClone.storageClassName;
  } else {
    if ((newAnn[BETA_STORAGE_CLASS_ANNOTATION] ?? '') !== (oldAnn[BETA_STORAGE_CLASS_ANNOTATION] ?? '')) {
      causes.push(invalid(`metadata.annotations.${BETA_STORAGE_CLASS_ANNOTATION}`, newAnn[BETA_STORAGE_CLASS_ANNOTATION] ?? '', 'field is immutable'));
    }
    // A claim without class may be given one later (retroactive default class).
    if (!hadAnnotation && oldSpec.storageClassName === undefined && spec.storageClassName) delete newClone.storageClassName;
  }
  const bound = pvc.status?.phase === 'Bound';
  if (bound && newClone.resources?.requests) {
    if (oldSpec.resources?.requests?.storage === undefined) delete newClone.resources.requests.storage;
    else newClone.resources.requests.storage = oldSpec.resources.requests.storage;
  }
  if (bound && newClone.volumeAttributesClassName !== undefined) {
    if (oldClone.volumeAttributesClassName === undefined) delete newClone.volumeAttributesClassName;
    else newClone.volumeAttributesClassName = oldClone.volumeAttributesClassName;
  }
  if (!deepEqual(newClone, oldClone)) {
    causes.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  const newSize = parseQuantity(spec.resources?.requests?.storage);
  const oldSize = parseQuantity(oldSpec.resources?.requests?.storage);
  if (newSize && oldSize && compareQuantities(newSize, oldSize) < 0) {
    // Shrinking is only allowed back towards the real size, to recover from a failed expansion.
    const statusSize = parseQuantity(old.status?.capacity?.storage ?? '0')!;
    if (compareQuantities(newSize, statusSize) <= 0) {
      causes.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
    }
  }
  // Kubernetes reports this one without the spec. prefix.
  if ((spec.volumeMode ?? null) !== (oldSpec.volumeMode ?? null)) {
    causes.push(invalid('volumeMode', spec.volumeMode ?? null, 'field is immutable'));
  }
  if (oldSpec.volumeAttributesClassName !== undefined) {
    if (spec.volumeAttributesClassName === undefined) causes.push(forbidden('spec.volumeAttributesClassName', 'update from non-nil value to nil is forbidden'));
    else if (spec.volumeAttributesClassName === '') causes.push(forbidden('spec.volumeAttributesClassName', 'update from non-nil value to an empty string is forbidden'));
  }
  return causes;
}

const phaseCell = (o: KObject): string => (o.metadata?.deletionTimestamp ? 'Terminating' : o.status?.phase ?? '');

export const persistentVolumeClaim: Kind = {
  group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim',
  shortNames: ['pvc'], namespaced: true,
  subresources: { status: true },
  schema: named('io.k8s.api.core.v1.PersistentVolumeClaim', obj({
    ...typeMeta,
    spec: pvcSpec,
    status: pvcStatus,
  }, { description: 'A request for storage by a user, bound to a persistent volume that satisfies it.', gvk: { group: '', version: 'v1', kind: 'PersistentVolumeClaim' } })),
  defaults(pvc) {
    pvc.spec ??= {};
    const spec = pvc.spec;
    spec.volumeMode ??= 'Filesystem';
    canonicalizeResourceList(spec.resources?.requests);
    canonicalizeResourceList(spec.resources?.limits);
    pvc.status ??= {};
    if (!pvc.status.phase) pvc.status.phase = 'Pending';
    canonicalizeResourceList(pvc.status.capacity);
    canonicalizeResourceList(pvc.status.allocatedResources);
  },
  prepareForCreate(pvc) {
    pvc.status = { phase: 'Pending' };
    if (pvc.spec && typeof pvc.spec === 'object') normalizeDataSources(pvc.spec);
  },
  validate(pvc, old) {
    const causes = validateSpec(pvc.spec ?? {});
    if (old) causes.push(...validateUpdate(pvc, old));
    return causes;
  },
  returnDeletedObject: true,
  columns: [
    nameColumn,
    { name: 'Status', type: 'string', priority: 0, description: 'Lifecycle phase of the claim.', cell: phaseCell },
    { name: 'Volume', type: 'string', priority: 0, description: 'The volume the claim is bound to.', cell: (o) => o.spec?.volumeName ?? '' },
    { name: 'Capacity', type: 'string', priority: 0, description: 'Size of the bound volume.', cell: (o) => (o.spec?.volumeName ? quantityCell(o.status?.capacity?.storage) : '') },
    { name: 'Access Modes', type: 'string', priority: 0, description: 'Access modes of the bound volume.', cell: (o) => (o.spec?.volumeName ? accessModesString(o.status?.accessModes) : '') },
    { name: 'StorageClass', type: 'string', priority: 0, description: 'StorageClass of the claim.', cell: claimClass },
    { name: 'VolumeAttributesClass', type: 'string', priority: 0, description: 'VolumeAttributesClass of the claim.', cell: (o) => o.spec?.volumeAttributesClassName ?? '<unset>' },
    ageColumn,
    { name: 'VolumeMode', type: 'string', priority: 1, description: 'Filesystem or Block.', cell: (o) => o.spec?.volumeMode ?? '<unset>' },
  ],
};
