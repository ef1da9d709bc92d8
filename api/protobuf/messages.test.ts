import test from 'ava';
import { LIST_WRAPPERS, SPECIAL, type FieldSpec, type MessageTable } from './field-table.js';
import { messages, topLevel } from './messages.js';

function referencedMessages(f: FieldSpec): string[] {
  const t = f.type;
  if (typeof t === 'string') return [];
  if ('message' in t) return [t.message];
  const v = t.map[1];
  return typeof v === 'string' ? [] : [v.message];
}

/** JSON property names a message contributes, with inline (embedded) fields flattened. */
function jsonNames(name: string, seen: string[] = []): string[] {
  if (seen.includes(name)) throw new Error(`inline cycle via ${[...seen, name].join(' -> ')}`);
  const table: MessageTable | undefined = messages[name];
  if (!table) throw new Error(`no table for ${name}`);
  const out: string[] = [];
  for (const f of Object.values(table)) {
    if (f.inline) {
      const t = f.type;
      if (typeof t === 'string' || !('message' in t)) throw new Error(`${name}.${f.name}: inline must be a message`);
      out.push(...jsonNames(t.message, [...seen, name]));
    } else {
      out.push(f.name);
    }
  }
  return out;
}

test('every message reference resolves to a table or a special message', (t) => {
  const missing: string[] = [];
  for (const [name, table] of Object.entries(messages)) {
    for (const [num, f] of Object.entries(table)) {
      for (const ref of referencedMessages(f)) {
        if (!messages[ref] && !SPECIAL.has(ref)) missing.push(`${name}#${num} (${f.name}) -> ${ref}`);
      }
    }
  }
  t.deepEqual(missing, []);
});

test('special messages have no table of their own', (t) => {
  for (const s of SPECIAL) t.false(s in messages, s);
});

test('field numbers are positive integers and JSON names are unique per message (inline flattened)', (t) => {
  for (const [name, table] of Object.entries(messages)) {
    for (const num of Object.keys(table)) {
      const n = Number(num);
      t.true(Number.isInteger(n) && n > 0 && n < 536870912, `${name}#${num}`);
    }
    const names = jsonNames(name);
    const dups = names.filter((n, i) => names.indexOf(n) !== i);
    t.deepEqual(dups, [], name);
  }
});

test('map and inline fields are never marked repeated; map keys are scalars', (t) => {
  for (const [name, table] of Object.entries(messages)) {
    for (const f of Object.values(table)) {
      if (typeof f.type === 'object' && 'map' in f.type) {
        t.not(f.repeated, true, `${name}.${f.name}`);
        t.is(typeof f.type.map[0], 'string');
      }
      if (f.inline) t.not(f.repeated, true, `${name}.${f.name}`);
    }
  }
});

test('topLevel kinds point at existing messages', (t) => {
  for (const [gvk, msg] of Object.entries(topLevel)) t.truthy(messages[msg], `${gvk} -> ${msg}`);
  t.is(topLevel['v1/Namespace'], 'core.Namespace');
  t.is(topLevel['v1/ConfigMap'], 'core.ConfigMap');
  t.is(topLevel['v1/Secret'], 'core.Secret');
  t.is(topLevel['v1/Service'], 'core.Service');
  t.is(topLevel['v1/Pod'], 'core.Pod');
  t.is(topLevel['v1/Binding'], 'core.Binding');
  t.is(topLevel['apps/v1/Deployment'], 'apps.Deployment');
  t.is(topLevel['coordination.k8s.io/v1/Lease'], 'coordination.Lease');
  t.is(topLevel['storage.k8s.io/v1/StorageClass'], 'storage.StorageClass');
  t.is(topLevel['autoscaling/v1/Scale'], 'autoscaling.Scale');
  t.is(topLevel['v1/DeleteOptions'], 'meta.DeleteOptions');
  t.is(topLevel['apps/v1/DeleteOptions'], 'meta.DeleteOptions');
  t.is(topLevel['meta.k8s.io/v1/DeleteOptions'], 'meta.DeleteOptions');
  t.is(topLevel['v1/ServiceAccount'], 'core.ServiceAccount');
  t.is(topLevel['rbac.authorization.k8s.io/v1/Role'], 'rbac.Role');
  t.is(topLevel['rbac.authorization.k8s.io/v1/ClusterRole'], 'rbac.ClusterRole');
  t.is(topLevel['rbac.authorization.k8s.io/v1/RoleBinding'], 'rbac.RoleBinding');
  t.is(topLevel['rbac.authorization.k8s.io/v1/ClusterRoleBinding'], 'rbac.ClusterRoleBinding');
  t.is(topLevel['rbac.authorization.k8s.io/v1/ClusterRoleBindingList'], 'rbac.ClusterRoleBindingList');
  t.is(topLevel['rbac.authorization.k8s.io/v1/DeleteOptions'], 'meta.DeleteOptions');
  t.is(topLevel['authorization.k8s.io/v1/SelfSubjectAccessReview'], 'authorization.SelfSubjectAccessReview');
  t.is(topLevel['authorization.k8s.io/v1/SubjectAccessReview'], 'authorization.SubjectAccessReview');
  t.is(topLevel['authorization.k8s.io/v1/LocalSubjectAccessReview'], 'authorization.LocalSubjectAccessReview');
  t.is(topLevel['authorization.k8s.io/v1/CreateOptions'], 'meta.CreateOptions');
});

