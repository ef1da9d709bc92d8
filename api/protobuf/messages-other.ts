// Protobuf field-number tables for k8s.io/api coordination/v1, storage/v1 and autoscaling/v1 (48 messages).
// Facts transcribed from the upstream generated.proto definitions (see field-table.ts for provenance).
import type { MessageTable } from './field-table.js';

export const otherMessages: Record<string, MessageTable> = {
  'coordination.Lease': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'coordination.LeaseSpec' } },
  },
  'coordination.LeaseList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'coordination.Lease' }, repeated: true },
  },
  'coordination.LeaseSpec': {
    1: { name: 'holderIdentity', type: 'string', pointer: true },
    2: { name: 'leaseDurationSeconds', type: 'int32', pointer: true },
    3: { name: 'acquireTime', type: { message: 'meta.MicroTime' } },
    4: { name: 'renewTime', type: { message: 'meta.MicroTime' } },
    5: { name: 'leaseTransitions', type: 'int32', pointer: true },
    6: { name: 'strategy', type: 'string', pointer: true },
    7: { name: 'preferredHolder', type: 'string', pointer: true },
  },
  'storage.CSIDriver': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'storage.CSIDriverSpec' } },
  },
  'storage.CSIDriverList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'storage.CSIDriver' }, repeated: true },
  },
  'storage.CSIDriverSpec': {
    1: { name: 'attachRequired', type: 'bool', pointer: true },
    2: { name: 'podInfoOnMount', type: 'bool', pointer: true },
    3: { name: 'volumeLifecycleModes', type: 'string', repeated: true },
    4: { name: 'storageCapacity', type: 'bool', pointer: true },
    5: { name: 'fsGroupPolicy', type: 'string', pointer: true },
    6: { name: 'tokenRequests', type: { message: 'storage.TokenRequest' }, repeated: true },
    7: { name: 'requiresRepublish', type: 'bool', pointer: true },
    8: { name: 'seLinuxMount', type: 'bool', pointer: true },
    9: { name: 'nodeAllocatableUpdatePeriodSeconds', type: 'int64', pointer: true },
    10: { name: 'serviceAccountTokenInSecrets', type: 'bool', pointer: true },
    11: { name: 'preventPodSchedulingIfMissing', type: 'bool', pointer: true },
  },
  'storage.CSINode': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'storage.CSINodeSpec' } },
    3: { name: 'status', type: { message: 'storage.CSINodeStatus' } },
  },
  'storage.CSINodeDriver': {
    1: { name: 'name', type: 'string', always: true },
    2: { name: 'nodeID', type: 'string', always: true },
    3: { name: 'topologyKeys', type: 'string', repeated: true },
    4: { name: 'allocatable', type: { message: 'storage.VolumeNodeResources' } },
  },
  'storage.CSINodeList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'storage.CSINode' }, repeated: true },
  },
  'storage.CSINodeSpec': {
    1: { name: 'drivers', type: { message: 'storage.CSINodeDriver' }, repeated: true },
  },
  'storage.CSINodeStatus': {
    1: { name: 'storageHealth', type: { message: 'storage.StorageHealth' }, repeated: true },
  },
  'storage.CSIStorageCapacity': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'nodeTopology', type: { message: 'meta.LabelSelector' } },
    3: { name: 'storageClassName', type: 'string', always: true },
    4: { name: 'capacity', type: { message: 'resource.Quantity' } },
    5: { name: 'maximumVolumeSize', type: { message: 'resource.Quantity' } },
  },
  'storage.CSIStorageCapacityList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'storage.CSIStorageCapacity' }, repeated: true },
  },
  'storage.StorageClass': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'provisioner', type: 'string', always: true },
    3: { name: 'parameters', type: { map: ['string', 'string'] } },
    4: { name: 'reclaimPolicy', type: 'string', pointer: true },
    5: { name: 'mountOptions', type: 'string', repeated: true },
    6: { name: 'allowVolumeExpansion', type: 'bool', pointer: true },
    7: { name: 'volumeBindingMode', type: 'string', pointer: true },
    8: { name: 'allowedTopologies', type: { message: 'core.TopologySelectorTerm' }, repeated: true },
  },
  'storage.StorageClassList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'storage.StorageClass' }, repeated: true },
  },
  'storage.StorageHealth': {
    1: { name: 'name', type: 'string', always: true },
    2: { name: 'healthConditions', type: { message: 'storage.StorageHealthCondition' }, repeated: true },
  },
  'storage.StorageHealthCondition': {
    1: { name: 'status', type: 'string', always: true },
    2: { name: 'reason', type: 'string', always: true },
    3: { name: 'message', type: 'string' },
    4: { name: 'accessMode', type: 'string', pointer: true },
    5: { name: 'volumeMode', type: 'string', pointer: true },
    6: { name: 'lastTransitionTime', type: { message: 'meta.Time' } },
  },
  'storage.TokenRequest': {
    1: { name: 'audience', type: 'string', always: true },
    2: { name: 'expirationSeconds', type: 'int64', pointer: true },
  },
  'storage.VolumeAttachment': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'storage.VolumeAttachmentSpec' } },
    3: { name: 'status', type: { message: 'storage.VolumeAttachmentStatus' } },
  },
  'storage.VolumeAttachmentList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'storage.VolumeAttachment' }, repeated: true },
  },
  'storage.VolumeAttachmentSource': {
    1: { name: 'persistentVolumeName', type: 'string', pointer: true },
    2: { name: 'inlineVolumeSpec', type: { message: 'core.PersistentVolumeSpec' } },
  },
  'storage.VolumeAttachmentSpec': {
    1: { name: 'attacher', type: 'string', always: true },
    2: { name: 'source', type: { message: 'storage.VolumeAttachmentSource' } },
    3: { name: 'nodeName', type: 'string', always: true },
  },
  'storage.VolumeAttachmentStatus': {
    1: { name: 'attached', type: 'bool', always: true },
    2: { name: 'attachmentMetadata', type: { map: ['string', 'string'] } },
    3: { name: 'attachError', type: { message: 'storage.VolumeError' } },
    4: { name: 'detachError', type: { message: 'storage.VolumeError' } },
  },
  'storage.VolumeAttributesClass': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'driverName', type: 'string', always: true },
    3: { name: 'parameters', type: { map: ['string', 'string'] } },
  },
  'storage.VolumeAttributesClassList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'storage.VolumeAttributesClass' }, repeated: true },
  },
  'storage.VolumeError': {
    1: { name: 'time', type: { message: 'meta.Time' } },
    2: { name: 'message', type: 'string' },
    3: { name: 'errorCode', type: 'int32', pointer: true },
  },
  'storage.VolumeNodeResources': {
    1: { name: 'count', type: 'int32', pointer: true },
  },
  'autoscaling.ContainerResourceMetricSource': {
    1: { name: 'name', type: 'string', always: true },
    2: { name: 'targetAverageUtilization', type: 'int32', pointer: true },
    3: { name: 'targetAverageValue', type: { message: 'resource.Quantity' } },
    5: { name: 'container', type: 'string', always: true },
  },
  'autoscaling.ContainerResourceMetricStatus': {
    1: { name: 'name', type: 'string', always: true },
    2: { name: 'currentAverageUtilization', type: 'int32', pointer: true },
    3: { name: 'currentAverageValue', type: { message: 'resource.Quantity' } },
    4: { name: 'container', type: 'string', always: true },
  },
  'autoscaling.CrossVersionObjectReference': {
    1: { name: 'kind', type: 'string', always: true },
    2: { name: 'name', type: 'string', always: true },
    3: { name: 'apiVersion', type: 'string' },
  },
  'autoscaling.ExternalMetricSource': {
    1: { name: 'metricName', type: 'string', always: true },
    2: { name: 'metricSelector', type: { message: 'meta.LabelSelector' } },
    3: { name: 'targetValue', type: { message: 'resource.Quantity' } },
    4: { name: 'targetAverageValue', type: { message: 'resource.Quantity' } },
  },
  'autoscaling.ExternalMetricStatus': {
    1: { name: 'metricName', type: 'string', always: true },
    2: { name: 'metricSelector', type: { message: 'meta.LabelSelector' } },
    3: { name: 'currentValue', type: { message: 'resource.Quantity' } },
    4: { name: 'currentAverageValue', type: { message: 'resource.Quantity' } },
  },
  'autoscaling.HorizontalPodAutoscaler': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'autoscaling.HorizontalPodAutoscalerSpec' } },
    3: { name: 'status', type: { message: 'autoscaling.HorizontalPodAutoscalerStatus' } },
  },
  'autoscaling.HorizontalPodAutoscalerCondition': {
    1: { name: 'type', type: 'string', always: true },
    2: { name: 'status', type: 'string', always: true },
    3: { name: 'lastTransitionTime', type: { message: 'meta.Time' } },
    4: { name: 'reason', type: 'string' },
    5: { name: 'message', type: 'string' },
    6: { name: 'observedGeneration', type: 'int64', pointer: true },
  },
  'autoscaling.HorizontalPodAutoscalerList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'autoscaling.HorizontalPodAutoscaler' }, repeated: true },
  },
  'autoscaling.HorizontalPodAutoscalerSpec': {
    1: { name: 'scaleTargetRef', type: { message: 'autoscaling.CrossVersionObjectReference' } },
    2: { name: 'minReplicas', type: 'int32', pointer: true },
    3: { name: 'maxReplicas', type: 'int32', always: true },
    4: { name: 'targetCPUUtilizationPercentage', type: 'int32', pointer: true },
  },
  'autoscaling.HorizontalPodAutoscalerStatus': {
    1: { name: 'observedGeneration', type: 'int64', pointer: true },
    2: { name: 'lastScaleTime', type: { message: 'meta.Time' } },
    3: { name: 'currentReplicas', type: 'int32', always: true },
    4: { name: 'desiredReplicas', type: 'int32', always: true },
    5: { name: 'currentCPUUtilizationPercentage', type: 'int32', pointer: true },
  },
  'autoscaling.MetricSpec': {
    1: { name: 'type', type: 'string', always: true },
    2: { name: 'object', type: { message: 'autoscaling.ObjectMetricSource' } },
    3: { name: 'pods', type: { message: 'autoscaling.PodsMetricSource' } },
    4: { name: 'resource', type: { message: 'autoscaling.ResourceMetricSource' } },
    5: { name: 'external', type: { message: 'autoscaling.ExternalMetricSource' } },
    7: { name: 'containerResource', type: { message: 'autoscaling.ContainerResourceMetricSource' } },
  },
  'autoscaling.MetricStatus': {
    1: { name: 'type', type: 'string', always: true },
    2: { name: 'object', type: { message: 'autoscaling.ObjectMetricStatus' } },
    3: { name: 'pods', type: { message: 'autoscaling.PodsMetricStatus' } },
    4: { name: 'resource', type: { message: 'autoscaling.ResourceMetricStatus' } },
    5: { name: 'external', type: { message: 'autoscaling.ExternalMetricStatus' } },
    7: { name: 'containerResource', type: { message: 'autoscaling.ContainerResourceMetricStatus' } },
  },
  'autoscaling.ObjectMetricSource': {
    1: { name: 'target', type: { message: 'autoscaling.CrossVersionObjectReference' } },
    2: { name: 'metricName', type: 'string', always: true },
    3: { name: 'targetValue', type: { message: 'resource.Quantity' } },
    4: { name: 'selector', type: { message: 'meta.LabelSelector' } },
    5: { name: 'averageValue', type: { message: 'resource.Quantity' } },
  },
  'autoscaling.ObjectMetricStatus': {
    1: { name: 'target', type: { message: 'autoscaling.CrossVersionObjectReference' } },
    2: { name: 'metricName', type: 'string', always: true },
    3: { name: 'currentValue', type: { message: 'resource.Quantity' } },
    4: { name: 'selector', type: { message: 'meta.LabelSelector' } },
    5: { name: 'averageValue', type: { message: 'resource.Quantity' } },
  },
  'autoscaling.PodsMetricSource': {
    1: { name: 'metricName', type: 'string', always: true },
    2: { name: 'targetAverageValue', type: { message: 'resource.Quantity' } },
    3: { name: 'selector', type: { message: 'meta.LabelSelector' } },
  },
  'autoscaling.PodsMetricStatus': {
    1: { name: 'metricName', type: 'string', always: true },
    2: { name: 'currentAverageValue', type: { message: 'resource.Quantity' } },
    3: { name: 'selector', type: { message: 'meta.LabelSelector' } },
  },
  'autoscaling.ResourceMetricSource': {
    1: { name: 'name', type: 'string', always: true },
    2: { name: 'targetAverageUtilization', type: 'int32', pointer: true },
    3: { name: 'targetAverageValue', type: { message: 'resource.Quantity' } },
  },
  'autoscaling.ResourceMetricStatus': {
    1: { name: 'name', type: 'string', always: true },
    2: { name: 'currentAverageUtilization', type: 'int32', pointer: true },
    3: { name: 'currentAverageValue', type: { message: 'resource.Quantity' } },
  },
  'autoscaling.Scale': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
    2: { name: 'spec', type: { message: 'autoscaling.ScaleSpec' } },
    3: { name: 'status', type: { message: 'autoscaling.ScaleStatus' } },
  },
  'autoscaling.ScaleSpec': {
    1: { name: 'replicas', type: 'int32' },
  },
  'autoscaling.ScaleStatus': {
    1: { name: 'replicas', type: 'int32', always: true },
    2: { name: 'selector', type: 'string' },
  },
};
