// Protobuf field-number tables for k8s.io/apimachinery pkg/apis/meta/v1 and pkg/runtime (40 messages).
// Facts transcribed from the upstream generated.proto definitions (see field-table.ts for provenance).
import type { MessageTable } from './field-table.js';

export const metaMessages: Record<string, MessageTable> = {
  'meta.APIGroup': {
    1: { name: 'name', type: 'string', always: true },
    2: { name: 'versions', type: { message: 'meta.GroupVersionForDiscovery' }, repeated: true },
    3: { name: 'preferredVersion', type: { message: 'meta.GroupVersionForDiscovery' } },
    4: { name: 'serverAddressByClientCIDRs', type: { message: 'meta.ServerAddressByClientCIDR' }, repeated: true },
  },
  'meta.APIGroupList': {
    1: { name: 'groups', type: { message: 'meta.APIGroup' }, repeated: true },
  },
  'meta.APIVersions': {
    1: { name: 'versions', type: 'string', repeated: true },
    2: { name: 'serverAddressByClientCIDRs', type: { message: 'meta.ServerAddressByClientCIDR' }, repeated: true },
  },
  'meta.ApplyOptions': {
    1: { name: 'dryRun', type: 'string', repeated: true },
    2: { name: 'force', type: 'bool', always: true },
    3: { name: 'fieldManager', type: 'string', always: true },
  },
  'meta.Condition': {
    1: { name: 'type', type: 'string', always: true },
    2: { name: 'status', type: 'string', always: true },
    3: { name: 'observedGeneration', type: 'int64' },
    4: { name: 'lastTransitionTime', type: { message: 'meta.Time' } },
    5: { name: 'reason', type: 'string', always: true },
    6: { name: 'message', type: 'string', always: true },
  },
  'meta.CreateOptions': {
    1: { name: 'dryRun', type: 'string', repeated: true },
    3: { name: 'fieldManager', type: 'string' },
    4: { name: 'fieldValidation', type: 'string' },
  },
  'meta.DeleteOptions': {
    1: { name: 'gracePeriodSeconds', type: 'int64', pointer: true },
    2: { name: 'preconditions', type: { message: 'meta.Preconditions' } },
    3: { name: 'orphanDependents', type: 'bool', pointer: true },
    4: { name: 'propagationPolicy', type: 'string', pointer: true },
    5: { name: 'dryRun', type: 'string', repeated: true },
    6: { name: 'ignoreStoreReadErrorWithClusterBreakingPotential', type: 'bool', pointer: true },
  },
  'meta.FieldSelectorRequirement': {
    1: { name: 'key', type: 'string', always: true },
    2: { name: 'operator', type: 'string', always: true },
    3: { name: 'values', type: 'string', repeated: true },
  },
  'meta.GetOptions': {
    1: { name: 'resourceVersion', type: 'string' },
  },
  'meta.GroupKind': {
    1: { name: 'group', type: 'string', always: true },
    2: { name: 'kind', type: 'string', always: true },
  },
  'meta.GroupResource': {
    1: { name: 'group', type: 'string', always: true },
    2: { name: 'resource', type: 'string', always: true },
  },
  'meta.GroupVersion': {
    1: { name: 'group', type: 'string', always: true },
    2: { name: 'version', type: 'string', always: true },
  },
  'meta.GroupVersionForDiscovery': {
    1: { name: 'groupVersion', type: 'string', always: true },
    2: { name: 'version', type: 'string', always: true },
  },
  'meta.GroupVersionKind': {
    1: { name: 'group', type: 'string', always: true },
    2: { name: 'version', type: 'string', always: true },
    3: { name: 'kind', type: 'string', always: true },
  },
  'meta.GroupVersionResource': {
    1: { name: 'group', type: 'string', always: true },
    2: { name: 'version', type: 'string', always: true },
    3: { name: 'resource', type: 'string', always: true },
  },
  'meta.LabelSelector': {
    1: { name: 'matchLabels', type: { map: ['string', 'string'] } },
    2: { name: 'matchExpressions', type: { message: 'meta.LabelSelectorRequirement' }, repeated: true },
  },
  'meta.LabelSelectorRequirement': {
    1: { name: 'key', type: 'string', always: true },
    2: { name: 'operator', type: 'string', always: true },
    3: { name: 'values', type: 'string', repeated: true },
  },
  'meta.List': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'runtime.RawExtension' }, repeated: true },
  },
  'meta.ListMeta': {
    1: { name: 'selfLink', type: 'string' },
    2: { name: 'resourceVersion', type: 'string' },
    3: { name: 'continue', type: 'string' },
    4: { name: 'remainingItemCount', type: 'int64', pointer: true },
    5: { name: 'shardInfo', type: { message: 'meta.ShardInfo' } },
  },
  'meta.ListOptions': {
    1: { name: 'labelSelector', type: 'string' },
    2: { name: 'fieldSelector', type: 'string' },
    3: { name: 'watch', type: 'bool' },
    4: { name: 'resourceVersion', type: 'string' },
    5: { name: 'timeoutSeconds', type: 'int64', pointer: true },
    7: { name: 'limit', type: 'int64' },
    8: { name: 'continue', type: 'string' },
    9: { name: 'allowWatchBookmarks', type: 'bool' },
    10: { name: 'resourceVersionMatch', type: 'string' },
    11: { name: 'sendInitialEvents', type: 'bool', pointer: true },
    15: { name: 'shardSelector', type: 'string' },
  },
  'meta.ManagedFieldsEntry': {
    1: { name: 'manager', type: 'string' },
    2: { name: 'operation', type: 'string' },
    3: { name: 'apiVersion', type: 'string' },
    4: { name: 'time', type: { message: 'meta.Time' } },
    6: { name: 'fieldsType', type: 'string' },
    7: { name: 'fieldsV1', type: { message: 'meta.FieldsV1' } },
    8: { name: 'subresource', type: 'string' },
  },
  'meta.ObjectMeta': {
    1: { name: 'name', type: 'string' },
    2: { name: 'generateName', type: 'string' },
    3: { name: 'namespace', type: 'string' },
    4: { name: 'selfLink', type: 'string' },
    5: { name: 'uid', type: 'string' },
    6: { name: 'resourceVersion', type: 'string' },
    7: { name: 'generation', type: 'int64' },
    8: { name: 'creationTimestamp', type: { message: 'meta.Time' } },
    9: { name: 'deletionTimestamp', type: { message: 'meta.Time' } },
    10: { name: 'deletionGracePeriodSeconds', type: 'int64', pointer: true },
    11: { name: 'labels', type: { map: ['string', 'string'] } },
    12: { name: 'annotations', type: { map: ['string', 'string'] } },
    13: { name: 'ownerReferences', type: { message: 'meta.OwnerReference' }, repeated: true },
    14: { name: 'finalizers', type: 'string', repeated: true },
    17: { name: 'managedFields', type: { message: 'meta.ManagedFieldsEntry' }, repeated: true },
  },
  'meta.OwnerReference': {
    1: { name: 'kind', type: 'string', always: true },
    3: { name: 'name', type: 'string', always: true },
    4: { name: 'uid', type: 'string', always: true },
    5: { name: 'apiVersion', type: 'string', always: true },
    6: { name: 'controller', type: 'bool', pointer: true },
    7: { name: 'blockOwnerDeletion', type: 'bool', pointer: true },
  },
  'meta.PartialObjectMetadata': {
    1: { name: 'metadata', type: { message: 'meta.ObjectMeta' } },
  },
  'meta.PartialObjectMetadataList': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'items', type: { message: 'meta.PartialObjectMetadata' }, repeated: true },
  },
  'meta.Patch': {
  },
  'meta.PatchOptions': {
    1: { name: 'dryRun', type: 'string', repeated: true },
    2: { name: 'force', type: 'bool', pointer: true },
    3: { name: 'fieldManager', type: 'string' },
    4: { name: 'fieldValidation', type: 'string' },
  },
  'meta.Preconditions': {
    1: { name: 'uid', type: 'string', pointer: true },
    2: { name: 'resourceVersion', type: 'string', pointer: true },
  },
  'meta.RootPaths': {
    1: { name: 'paths', type: 'string', repeated: true },
  },
  'meta.ServerAddressByClientCIDR': {
    1: { name: 'clientCIDR', type: 'string', always: true },
    2: { name: 'serverAddress', type: 'string', always: true },
  },
  'meta.ShardInfo': {
    1: { name: 'selector', type: 'string', always: true },
  },
  'meta.Status': {
    1: { name: 'metadata', type: { message: 'meta.ListMeta' } },
    2: { name: 'status', type: 'string' },
    3: { name: 'message', type: 'string' },
    4: { name: 'reason', type: 'string' },
    5: { name: 'details', type: { message: 'meta.StatusDetails' } },
    6: { name: 'code', type: 'int32' },
  },
  'meta.StatusCause': {
    1: { name: 'reason', type: 'string' },
    2: { name: 'message', type: 'string' },
    3: { name: 'field', type: 'string' },
  },
  'meta.StatusDetails': {
    1: { name: 'name', type: 'string' },
    2: { name: 'group', type: 'string' },
    3: { name: 'kind', type: 'string' },
    4: { name: 'causes', type: { message: 'meta.StatusCause' }, repeated: true },
    5: { name: 'retryAfterSeconds', type: 'int32' },
    6: { name: 'uid', type: 'string' },
  },
  'meta.TableOptions': {
    1: { name: 'includeObject', type: 'string' },
  },
  'meta.TypeMeta': {
    1: { name: 'kind', type: 'string' },
    2: { name: 'apiVersion', type: 'string' },
  },
  'meta.UpdateOptions': {
    1: { name: 'dryRun', type: 'string', repeated: true },
    2: { name: 'fieldManager', type: 'string' },
    3: { name: 'fieldValidation', type: 'string' },
  },
  'meta.WatchEvent': {
    1: { name: 'type', type: 'string', always: true },
    2: { name: 'object', type: { message: 'runtime.RawExtension' } },
  },
  'runtime.TypeMeta': {
    1: { name: 'apiVersion', type: 'string' },
    2: { name: 'kind', type: 'string' },
  },
  'runtime.Unknown': {
    1: { name: 'typeMeta', type: { message: 'runtime.TypeMeta' }, inline: true },
    2: { name: 'raw', type: 'bytes' },
    3: { name: 'contentEncoding', type: 'string', always: true },
    4: { name: 'contentType', type: 'string', always: true },
  },
};
