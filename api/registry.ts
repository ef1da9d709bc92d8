import type { Kind } from './kind.js';
import { configMap } from './kinds/config-map.js';
import { deployment } from './kinds/deployment.js';
import { endpoints } from './kinds/endpoints.js';
import { event } from './kinds/event.js';
import { lease } from './kinds/lease.js';
import { namespace } from './kinds/namespace.js';
import { node } from './kinds/node.js';
import { persistentVolume } from './kinds/persistent-volume.js';
import { persistentVolumeClaim } from './kinds/persistent-volume-claim.js';
import { pod } from './kinds/pod.js';
import { replicaSet } from './kinds/replica-set.js';
import { secret } from './kinds/secret.js';
import { service } from './kinds/service.js';
import { storageClass } from './kinds/storage-class.js';
import { volumeAttachment } from './kinds/volume-attachment.js';

/** Every kind the API server serves. */
export const kinds: Kind[] = [
  namespace, node, pod, service, endpoints, event, configMap, secret,
  persistentVolume, persistentVolumeClaim, deployment, replicaSet, lease, storageClass, volumeAttachment,
];

const byResource = new Map(kinds.map((k) => [`${k.group}/${k.version}/${k.plural}`, k]));

export function kindFor(group: string, version: string, plural: string): Kind | undefined {
  return byResource.get(`${group}/${version}/${plural}`);
}
