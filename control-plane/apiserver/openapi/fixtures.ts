/**
 * Test fixtures for the OpenAPI tests: a Pod and a Deployment declared with
 * the schema DSL (trimmed to what the tests look at), so the tests do not
 * depend on the real kind declarations being finished.
 */
import type { Kind } from '../../../api/kind.js';
import { configMap } from '../../../api/kinds/config-map.js';
import { namespace } from '../../../api/kinds/namespace.js';
import { service } from '../../../api/kinds/service.js';
import { objectMeta } from '../../../api/object-meta.js';
import {
  arr, bool, enumOf, free, int32, int64, intOrString, keyedList, map, named, obj, quantity, str, strMap, time, type Schema,
} from '../../../api/schema.js';

const labelSelectorSchema = named('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', obj({
  matchLabels: strMap('Labels to match.'),
  matchExpressions: arr(named('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement', obj({
    key: str('The label key.'),
    operator: str('In, NotIn, Exists or DoesNotExist.'),
    values: arr(str(), { listType: 'atomic', description: 'The values.' }),
  }, { required: ['key', 'operator'], description: 'One requirement of a selector.' })), { listType: 'atomic', description: 'Requirements.' }),
}, { description: 'A label query.' }));

const containerPort = named('io.k8s.api.core.v1.ContainerPort', obj({
  name: str('A name for the port.'),
  containerPort: int32('The port number.'),
  protocol: enumOf(['TCP', 'UDP', 'SCTP'], 'The protocol.'),
}, { required: ['containerPort'], description: 'A network port of a container.' }));

const resources = named('io.k8s.api.core.v1.ResourceRequirements', obj({
  limits: map(quantity(), 'The most compute resources the container may use.'),
  requests: map(quantity(), 'The compute resources the container is guaranteed.'),
}, { description: 'Compute resources of a container.' }));

const container = named('io.k8s.api.core.v1.Container', obj({
  name: str('Name of the container, a DNS label.'),
  image: str('Container image name.'),
  args: arr(str(), { listType: 'atomic', description: 'Arguments of the entrypoint.' }),
  ports: keyedList(containerPort, 'containerPort', 'Ports the container exposes.', ['containerPort', 'protocol']),
  env: keyedList(named('io.k8s.api.core.v1.EnvVar', obj({
    name: str('Name of the variable.'),
    value: str('Value of the variable.'),
  }, { required: ['name'], description: 'An environment variable.' })), 'name', 'Environment variables.'),
  resources,
}, { required: ['name'], description: 'A single application container.' }));

const volume = named('io.k8s.api.core.v1.Volume', obj({
  name: str('Name of the volume.'),
  emptyDir: named('io.k8s.api.core.v1.EmptyDirVolumeSource', obj({
    sizeLimit: quantity('Size limit of the volume.'),
  }, { description: 'An empty directory.' })),
}, { required: ['name'], description: 'A named volume.' }));

export const podSpec = named('io.k8s.api.core.v1.PodSpec', obj({
  containers: keyedList(container, 'name', 'Containers of the pod.'),
  volumes: { ...arr(volume, { description: 'Volumes of the pod.', listType: 'map', listMapKeys: ['name'] }), patchMergeKey: 'name', patchStrategy: 'merge,retainKeys' },
  nodeName: str('Node the pod is bound to.'),
  nodeSelector: strMap('Labels the node must have.'),
  restartPolicy: enumOf(['Always', 'OnFailure', 'Never'], 'Restart policy of the containers.'),
  terminationGracePeriodSeconds: int64('Grace period.'),
}, { required: ['containers'], description: 'The desired state of a pod.' }));

export const pod: Kind = {
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', shortNames: ['po'], namespaced: true,
  subresources: { status: true, binding: true },
  schema: named('io.k8s.api.core.v1.Pod', obj({
    apiVersion: str('APIVersion of the object.'),
    kind: str('Kind of the object.'),
    metadata: objectMeta,
    spec: podSpec,
    status: named('io.k8s.api.core.v1.PodStatus', obj({
      phase: enumOf(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'], 'Phase of the pod.'),
      startTime: time('When the pod started.'),
      extra: free('Anything.'),
    }, { description: 'The observed state of a pod.' })),
  }, { description: 'A group of containers.', gvk: { group: '', version: 'v1', kind: 'Pod' } })),
  columns: [],
};

const podTemplate = named('io.k8s.api.core.v1.PodTemplateSpec', obj({
  metadata: objectMeta,
  spec: podSpec,
}, { description: 'A template for pods.' }));

export const deployment: Kind = {
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', shortNames: ['deploy'], namespaced: true,
  subresources: { status: true, scale: { specReplicasPath: ['spec', 'replicas'], statusReplicasPath: ['status', 'replicas'], labelSelectorPath: ['status', 'selector'] } },
  schema: named('io.k8s.api.apps.v1.Deployment', obj({
    apiVersion: str('APIVersion of the object.'),
    kind: str('Kind of the object.'),
    metadata: objectMeta,
    spec: named('io.k8s.api.apps.v1.DeploymentSpec', obj({
      replicas: int32('Number of desired pods.'),
      selector: labelSelectorSchema,
      template: podTemplate,
      strategy: {
        ...named('io.k8s.api.apps.v1.DeploymentStrategy', obj({
          type: enumOf(['Recreate', 'RollingUpdate'], 'Type of the strategy.'),
          rollingUpdate: named('io.k8s.api.apps.v1.RollingUpdateDeployment', obj({
            maxUnavailable: intOrString('Most pods that may be unavailable during the update.'),
            maxSurge: intOrString('Most pods that may be created over the desired number.'),
          }, { description: 'Rolling update parameters.' })),
        }, { description: 'How to replace pods.' })),
        patchStrategy: 'retainKeys',
        description: 'The deployment strategy to use to replace existing pods with new ones.',
      },
      paused: bool('Whether the deployment is paused.'),
    }, { required: ['selector', 'template'], description: 'The desired state of a deployment.' })),
    status: named('io.k8s.api.apps.v1.DeploymentStatus', obj({
      replicas: int32('Number of pods.'),
    }, { description: 'The observed state of a deployment.' })),
  }, { description: 'Declarative updates for pods and replica sets.', gvk: { group: 'apps', version: 'v1', kind: 'Deployment' } })),
  columns: [],
};

/** A cluster-scoped kind of a dotted group, without a declared definition name. */
export const storageClass: Kind = {
  group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', singular: 'storageclass', shortNames: ['sc'], namespaced: false,
  schema: obj({
    apiVersion: str('APIVersion of the object.'),
    kind: str('Kind of the object.'),
    metadata: objectMeta,
    provisioner: str('The provisioner.'),
    parameters: strMap('Provisioner parameters.'),
  }, { required: ['provisioner'], description: 'A class of storage.' }),
  columns: [],
};

export const fixtureKinds: Kind[] = [namespace, pod, service, configMap, deployment, storageClass];

/** Every schema node of a tree, for assertions over a whole document. */
export function walk(value: unknown, visit: (node: Record<string, unknown>, path: string) => void, path = '#'): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, `${path}/${i}`));
  else if (value && typeof value === 'object') {
    visit(value as Record<string, unknown>, path);
    for (const [k, v] of Object.entries(value)) walk(v, visit, `${path}/${k}`);
  }
}

export type { Schema };