function field(msg: string, num: number): FieldSpec | undefined {
  return messages[msg]?.[num];
}

// Spot checks, verified by hand against the upstream generated.proto files.
const spot: Array<[string, number, string, FieldSpec['type'], boolean?]> = [
  ['meta.ObjectMeta', 1, 'name', 'string'],
  ['meta.ObjectMeta', 2, 'generateName', 'string'],
  ['meta.ObjectMeta', 3, 'namespace', 'string'],
  ['meta.ObjectMeta', 5, 'uid', 'string'],
  ['meta.ObjectMeta', 6, 'resourceVersion', 'string'],
  ['meta.ObjectMeta', 7, 'generation', 'int64'],
  ['meta.ObjectMeta', 8, 'creationTimestamp', { message: 'meta.Time' }],
  ['meta.ObjectMeta', 11, 'labels', { map: ['string', 'string'] }],
  ['meta.ObjectMeta', 12, 'annotations', { map: ['string', 'string'] }],
  ['meta.ObjectMeta', 13, 'ownerReferences', { message: 'meta.OwnerReference' }, true],
  ['meta.ObjectMeta', 14, 'finalizers', 'string', true],
  ['meta.ObjectMeta', 17, 'managedFields', { message: 'meta.ManagedFieldsEntry' }, true],
  ['meta.ManagedFieldsEntry', 7, 'fieldsV1', { message: 'meta.FieldsV1' }],
  ['meta.LabelSelector', 1, 'matchLabels', { map: ['string', 'string'] }],
  ['meta.LabelSelector', 2, 'matchExpressions', { message: 'meta.LabelSelectorRequirement' }, true],
  ['meta.DeleteOptions', 1, 'gracePeriodSeconds', 'int64'],
  ['meta.DeleteOptions', 2, 'preconditions', { message: 'meta.Preconditions' }],
  ['meta.DeleteOptions', 4, 'propagationPolicy', 'string'],
  ['meta.DeleteOptions', 5, 'dryRun', 'string', true],
  ['core.Namespace', 2, 'spec', { message: 'core.NamespaceSpec' }],
  ['core.ConfigMap', 1, 'metadata', { message: 'meta.ObjectMeta' }],
  ['core.ConfigMap', 2, 'data', { map: ['string', 'string'] }],
  ['core.ConfigMap', 3, 'binaryData', { map: ['string', 'bytes'] }],
  ['core.ConfigMap', 4, 'immutable', 'bool'],
  ['core.Secret', 2, 'data', { map: ['string', 'bytes'] }],
  ['core.Secret', 3, 'type', 'string'],
  ['core.Secret', 4, 'stringData', { map: ['string', 'string'] }],
  ['core.Secret', 5, 'immutable', 'bool'],
  ['core.Service', 2, 'spec', { message: 'core.ServiceSpec' }],
  ['core.Service', 3, 'status', { message: 'core.ServiceStatus' }],
  ['core.ServiceSpec', 1, 'ports', { message: 'core.ServicePort' }, true],
  ['core.ServiceSpec', 2, 'selector', { map: ['string', 'string'] }],
  ['core.ServiceSpec', 3, 'clusterIP', 'string'],
  ['core.ServiceSpec', 4, 'type', 'string'],
  ['core.ServicePort', 1, 'name', 'string'],
  ['core.ServicePort', 2, 'protocol', 'string'],
  ['core.ServicePort', 3, 'port', 'int32'],
  ['core.ServicePort', 4, 'targetPort', { message: 'intstr.IntOrString' }],
  ['core.ServicePort', 5, 'nodePort', 'int32'],
  ['core.ServicePort', 6, 'appProtocol', 'string'],
  ['core.PodSpec', 1, 'volumes', { message: 'core.Volume' }, true],
  ['core.PodSpec', 2, 'containers', { message: 'core.Container' }, true],
  ['core.PodSpec', 20, 'initContainers', { message: 'core.Container' }, true],
  ['core.PodSpec', 32, 'overhead', { map: ['string', { message: 'resource.Quantity' }] }],
  ['core.PodTemplateSpec', 1, 'metadata', { message: 'meta.ObjectMeta' }],
  ['core.PodTemplateSpec', 2, 'spec', { message: 'core.PodSpec' }],
  ['core.Container', 1, 'name', 'string'],
  ['core.Container', 2, 'image', 'string'],
  ['core.Container', 3, 'command', 'string', true],
  ['core.Container', 4, 'args', 'string', true],
  ['core.Container', 6, 'ports', { message: 'core.ContainerPort' }, true],
  ['core.Container', 7, 'env', { message: 'core.EnvVar' }, true],
  ['core.Container', 8, 'resources', { message: 'core.ResourceRequirements' }],
  ['core.Container', 14, 'imagePullPolicy', 'string'],
  ['core.Container', 19, 'envFrom', { message: 'core.EnvFromSource' }, true],
  ['core.ResourceRequirements', 1, 'limits', { map: ['string', { message: 'resource.Quantity' }] }],
  ['core.ResourceRequirements', 2, 'requests', { map: ['string', { message: 'resource.Quantity' }] }],
  ['apps.Deployment', 2, 'spec', { message: 'apps.DeploymentSpec' }],
  ['apps.DeploymentSpec', 1, 'replicas', 'int32'],
  ['apps.DeploymentSpec', 2, 'selector', { message: 'meta.LabelSelector' }],
  ['apps.DeploymentSpec', 3, 'template', { message: 'core.PodTemplateSpec' }],
  ['apps.DeploymentSpec', 4, 'strategy', { message: 'apps.DeploymentStrategy' }],
  ['apps.DeploymentSpec', 9, 'progressDeadlineSeconds', 'int32'],
  ['coordination.LeaseSpec', 1, 'holderIdentity', 'string'],
  ['coordination.LeaseSpec', 2, 'leaseDurationSeconds', 'int32'],
  ['coordination.LeaseSpec', 3, 'acquireTime', { message: 'meta.MicroTime' }],
  ['coordination.LeaseSpec', 4, 'renewTime', { message: 'meta.MicroTime' }],
  ['core.Event', 10, 'eventTime', { message: 'meta.MicroTime' }],
  ['runtime.Unknown', 2, 'raw', 'bytes'],
  ['core.ServiceAccount', 1, 'metadata', { message: 'meta.ObjectMeta' }],
  ['core.ServiceAccount', 2, 'secrets', { message: 'core.ObjectReference' }, true],
  ['core.ServiceAccount', 3, 'imagePullSecrets', { message: 'core.LocalObjectReference' }, true],
  ['core.ServiceAccount', 4, 'automountServiceAccountToken', 'bool'],
  ['rbac.Role', 1, 'metadata', { message: 'meta.ObjectMeta' }],
  ['rbac.Role', 2, 'rules', { message: 'rbac.PolicyRule' }, true],
  ['rbac.ClusterRole', 2, 'rules', { message: 'rbac.PolicyRule' }, true],
  ['rbac.ClusterRole', 3, 'aggregationRule', { message: 'rbac.AggregationRule' }],
  ['rbac.AggregationRule', 1, 'clusterRoleSelectors', { message: 'meta.LabelSelector' }, true],
  ['rbac.PolicyRule', 1, 'verbs', 'string', true],
  ['rbac.PolicyRule', 2, 'apiGroups', 'string', true],
  ['rbac.PolicyRule', 3, 'resources', 'string', true],
  ['rbac.PolicyRule', 4, 'resourceNames', 'string', true],
  ['rbac.PolicyRule', 5, 'nonResourceURLs', 'string', true],
  ['rbac.RoleBinding', 2, 'subjects', { message: 'rbac.Subject' }, true],
  ['rbac.RoleBinding', 3, 'roleRef', { message: 'rbac.RoleRef' }],
  ['rbac.ClusterRoleBinding', 2, 'subjects', { message: 'rbac.Subject' }, true],
  ['rbac.ClusterRoleBinding', 3, 'roleRef', { message: 'rbac.RoleRef' }],
  ['rbac.RoleRef', 1, 'apiGroup', 'string'],
  ['rbac.RoleRef', 2, 'kind', 'string'],
  ['rbac.RoleRef', 3, 'name', 'string'],
  ['rbac.Subject', 1, 'kind', 'string'],
  ['rbac.Subject', 2, 'apiGroup', 'string'],
  ['rbac.Subject', 3, 'name', 'string'],
  ['rbac.Subject', 4, 'namespace', 'string'],
  ['authorization.SelfSubjectAccessReview', 2, 'spec', { message: 'authorization.SelfSubjectAccessReviewSpec' }],
  ['authorization.SelfSubjectAccessReview', 3, 'status', { message: 'authorization.SubjectAccessReviewStatus' }],
  ['authorization.SelfSubjectAccessReviewSpec', 1, 'resourceAttributes', { message: 'authorization.ResourceAttributes' }],
  ['authorization.SelfSubjectAccessReviewSpec', 2, 'nonResourceAttributes', { message: 'authorization.NonResourceAttributes' }],
  ['authorization.SubjectAccessReviewSpec', 3, 'user', 'string'],
  ['authorization.SubjectAccessReviewSpec', 4, 'groups', 'string', true],
  ['authorization.SubjectAccessReviewSpec', 5, 'extra', { map: ['string', { message: 'authorization.ExtraValue' }] }],
  ['authorization.SubjectAccessReviewSpec', 6, 'uid', 'string'],
  ['authorization.ResourceAttributes', 1, 'namespace', 'string'],
  ['authorization.ResourceAttributes', 2, 'verb', 'string'],
  ['authorization.ResourceAttributes', 3, 'group', 'string'],
  ['authorization.ResourceAttributes', 4, 'version', 'string'],
  ['authorization.ResourceAttributes', 5, 'resource', 'string'],
  ['authorization.ResourceAttributes', 6, 'subresource', 'string'],
  ['authorization.ResourceAttributes', 7, 'name', 'string'],
  ['authorization.ResourceAttributes', 8, 'fieldSelector', { message: 'authorization.FieldSelectorAttributes' }],
  ['authorization.ResourceAttributes', 9, 'labelSelector', { message: 'authorization.LabelSelectorAttributes' }],
  ['authorization.NonResourceAttributes', 1, 'path', 'string'],
  ['authorization.NonResourceAttributes', 2, 'verb', 'string'],
  ['authorization.SubjectAccessReviewStatus', 1, 'allowed', 'bool'],
  ['authorization.SubjectAccessReviewStatus', 2, 'reason', 'string'],
  ['authorization.SubjectAccessReviewStatus', 3, 'evaluationError', 'string'],
  ['authorization.SubjectAccessReviewStatus', 4, 'denied', 'bool'],
  ['authorization.ExtraValue', 1, 'items', 'string', true],
];

