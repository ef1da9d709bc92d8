import { now } from '../time.js';
import type { Kind, KObject } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { arr, bool, enumOf, free, int32, map, named, obj, quantity, str, strMap, time } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { deepEqual } from '../deep-equal.js';
import { forbidden, immutable, invalid, notSupported, required, tooLong, type Cause } from '../validation/field-errors.js';
import { dns1123Label, dns1123Subdomain } from '../validation/names.js';
import { QUANTITY_SYNTAX_MESSAGE, canonicalQuantity, canonicalizeResourceList, formatQuantity, parseQuantity, type Quantity } from '../validation/quantity.js';
import { objectReference } from '../object-reference.js';

/** Access modes in the order Kubernetes lists them in errors. */
export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const VOLUME_MODES = ['Block', 'Filesystem'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const PHASES = ['Pending', 'Available', 'Bound', 'Released', 'Failed'];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
/** The annotation that named a storage class before spec.storageClassName existed; still wins when present. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export const accessModesSchema = (description: string) => arr(enumOf(ACCESS_MODES), { listType: 'atomic', description });

const secretReference = named('io.k8s.api.core.v1.SecretReference', obj({
  name: str('Name of the secret.'),
  namespace: str('Namespace of the secret.'),
}, { description: 'A reference to a secret in any namespace.' }));

const csiSource = named('io.k8s.api.core.v1.CSIPersistentVolumeSource', obj({
  driver: str('Name of the CSI driver handling the volume.'),
  volumeHandle: str('The identifier the driver gave the volume; passed back to it in every call.'),
  readOnly: bool('Publish the volume read-only (default false).'),
  fsType: str('Filesystem to mount, e.g. ext4 or xfs.'),
  volumeAttributes: strMap('Driver-specific attributes of the volume.'),
  controllerPublishSecretRef: secretReference,
  nodeStageSecretRef: secretReference,
  nodePublishSecretRef: secretReference,
  controllerExpandSecretRef: secretReference,
  nodeExpandSecretRef: secretReference,
}, { required: ['driver', 'volumeHandle'], description: 'A volume managed by an external CSI driver.' }));

const ebsSource = named('io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource', obj({
  volumeID: str('ID of the EBS volume, e.g. vol-0123456789abcdef0.'),
  fsType: str('Filesystem to mount, e.g. ext4.'),
  partition: int32('Partition to mount; 0 (default) mounts the whole device.'),
  readOnly: bool('Mount read-only.'),
}, { required: ['volumeID'], description: 'An AWS EBS volume.' }));

const hostPathSource = named('io.k8s.api.core.v1.HostPathVolumeSource', obj({
  path: str('Path of the directory or file on the host.'),
  type: str('What must exist at the path: "" (no check), DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.'),
}, { required: ['path'], description: 'A directory or file on the node\'s own filesystem.' }));

const localSource = named('io.k8s.api.core.v1.LocalVolumeSource', obj({
  path: str('Absolute path of the disk, partition or directory on the node.'),
  fsType: str('Filesystem of a block device to mount; detected when empty.'),
}, { required: ['path'], description: 'Storage attached to one node; needs nodeAffinity.' }));

const nfsSource = named('io.k8s.api.core.v1.NFSVolumeSource', obj({
  server: str('Hostname or IP of the NFS server.'),
  path: str('Path exported by the server.'),
  readOnly: bool('Mount read-only.'),
}, { required: ['server', 'path'], description: 'An NFS export.' }));

/** The volume sources Skiff knows, in the order Kubernetes checks them. */
const SOURCES = ['hostPath', 'awsElasticBlockStore', 'nfs', 'local', 'csi'];

const pvSpec = named('io.k8s.api.core.v1.PersistentVolumeSpec', obj({
  capacity: map(quantity(), 'The size of the volume, as a resource list holding `storage`.'),
  accessModes: accessModesSchema('How the volume can be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.'),
  claimRef: objectReference,
  persistentVolumeReclaimPolicy: enumOf(RECLAIM_POLICIES, 'What happens to the volume once its claim is released: Retain (default for manually created volumes), Delete or Recycle (deprecated).'),
  storageClassName: str('Name of the StorageClass the volume belongs to; empty means none.'),
  mountOptions: arr(str(), { listType: 'atomic', description: 'Mount options used when mounting the volume; not checked.' }),
  volumeMode: enumOf(VOLUME_MODES, 'Whether the volume is used with a filesystem (Filesystem, default) or as a raw block device (Block).'),
  nodeAffinity: named('io.k8s.api.core.v1.VolumeNodeAffinity', obj({
    required: free('Node selector terms a node must satisfy to use the volume.'),
  }, { description: 'Limits the nodes the volume can be used from.' })),
  volumeAttributesClassName: str('Name of the VolumeAttributesClass the volume belongs to.'),
  csi: csiSource,
  awsElasticBlockStore: ebsSource,
  hostPath: hostPathSource,
  local: localSource,
  nfs: nfsSource,
}, { description: 'The characteristics and backing storage of a persistent volume.' }));

const pvStatus = named('io.k8s.api.core.v1.PersistentVolumeStatus', obj({
  phase: enumOf(PHASES, 'Lifecycle phase: Pending, Available, Bound, Released or Failed.'),
  message: str('Human-readable explanation of the current phase.'),
  reason: str('A short CamelCase reason for a failure.'),
  lastPhaseTransitionTime: time('When the volume last moved to another phase.'),
}, { description: 'The observed state of a persistent volume.' }));

// ---- shared helpers ----------------------------------------------------------

/** kubectl's ACCESS MODES cell: RWO,ROX,RWX,RWOP in that order, each once. */
export function accessModesString(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** accessModes checks shared by volumes and claims. */
export function validateAccessModes(field: string, modes: string[] | undefined, requiredDetail = ''): Cause[] {
  const causes: Cause[] = [];
  if (!modes?.length) causes.push(required(field, requiredDetail));
  let rwop = false;
  let others = false;
  for (const m of modes ?? []) {
    if (!ACCESS_MODES.includes(m)) causes.push(notSupported(field, m, ACCESS_MODES));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (ACCESS_MODES.includes(m)) others = true;
  }
  if (rwop && others) causes.push(forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return causes;
}

/** Parses a quantity for validation: the parsed value, or the cause explaining it is not one. */
export function checkQuantity(field: string, raw: unknown): { q?: Quantity; causes: Cause[] } {
  const q = parseQuantity(raw);
  return q ? { q, causes: [] } : { causes: [invalid(field, raw, QUANTITY_SYNTAX_MESSAGE)] };
}

/** The positive-size check Kubernetes applies to volume and claim sizes. */
export function validatePositiveQuantity(field: string, raw: unknown, alsoNonNegative = false): Cause[] {
  const { q, causes } = checkQuantity(field, raw);
  if (!q) return causes;
  if (q.value < 0n && alsoNonNegative) causes.push(invalid(field, formatQuantity(q), 'must be a valid resource quantity'));
  if (q.value <= 0n) causes.push(invalid(field, formatQuantity(q), 'must be greater than zero'));
  return causes;
}

/** Quantity cell as kubectl prints it (canonical form; `0` when missing). */
export const quantityCell = (raw: unknown): string => (raw === undefined ? '0' : canonicalQuantity(raw) ?? String(raw));

const noBacksteps = (field: string, path: string): Cause[] =>
  path.split(/[\\/]/).includes('..') ? [invalid(field, path, "must not contain '..'")] : [];

function validateSecretRef(field: string, ref: KObject | undefined): Cause[] {
  if (!ref) return [];
  const causes: Cause[] = [];
  if (!ref.name) causes.push(required(`${field}.name`));
  else causes.push(...dns1123Subdomain(`${field}.name`, ref.name));
  if (!ref.namespace) causes.push(required(`${field}.namespace`));
  else causes.push(...dns1123Label(`${field}.namespace`, ref.namespace));
  return causes;
}

function validateSource(name: string, src: KObject, path: string, nodeAffinitySet: boolean): Cause[] {
  const causes: Cause[] = [];
  switch (name) {
    case 'hostPath':
      if (!src.path) return [required(`${path}.path`)];
      causes.push(...noBacksteps(`${path}.path`, src.path));
      if (src.type !== undefined && !HOST_PATH_TYPES.includes(src.type)) causes.push(notSupported(`${path}.type`, src.type, HOST_PATH_TYPES));
      break;
    case 'awsElasticBlockStore':
      if (!src.volumeID) causes.push(required(`${path}.volumeID`));
      if (src.partition !== undefined && (src.partition < 0 || src.partition > 255)) causes.push(invalid(`${path}.partition`, src.partition, 'must be between 1 and 255, inclusive'));
      break;
    case 'nfs':
      if (!src.server) causes.push(required(`${path}.server`));
      if (!src.path) causes.push(required(`${path}.path`));
      if (!String(src.path ?? '').startsWith('/')) causes.push(invalid(`${path}.path`, src.path ?? '', 'must be an absolute path'));
      break;
    case 'local':
      if (!src.path) causes.push(required(`${path}.path`));
      else causes.push(...noBacksteps(`${path}.path`, src.path));
      if (!nodeAffinitySet) causes.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
      break;
    case 'csi': {
      const driver: string = src.driver ?? '';
      if (!driver) causes.push(required(`${path}.driver`));
      if (driver.length > 63) causes.push(tooLong(`${path}.driver`, 63));
      causes.push(...dns1123Subdomain(`${path}.driver`, driver.toLowerCase()).map((c) => ({ ...c, message: c.message.replace(/Invalid value: "[^"]*"/, `Invalid value: ${JSON.stringify(driver)}`) })));
      if (!src.volumeHandle) causes.push(required(`${path}.volumeHandle`));
      for (const ref of ['controllerPublishSecretRef', 'nodeStageSecretRef', 'nodePublishSecretRef', 'controllerExpandSecretRef', 'nodeExpandSecretRef']) {
        causes.push(...validateSecretRef(`${path}.${ref}`, src[ref]));
      }
      break;
    }
  }
  return causes;
}

function validateSpec(pv: KObject): Cause[] {
  const spec: KObject = pv.spec ?? {};
  const causes: Cause[] = [...validateAccessModes('spec.accessModes', spec.accessModes)];
  const capacity: Record<string, unknown> = spec.capacity ?? {};
  const keys = Object.keys(capacity);
  if (!keys.length) causes.push(required('spec.capacity'));
  if (!keys.includes('storage') || keys.length > 1) causes.push(notSupported('spec.capacity', capacity, ['storage']));
  for (const k of keys) causes.push(...validatePositiveQuantity(`spec.capacity[${k}]`, capacity[k], true));
  if (spec.persistentVolumeReclaimPolicy && !RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy)) {
    causes.push(notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
  }
  const affinity = spec.nodeAffinity;
  if (affinity) {
    if (!affinity.required) causes.push(required('spec.nodeAffinity.required', 'must specify required node constraints'));
    else if (!affinity.required.nodeSelectorTerms?.length) {
      causes.push(required('spec.nodeAffinity.required.nodeSelectorTerms', 'must have at least one node selector term'));
    }
  }
  let count = 0;
  for (const name of SOURCES) {
    const src = spec[name];
    if (src === undefined) continue;
    if (count > 0) {
      causes.push(forbidden(`spec.${name}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    causes.push(...validateSource(name, src, `spec.${name}`, !!affinity));
  }
  if (!count) causes.push(required('spec', 'must specify a volume type'));
  if (spec.hostPath?.path && spec.hostPath.path.replace(/\/+$/, '') === '' && spec.persistentVolumeReclaimPolicy === 'Recycle') {
    causes.push(forbidden('spec.persistentVolumeReclaimPolicy', "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (spec.storageClassName) causes.push(...dns1123Subdomain('spec.storageClassName', spec.storageClassName));
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode)) causes.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  if (spec.volumeAttributesClassName !== undefined) {
    if (!spec.volumeAttributesClassName) causes.push(required('spec.volumeAttributesClassName', 'an empty string is disallowed'));
    else causes.push(...dns1123Subdomain('spec.volumeAttributesClassName', spec.volumeAttributesClassName));
    if (!spec.csi) causes.push(required('spec.csi', 'has to be specified when using volumeAttributesClassName'));
  }
  return causes;
}

function volumeSources(spec: KObject, dropExpandRef: boolean): KObject {
  const out: KObject = {};
  for (const name of SOURCES) if (spec[name] !== undefined) out[name] = spec[name];
  if (dropExpandRef && out.csi) {
    out.csi = { ...out.csi };
    delete out.csi.controllerExpandSecretRef;
  }
  return out;
}

/**
 * Stamps status.lastPhaseTransitionTime when an update changes the phase
 * without setting a new time, as Kubernetes' status strategy does.
 */
export function stampPhaseTransition(pv: KObject, old: KObject): void {
  const phase = pv.status?.phase ?? '';
  if (!pv.status || phase === (old.status?.phase ?? '')) return;
  const stamped = pv.status.lastPhaseTransitionTime;
  if (stamped === undefined || stamped === old.status?.lastPhaseTransitionTime) pv.status.lastPhaseTransitionTime = now();
}

function validatePersistentVolume(pv: KObject, old?: KObject): Cause[] {
  const causes = validateSpec(pv);
  if (!old) return causes;
  const spec: KObject = pv.spec ?? {};
  const oldSpec: KObject = old.spec ?? {};
  // A CSI volume may gain a controllerExpandSecretRef it did not have.
  const addsExpandRef = !!oldSpec.csi && !oldSpec.csi.controllerExpandSecretRef && !!spec.csi?.controllerExpandSecretRef;
  if (!deepEqual(volumeSources(spec, addsExpandRef), volumeSources(oldSpec, false))) {
    causes.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  }
  // Kubernetes reports these two without the spec. prefix.
  if ((spec.volumeMode ?? null) !== (oldSpec.volumeMode ?? null)) causes.push(immutable('volumeMode', spec.volumeMode ?? null));
  if (oldSpec.nodeAffinity && !deepEqual(spec.nodeAffinity, oldSpec.nodeAffinity)) {
    causes.push(invalid('nodeAffinity', spec.nodeAffinity ?? null, 'field is immutable, except for updating from beta label to GA'));
  }
  if (oldSpec.volumeAttributesClassName !== undefined && spec.volumeAttributesClassName === undefined) {
    causes.push(forbidden('spec.volumeAttributesClassName', 'update from non-nil value to nil is forbidden'));
  }
  return causes;
}

/** RFC 3339 at second precision, as metav1.Time is written. */

/** The storage class of a volume: the beta annotation wins over spec.storageClassName. */
export function volumeClass(pv: KObject): string {
  const annotated = pv.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  return annotated !== undefined ? annotated : pv.spec?.storageClassName ?? '';
}

const phaseCell = (o: KObject): string => (o.metadata?.deletionTimestamp ? 'Terminating' : o.status?.phase ?? '');

export const persistentVolume: Kind = {
  group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', singular: 'persistentvolume',
  shortNames: ['pv'], namespaced: false,
  subresources: { status: true },
  schema: named('io.k8s.api.core.v1.PersistentVolume', obj({
    ...typeMeta,
    spec: pvSpec,
    status: pvStatus,
  }, { description: 'A piece of storage in the cluster, provisioned by an administrator or dynamically, that claims bind to.', gvk: { group: '', version: 'v1', kind: 'PersistentVolume' } })),
  defaults(pv) {
    pv.spec ??= {};
    const spec = pv.spec;
    if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
    spec.volumeMode ??= 'Filesystem';
    if (spec.hostPath && typeof spec.hostPath === 'object') spec.hostPath.type ??= '';
    canonicalizeResourceList(spec.capacity);
    pv.status ??= {};
    if (!pv.status.phase) pv.status.phase = 'Pending';
  },
  prepareForCreate(pv) {
    pv.status = { phase: 'Pending', lastPhaseTransitionTime: now() };
  },
  prepareForUpdate: stampPhaseTransition,
  validate: validatePersistentVolume,
  returnDeletedObject: true,
  columns: [
    nameColumn,
    { name: 'Capacity', type: 'string', priority: 0, description: 'Size of the volume.', cell: (o) => quantityCell(o.spec?.capacity?.storage) },
    { name: 'Access Modes', type: 'string', priority: 0, description: 'How the volume can be mounted.', cell: (o) => accessModesString(o.spec?.accessModes) },
    { name: 'Reclaim Policy', type: 'string', priority: 0, description: 'What happens to the volume when its claim goes away.', cell: (o) => o.spec?.persistentVolumeReclaimPolicy ?? '' },
    { name: 'Status', type: 'string', priority: 0, description: 'Lifecycle phase of the volume.', cell: phaseCell },
    { name: 'Claim', type: 'string', priority: 0, description: 'The claim bound to the volume, as namespace/name.', cell: (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace ?? ''}/${o.spec.claimRef.name ?? ''}` : '') },
    { name: 'StorageClass', type: 'string', priority: 0, description: 'StorageClass of the volume.', cell: volumeClass },
    { name: 'VolumeAttributesClass', type: 'string', priority: 0, description: 'VolumeAttributesClass of the volume.', cell: (o) => o.spec?.volumeAttributesClassName ?? '<unset>' },
    { name: 'Reason', type: 'string', priority: 0, description: 'Why the volume is in its phase, on failure.', cell: (o) => o.status?.reason ?? '' },
    ageColumn,
    { name: 'VolumeMode', type: 'string', priority: 1, description: 'Filesystem or Block.', cell: (o) => o.spec?.volumeMode ?? '<unset>' },
  ],
};
