import { TAG_CREATED_FOR_PV_NAME, TAG_CREATED_FOR_PVC_NAME, TAG_CREATED_FOR_PVC_NAMESPACE, type Tags } from '../../aws/tags.js';
import { TAG_CSI_VOLUME_NAME, type VolumeRequest } from '../../aws/volumes.js';

/** What a StorageClass's parameters ask of one volume, and the fsType its PV gets. */
export interface ProvisionParameters {
  fsType: string;
  request: Pick<VolumeRequest, 'type' | 'iops' | 'iopsPerGB' | 'allowIopsIncrease' | 'throughput' | 'encrypted' | 'kmsKeyId'> & { tags: Tags };
}

export interface ProvisionNames {
  pvcName: string;
  pvcNamespace: string;
  pvName: string;
}

/** A parameter the class got wrong: provisioning fails with it as the EBS CSI driver's InvalidArgument would. */
export class InvalidParameterError extends Error {}

/** Parameters of the EBS CSI driver that Skiff does not implement: named, so a class using one fails loudly. */
const NOT_IMPLEMENTED = new Set([
  'allowautoiopsincreaseonmodify', 'volumeinitializationrate', 'blocksize', 'inodesize', 'bytesperinode', 'numberofinodes',
  'ext4bigalloc', 'ext4clustersize', 'ext4encryptionsupport', 'outpostarn', 'blockattachuntilinitialized',
  'fastsnapshotrestoreavailabilityzones', 'lockmode', 'lockduration', 'lockexpirationdate', 'lockcooloffperiod',
]);

/** external-provisioner's own keys: they never reach the driver. */
const PROVISIONER_PREFIX = 'csi.storage.k8s.io/';
const FSTYPE_KEY = 'csi.storage.k8s.io/fstype';
/** `tagSpecification_N: key=value` (the prefix is matched as written, the other keys in any case, as the driver does). */
const TAG_PREFIX = 'tagSpecification';

function int(key: string, value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidParameterError(`Could not parse invalid ${key}: ${JSON.stringify(value)}`);
  return Number(value);
}

/** The tag values' templates the driver offers: {{ .PVCName }}, {{ .PVCNamespace }}, {{ .PVName }}. */
function interpolate(value: string, names: ProvisionNames): string {
  return value.replace(/\{\{\s*(.*?)\s*\}\}/g, (_all, expr: string) => {
    switch (expr) {
      case '.PVCName': return names.pvcName;
      case '.PVCNamespace': return names.pvcNamespace;
      case '.PVName': return names.pvName;
      default: throw new InvalidParameterError(`Error interpolating tag value: template {{ ${expr} }} is not supported`);
    }
  });
}

function extraTag(spec: string, names: ProvisionNames): [string, string] {
  const at = spec.indexOf('=');
  if (at < 0) throw new InvalidParameterError(`the key-value pair doesn't contain a value (string: ${spec})`);
  const key = spec.slice(0, at);
  if (key === TAG_CSI_VOLUME_NAME || key === 'ebs.csi.aws.com/cluster-name') throw new InvalidParameterError(`Invalid tag value: tag key '${key}' is reserved`);
  if (key.startsWith('kubernetes.io')) throw new InvalidParameterError("Invalid tag value: tag key prefix 'kubernetes.io' is reserved");
  if (key.startsWith('ebs.csi.aws.com/')) throw new InvalidParameterError("Invalid tag value: tag key prefix 'ebs.csi.aws.com/' is reserved");
  return [key, interpolate(spec.slice(at + 1), names)];
}

/**
 * Reads a StorageClass's parameters as the EBS CSI driver's CreateVolume
 * does (with external-provisioner's csi.storage.k8s.io/ keys taken out
 * first), and the created-for tags external-provisioner's
 * --extra-create-metadata passes along.
 */
export function provisionParameters(parameters: Record<string, string> | undefined, names: ProvisionNames): ProvisionParameters {
  const request: ProvisionParameters['request'] = {
    tags: {
      [TAG_CREATED_FOR_PVC_NAME]: names.pvcName,
      [TAG_CREATED_FOR_PVC_NAMESPACE]: names.pvcNamespace,
      [TAG_CREATED_FOR_PV_NAME]: names.pvName,
    },
  };
  let fsType = 'ext4';
  const extra: Tags = {};
  for (const [key, value] of Object.entries(parameters ?? {})) {
    const lower = key.toLowerCase();
    if (lower === FSTYPE_KEY) {
      fsType = value;
      continue;
    }
    if (lower.startsWith(PROVISIONER_PREFIX)) continue;
    if (key.startsWith(TAG_PREFIX)) {
      const [k, v] = extraTag(value, names);
      extra[k] = v;
      continue;
    }
    switch (lower) {
      case 'type': request.type = value; break;
      case 'iops': request.iops = int('iops', value); break;
      case 'iopspergb': request.iopsPerGB = int('iopsPerGB', value); break;
      case 'allowautoiopspergbincrease': request.allowIopsIncrease = value.toLowerCase() === 'true'; break;
      case 'throughput': request.throughput = int('throughput', value); break;
      case 'encrypted': request.encrypted = value.toLowerCase() === 'true'; break;
      case 'kmskeyid': request.kmsKeyId = value; break;
      // Deprecated in the driver in favour of csi.storage.k8s.io/fstype, and ignored there.
      case 'fstype': break;
      default:
        if (NOT_IMPLEMENTED.has(lower)) throw new InvalidParameterError(`parameter ${key} of the EBS CSI driver is not implemented by Skiff`);
        throw new InvalidParameterError(`Invalid parameter key ${key} for CreateVolume`);
    }
  }
  if (request.iops && request.iopsPerGB) throw new InvalidParameterError('invalid StorageClass parameters; specify either IOPS or IOPSPerGb, not both');
  request.tags = { ...request.tags, ...extra };
  return { fsType, request };
}