test('spot-checked field numbers match the upstream .proto files', (t) => {
  for (const [msg, num, name, type, repeated] of spot) {
    const f = field(msg, num);
    t.truthy(f, `${msg}#${num}`);
    if (!f) continue;
    t.is(f.name, name, `${msg}#${num}`);
    t.deepEqual(f.type, type, `${msg}#${num}`);
    t.is(f.repeated === true, repeated === true, `${msg}#${num} repeated`);
    t.not(f.inline, true, `${msg}#${num} inline`);
  }
});

test('embedded Go structs are marked inline', (t) => {
  const inline: Array<[string, number, string]> = [
    ['core.Probe', 1, 'core.ProbeHandler'],
    ['core.Volume', 2, 'core.VolumeSource'],
    ['core.PersistentVolumeSpec', 2, 'core.PersistentVolumeSource'],
    ['core.EphemeralContainer', 1, 'core.EphemeralContainerCommon'],
    ['core.ConfigMapKeySelector', 1, 'core.LocalObjectReference'],
    ['core.SecretKeySelector', 1, 'core.LocalObjectReference'],
    ['core.ConfigMapEnvSource', 1, 'core.LocalObjectReference'],
    ['core.SecretEnvSource', 1, 'core.LocalObjectReference'],
    ['core.ConfigMapVolumeSource', 1, 'core.LocalObjectReference'],
    ['core.ConfigMapProjection', 1, 'core.LocalObjectReference'],
    ['core.SecretProjection', 1, 'core.LocalObjectReference'],
  ];
  for (const [msg, num, target] of inline) {
    const f = field(msg, num);
    t.is(f?.inline, true, `${msg}#${num}`);
    t.deepEqual(f?.type, { message: target }, `${msg}#${num}`);
  }
  t.true(jsonNames('core.Probe').includes('httpGet'));
  t.true(jsonNames('core.Volume').includes('configMap'));
  t.true(jsonNames('core.ConfigMapKeySelector').includes('name'));
  // SecretVolumeSource is NOT inline: it names the secret via secretName (field 1).
  t.deepEqual(field('core.SecretVolumeSource', 1), { name: 'secretName', type: 'string' });
});

