import type { Kind, KObject } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { bool, free, int32, named, obj, str, strMap, time } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { deepEqual } from '../deep-equal.js';
import { forbidden, invalid, required, tooLong, type Cause } from '../validation/field-errors.js';
import { dns1123Subdomain } from '../validation/names.js';

const MAX_METADATA_SIZE = 256 * 1024;
const MAX_ERROR_MESSAGE = 1024;

const volumeError = named('io.k8s.api.storage.v1.VolumeError', obj({
  time: time('When the error happened.'),
  message: str('What went wrong; may be logged, so free of secrets.'),
  errorCode: int32('Numeric gRPC code of the error, when the driver gave one.'),
}, { description: 'An error met while attaching or detaching a volume.' }));

function validateSpec(spec: KObject): Cause[] {
  const causes: Cause[] = [];
  if (!spec.attacher) causes.push(required('spec.attacher'));
  const source: KObject = spec.source ?? {};
  const hasPV = source.persistentVolumeName !== undefined;
  const hasInline = source.inlineVolumeSpec !== undefined;
  const both = 'must specify exactly one of inlineVolumeSpec and persistentVolumeName';
  if (!hasPV && !hasInline) causes.push(required('spec.source', both));
  else if (hasPV && hasInline) causes.push(forbidden('spec.source', both));
  else if (hasPV && !source.persistentVolumeName) causes.push(required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
  else if (hasInline && !source.inlineVolumeSpec?.csi) causes.push(required('spec.source.inlineVolumeSpec.csi', 'has to be specified in the context of inline volumes'));
  causes.push(...dns1123Subdomain('spec.nodeName', spec.nodeName ?? ''));
  return causes;
}

function validateStatus(status: KObject | undefined): Cause[] {
  const causes: Cause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries((status?.attachmentMetadata ?? {}) as Record<string, string>)) size += k.length + String(v).length;
  if (size > MAX_METADATA_SIZE) causes.push(tooLong('status.attachmentMetadata', MAX_METADATA_SIZE));
  for (const which of ['attachError', 'detachError']) {
    const message = status?.[which]?.message;
    if (typeof message === 'string' && message.length > MAX_ERROR_MESSAGE) causes.push(tooLong(`status.${which}.message`, MAX_ERROR_MESSAGE));
  }
  return causes;
}

/** Checks v1 adds on create: the attacher must be a CSI driver name and the volume name a valid name. */
function validateCreateV1(va: KObject): Cause[] {
  const causes: Cause[] = [];
  const attacher: string = va.spec?.attacher ?? '';
  if (!attacher) causes.push(required('spec.attacher'));
  if (attacher.length > 63) causes.push(tooLong('spec.attacher', 63));
  causes.push(...dns1123Subdomain('spec.attacher', attacher.toLowerCase()).map((c) => ({ ...c, message: c.message.replace(/Invalid value: "[^"]*"/, `Invalid value: ${JSON.stringify(attacher)}`) })));
  const pv = va.spec?.source?.persistentVolumeName;
  if (pv) causes.push(...dns1123Subdomain('spec.source.persistentVolumeName', pv));
  return causes;
}

function validateVolumeAttachment(va: KObject, old?: KObject): Cause[] {
  const causes = [...validateSpec(va.spec ?? {}), ...validateStatus(va.status)];
  if (!old) causes.push(...validateCreateV1(va));
  else if (!deepEqual(va.spec ?? {}, old.spec ?? {})) causes.push(invalid('spec', va.spec ?? {}, 'field is immutable'));
  return causes;
}

export const volumeAttachment: Kind = {
  group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachment', plural: 'volumeattachments', singular: 'volumeattachment',
  namespaced: false,
  subresources: { status: true },
  schema: named('io.k8s.api.storage.v1.VolumeAttachment', obj({
    ...typeMeta,
    spec: named('io.k8s.api.storage.v1.VolumeAttachmentSpec', obj({
      attacher: str('Name of the CSI driver that attaches the volume.'),
      source: named('io.k8s.api.storage.v1.VolumeAttachmentSource', obj({
        persistentVolumeName: str('Name of the persistent volume to attach.'),
        inlineVolumeSpec: free('A persistent volume spec written inline in a pod, for migrated in-tree volumes.'),
      }, { description: 'The volume to attach: exactly one of the fields.' })),
      nodeName: str('The node to attach the volume to.'),
    }, { required: ['attacher', 'source', 'nodeName'], description: 'Which volume to attach to which node, and by whom. Immutable.' })),
    status: named('io.k8s.api.storage.v1.VolumeAttachmentStatus', obj({
      attached: bool('Whether the volume is attached; set by the attacher.'),
      attachmentMetadata: strMap('Information the attach step produced for the mount step.'),
      attachError: volumeError,
      detachError: volumeError,
    }, { required: ['attached'], description: 'Progress of attaching or detaching the volume.' })),
  }, { required: ['spec'], description: 'A request to attach a volume to a node, and how it went.', gvk: { group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachment' } })),
  prepareForCreate(va) {
    va.status = { attached: false };
  },
  validate: validateVolumeAttachment,
  returnDeletedObject: true,
  columns: [
    nameColumn,
    { name: 'Attacher', type: 'string', format: 'name', priority: 0, description: 'The CSI driver attaching the volume.', cell: (o) => o.spec?.attacher ?? '' },
    { name: 'PV', type: 'string', priority: 0, description: 'The persistent volume attached.', cell: (o) => o.spec?.source?.persistentVolumeName ?? '' },
    { name: 'Node', type: 'string', priority: 0, description: 'The node the volume is attached to.', cell: (o) => o.spec?.nodeName ?? '' },
    { name: 'Attached', type: 'boolean', priority: 0, description: 'Whether the volume is attached.', cell: (o) => o.status?.attached ?? false },
    ageColumn,
  ],
};
