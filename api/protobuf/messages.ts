// All protobuf message tables, plus the map from a runtime.Unknown envelope's
// apiVersion/kind to the message that its `raw` bytes hold.
import type { MessageTable } from './field-table.js';
import { metaMessages } from './messages-meta.js';
import { coreMessages } from './messages-core.js';
import { appsMessages } from './messages-apps.js';
import { otherMessages } from './messages-other.js';
import { authzMessages } from './messages-authz.js';
import { certificatesMessages } from './messages-certificates.js';
import { discoveryMessages } from './messages-discovery.js';
import { schedulingMessages } from './messages-scheduling.js';
import { batchMessages } from './messages-batch.js';
import { networkingMessages } from './messages-networking.js';

export const messages: Record<string, MessageTable> = {
  ...metaMessages,
  ...coreMessages,
  ...appsMessages,
  ...otherMessages,
  ...authzMessages,
  ...certificatesMessages,
  ...discoveryMessages,
  ...schedulingMessages,
  ...batchMessages,
  ...networkingMessages,
};

/** Kinds registered per group version (from each API group's register.go), with their message prefix. */
const registered: Array<{ apiVersion: string; prefix: string; kinds: string[] }> = [
  {
    apiVersion: 'v1',
    prefix: 'core',
    kinds: [
      'Pod', 'PodList', 'PodTemplate', 'PodTemplateList', 'ReplicationController', 'ReplicationControllerList',
      'Service', 'ServiceProxyOptions', 'ServiceList', 'Endpoints', 'EndpointsList', 'Node', 'NodeList',
      'NodeProxyOptions', 'Binding', 'Event', 'EventList', 'List', 'LimitRange', 'LimitRangeList',
      'ResourceQuota', 'ResourceQuotaList', 'Namespace', 'NamespaceList', 'Secret', 'SecretList',
      'ServiceAccount', 'ServiceAccountList', 'PersistentVolume', 'PersistentVolumeList',
      'PersistentVolumeClaim', 'PersistentVolumeClaimList', 'PodAttachOptions', 'PodLogOptions',
      'PodExecOptions', 'PodPortForwardOptions', 'PodProxyOptions', 'ComponentStatus', 'ComponentStatusList',
      'SerializedReference', 'RangeAllocation', 'ConfigMap', 'ConfigMapList',
    ],
  },
  {
    apiVersion: 'apps/v1',
    prefix: 'apps',
    kinds: [
      'Deployment', 'DeploymentList', 'StatefulSet', 'StatefulSetList', 'DaemonSet', 'DaemonSetList',
      'ReplicaSet', 'ReplicaSetList', 'ControllerRevision', 'ControllerRevisionList',
    ],
  },
  { apiVersion: 'coordination.k8s.io/v1', prefix: 'coordination', kinds: ['Lease', 'LeaseList'] },
  {
    apiVersion: 'storage.k8s.io/v1',
    prefix: 'storage',
    kinds: [
      'StorageClass', 'StorageClassList', 'VolumeAttachment', 'VolumeAttachmentList', 'CSINode', 'CSINodeList',
      'CSIDriver', 'CSIDriverList', 'CSIStorageCapacity', 'CSIStorageCapacityList', 'VolumeAttributesClass',
      'VolumeAttributesClassList',
    ],
  },
  {
    apiVersion: 'autoscaling/v1',
    prefix: 'autoscaling',
    kinds: ['HorizontalPodAutoscaler', 'HorizontalPodAutoscalerList', 'Scale'],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    prefix: 'rbac',
    kinds: [
      'Role', 'RoleBinding', 'RoleBindingList', 'RoleList', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBindingList',
      'ClusterRoleList',
    ],
  },
  {
    apiVersion: 'authorization.k8s.io/v1',
    prefix: 'authorization',
    kinds: ['SelfSubjectRulesReview', 'SelfSubjectAccessReview', 'SubjectAccessReview', 'LocalSubjectAccessReview'],
  },
  {
    apiVersion: 'certificates.k8s.io/v1',
    prefix: 'certificates',
    kinds: ['CertificateSigningRequest', 'CertificateSigningRequestList'],
  },
  { apiVersion: 'authentication.k8s.io/v1', prefix: 'authentication', kinds: ['TokenRequest', 'SelfSubjectReview'] },
  { apiVersion: 'discovery.k8s.io/v1', prefix: 'discovery', kinds: ['EndpointSlice', 'EndpointSliceList'] },
  { apiVersion: 'scheduling.k8s.io/v1', prefix: 'scheduling', kinds: ['PriorityClass', 'PriorityClassList'] },
  { apiVersion: 'batch/v1', prefix: 'batch', kinds: ['Job', 'JobList', 'CronJob', 'CronJobList'] },
  { apiVersion: 'networking.k8s.io/v1', prefix: 'networking', kinds: ['Ingress', 'IngressList', 'IngressClass', 'IngressClassList'] },
  // Unversioned meta types, registered under the legacy "v1" group version.
  { apiVersion: 'v1', prefix: 'meta', kinds: ['Status', 'APIVersions', 'APIGroupList', 'APIGroup'] },
  {
    apiVersion: 'meta.k8s.io/v1',
    prefix: 'meta',
    kinds: ['TableOptions', 'PartialObjectMetadata', 'PartialObjectMetadataList'],
  },
];

/**
 * metav1.AddToGroupVersion registers the option kinds and WatchEvent in every
 * API group version, so a typed client encodes e.g. DeleteOptions as
 * `apps/v1` + `DeleteOptions` when it talks to the apps group.
 */
const optionKinds = ['ListOptions', 'GetOptions', 'DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions'];
const groupVersions = [
  'v1', 'apps/v1', 'coordination.k8s.io/v1', 'storage.k8s.io/v1', 'autoscaling/v1', 'rbac.authorization.k8s.io/v1',
  'authorization.k8s.io/v1', 'discovery.k8s.io/v1', 'scheduling.k8s.io/v1', 'batch/v1', 'networking.k8s.io/v1',
];

function buildTopLevel(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { apiVersion, prefix, kinds } of registered) {
    for (const kind of kinds) out[`${apiVersion}/${kind}`] = `${prefix}.${kind}`;
  }
  for (const gv of groupVersions) {
    for (const kind of [...optionKinds, 'WatchEvent']) out[`${gv}/${kind}`] = `meta.${kind}`;
  }
  // meta.k8s.io/v1 holds the option kinds as unversioned types.
  for (const kind of optionKinds) out[`meta.k8s.io/v1/${kind}`] = `meta.${kind}`;
  return out;
}

/** `apiVersion/kind` (e.g. 'v1/Namespace', 'apps/v1/Deployment') -> message name in `messages`. */
export const topLevel: Record<string, string> = buildTopLevel();
