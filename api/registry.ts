import type { Kind } from './kind.js';
import { certificateSigningRequest } from './kinds/certificate-signing-request.js';
import { clusterRole } from './kinds/cluster-role.js';
import { clusterRoleBinding } from './kinds/cluster-role-binding.js';
import { configMap } from './kinds/config-map.js';
import { controllerRevision } from './kinds/controller-revision.js';
import { daemonSet } from './kinds/daemon-set.js';
import { deployment } from './kinds/deployment.js';
import { endpoints } from './kinds/endpoints.js';
import { endpointSlice } from './kinds/endpoint-slice.js';
import { event } from './kinds/event.js';
import { ingress } from './kinds/ingress.js';
import { ingressClass } from './kinds/ingress-class.js';
import { lease } from './kinds/lease.js';
import { namespace } from './kinds/namespace.js';
import { node } from './kinds/node.js';
import { persistentVolume } from './kinds/persistent-volume.js';
import { persistentVolumeClaim } from './kinds/persistent-volume-claim.js';
import { pod } from './kinds/pod.js';
import { priorityClass } from './kinds/priority-class.js';
import { replicaSet } from './kinds/replica-set.js';
import { replicationController } from './kinds/replication-controller.js';
import { role } from './kinds/role.js';
import { roleBinding } from './kinds/role-binding.js';
import { secret } from './kinds/secret.js';
import { selfSubjectAccessReview } from './kinds/self-subject-access-review.js';
import { selfSubjectRulesReview } from './kinds/self-subject-rules-review.js';
import { selfSubjectReview } from './kinds/self-subject-review.js';
import { service } from './kinds/service.js';
import { serviceAccount } from './kinds/service-account.js';
import { statefulSet } from './kinds/stateful-set.js';
import { storageClass } from './kinds/storage-class.js';
import { subjectAccessReview } from './kinds/subject-access-review.js';
import { volumeAttachment } from './kinds/volume-attachment.js';
import { job } from './kinds/job.js';
import { cronJob } from './kinds/cron-job.js';

/** Every kind the API server serves. */
export const kinds: Kind[] = [
  namespace, node, pod, service, endpoints, endpointSlice, event, configMap, secret, serviceAccount,
  persistentVolume, persistentVolumeClaim, deployment, replicaSet, lease, storageClass, volumeAttachment,
  role, clusterRole, roleBinding, clusterRoleBinding, selfSubjectAccessReview, selfSubjectRulesReview, selfSubjectReview, subjectAccessReview, certificateSigningRequest,
  priorityClass, replicationController, ingress, ingressClass,
  daemonSet, controllerRevision, statefulSet,
  job, cronJob,
];

const byResource = new Map(kinds.map((k) => [`${k.group}/${k.version}/${k.plural}`, k]));

export function kindFor(group: string, version: string, plural: string): Kind | undefined {
  return byResource.get(`${group}/${version}/${plural}`);
}