test('the brief\'s required messages are all present', (t) => {
  const required = [
    'meta.ObjectMeta', 'meta.OwnerReference', 'meta.ManagedFieldsEntry', 'meta.LabelSelector',
    'meta.LabelSelectorRequirement', 'meta.Condition', 'meta.DeleteOptions', 'meta.Preconditions', 'meta.ListMeta',
    'core.Namespace', 'core.NamespaceSpec', 'core.NamespaceStatus', 'core.NamespaceCondition', 'core.ConfigMap',
    'core.Secret', 'core.Service', 'core.ServiceSpec', 'core.ServicePort', 'core.ServiceStatus',
    'core.LoadBalancerStatus', 'core.LoadBalancerIngress', 'core.PortStatus', 'core.SessionAffinityConfig',
    'core.ClientIPConfig', 'core.Pod', 'core.PodSpec', 'core.PodStatus', 'core.PodTemplateSpec', 'core.Node',
    'core.NodeSpec', 'core.NodeStatus', 'core.Event', 'core.EventSource', 'core.EventSeries', 'core.ObjectReference',
    'core.Endpoints', 'core.EndpointSubset', 'core.EndpointAddress', 'core.EndpointPort', 'core.PersistentVolume',
    'core.PersistentVolumeClaim', 'core.Binding', 'apps.Deployment', 'apps.ReplicaSet', 'coordination.Lease',
    'storage.StorageClass', 'storage.VolumeAttachment', 'core.TopologySelectorTerm',
    'core.TopologySelectorLabelRequirement', 'autoscaling.Scale', 'core.EphemeralVolumeSource',
    'core.CSIVolumeSource', 'core.CSIPersistentVolumeSource', 'core.NFSVolumeSource', 'core.ServiceAccount',
    'rbac.Role', 'rbac.ClusterRole', 'rbac.RoleBinding', 'rbac.ClusterRoleBinding', 'rbac.PolicyRule', 'rbac.Subject',
    'rbac.RoleRef', 'rbac.AggregationRule', 'authorization.SelfSubjectAccessReview', 'authorization.SubjectAccessReview',
    'authorization.SubjectAccessReviewSpec', 'authorization.SubjectAccessReviewStatus', 'authorization.ResourceAttributes',
    'authorization.NonResourceAttributes',
  ];
  for (const name of required) t.truthy(messages[name], name);
});

test('list wrappers are messages of one repeated scalar field 1', (t) => {
  for (const name of LIST_WRAPPERS) {
    t.deepEqual(Object.keys(messages[name] ?? {}), ['1'], name);
    t.true(messages[name][1].repeated === true && typeof messages[name][1].type === 'string', name);
  }
});

test('every served kind has a protobuf message, so kubectl may send it protobuf', async (t) => {
  const { kinds } = await import('../registry.js');
  for (const k of kinds) {
    const gv = k.group ? `${k.group}/${k.version}` : k.version;
    t.truthy(topLevel[`${gv}/${k.kind}`], `${gv}/${k.kind}`);
    if (!k.virtual) t.truthy(topLevel[`${gv}/${k.kind}List`], `${gv}/${k.kind}List`);
  }
});

function named(msg: string, name: string): FieldSpec | undefined {
  return Object.values(messages[msg] ?? {}).find((f) => f.name === name);
}

test('pointer and always marks sit only on singular scalar fields, never both', (t) => {
  for (const [name, table] of Object.entries(messages)) {
    for (const f of Object.values(table)) {
      if (!f.pointer && !f.always) continue;
      t.true(typeof f.type === 'string' && !f.repeated, `${name}.${f.name}`);
      t.false(f.pointer === true && f.always === true, `${name}.${f.name}`);
    }
  }
});

// Spot checks, verified by hand against the Go structs in types.go.
const pointers: Array<[string, string[]]> = [
  ['apps.DeploymentSpec', ['replicas', 'revisionHistoryLimit', 'progressDeadlineSeconds']],
  ['apps.ReplicaSetSpec', ['replicas']],
  ['apps.StatefulSetSpec', ['replicas', 'revisionHistoryLimit']],
  ['core.PodSpec', ['terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'automountServiceAccountToken', 'enableServiceLinks', 'priority', 'shareProcessNamespace', 'hostUsers']],
  ['core.SecurityContext', ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'privileged', 'readOnlyRootFilesystem', 'allowPrivilegeEscalation']],
  ['core.PodSecurityContext', ['fsGroup', 'runAsUser', 'runAsNonRoot']],
  ['core.Toleration', ['tolerationSeconds']],
  ['core.ConfigMapVolumeSource', ['defaultMode', 'optional']],
  ['core.SecretVolumeSource', ['defaultMode', 'optional']],
  ['core.ServiceSpec', ['allocateLoadBalancerNodePorts', 'ipFamilyPolicy', 'internalTrafficPolicy', 'loadBalancerClass']],
  ['core.ServicePort', ['appProtocol']],
  ['core.ClientIPConfig', ['timeoutSeconds']],
  ['core.ConfigMap', ['immutable']],
  ['core.Secret', ['immutable']],
  ['core.ServiceAccount', ['automountServiceAccountToken']],
  ['core.ContainerStatus', ['started']],
  ['coordination.LeaseSpec', ['holderIdentity', 'leaseDurationSeconds']],
  ['meta.DeleteOptions', ['gracePeriodSeconds', 'orphanDependents', 'propagationPolicy']],
  ['meta.ObjectMeta', ['deletionGracePeriodSeconds']],
  ['meta.OwnerReference', ['controller', 'blockOwnerDeletion']],
  ['storage.StorageClass', ['allowVolumeExpansion', 'reclaimPolicy', 'volumeBindingMode']],
  ['discovery.EndpointConditions', ['ready', 'serving', 'terminating']],
];
const always: Array<[string, string[]]> = [
  ['core.ContainerPort', ['containerPort']],
  ['core.ServicePort', ['port']],
  ['core.Container', ['name']],
  ['core.ContainerStatus', ['name', 'ready', 'restartCount', 'image', 'imageID']],
  ['core.PodCondition', ['type', 'status']],
  ['meta.Condition', ['type', 'status', 'reason', 'message']],
  ['meta.OwnerReference', ['apiVersion', 'kind', 'name', 'uid']],
  ['apps.ReplicaSetStatus', ['replicas']],
  ['rbac.RoleRef', ['apiGroup', 'kind', 'name']],
  ['rbac.Subject', ['kind', 'name']],
  ['autoscaling.ScaleStatus', ['replicas']],
  ['authorization.SubjectAccessReviewStatus', ['allowed']],
];
const omitempty: Array<[string, string[]]> = [
  ['apps.DeploymentSpec', ['minReadySeconds', 'paused']],
  ['meta.ObjectMeta', ['name', 'generation', 'uid']],
  ['core.ContainerPort', ['hostPort', 'name', 'protocol']],
  ['core.Container', ['stdin', 'stdinOnce', 'tty', 'image']],
  ['core.PodSpec', ['hostIPC', 'hostNetwork', 'hostPID', 'restartPolicy']],
  ['core.ServiceSpec', ['healthCheckNodePort', 'publishNotReadyAddresses', 'clusterIP', 'type']],
  ['core.ServicePort', ['nodePort', 'name', 'protocol']],
  ['rbac.Subject', ['apiGroup', 'namespace']],
  ['autoscaling.ScaleSpec', ['replicas']],
];

test('spot-checked pointer, always and omitempty fields match the Go structs', (t) => {
  const marks = (msg: string, name: string) => {
    const f = named(msg, name);
    t.truthy(f, `${msg}.${name}`);
    return { pointer: f?.pointer === true, always: f?.always === true };
  };
  for (const [msg, names] of pointers) for (const n of names) t.deepEqual(marks(msg, n), { pointer: true, always: false }, `${msg}.${n}`);
  for (const [msg, names] of always) for (const n of names) t.deepEqual(marks(msg, n), { pointer: false, always: true }, `${msg}.${n}`);
  for (const [msg, names] of omitempty) for (const n of names) t.deepEqual(marks(msg, n), { pointer: false, always: false }, `${msg}.${n}`);
});
