import type { Column, Kind, KObject } from '../kind.js';
import { objectMeta, typeMeta } from '../object-meta.js';
import { isPodTerminal, podCondition } from '../pod-status.js';
import { ageColumn, humanDuration, nameColumn } from '../printers.js';
import {
  arr, bool, free, int32, int64, intOrString, keyedList, map, named, obj, quantity, str, strMap, time, type Schema,
} from '../schema.js';
import type { Cause } from '../validation/field-errors.js';
import { labelSelectorSchema } from '../label-selector-schema.js';
import {
  defaultPodOnlyFields, defaultPodSpec, firstPerField, formatLabelSelector, isObject, podQOSClass, validatePodSpec,
  validatePodSpecUpdate,
} from '../validation/pod-spec.js';

export {
  defaultPodSpec, validatePodSpec, validatePodSpecUpdate, validateLabelSelector, labelSelectorMatches, formatLabelSelector,
  imagePullPolicyFor, podQOSClass, isEmptySelector,
} from '../validation/pod-spec.js';

const core = (name: string, schema: Schema): Schema => named(`io.k8s.api.core.v1.${name}`, schema);
const quantityMap = (description: string): Schema => map(quantity(), description);
const atomicList = (items: Schema, description: string): Schema => arr(items, { description, listType: 'atomic' });

// ---------------------------------------------------------------------------
// Shared small types
// ---------------------------------------------------------------------------

/** metav1.LabelSelector, the shared declaration, re-exported for the workload kinds. */
export { labelSelectorSchema };

export const localObjectReferenceSchema = core('LocalObjectReference', obj({
  name: str('Name of the referenced object in the same namespace.'),
}, { description: 'Points at an object in the same namespace by name.' }));

const objectFieldSelector = core('ObjectFieldSelector', obj({
  apiVersion: str('Schema version fieldPath is written against; "v1" when empty.'),
  fieldPath: str('Path of the pod field to read, e.g. metadata.name or status.podIP.'),
}, { required: ['fieldPath'], description: 'Selects a field of the pod.' }));

const resourceFieldSelector = core('ResourceFieldSelector', obj({
  containerName: str('Container whose resources are read; required for volumes, optional for env vars.'),
  resource: str('The resource to read, e.g. limits.cpu or requests.memory.'),
  divisor: quantity('Unit the value is divided by before it is exposed; 1 when unset.'),
}, { required: ['resource'], description: 'Selects a container resource (limit or request).' }));

const configMapKeySelector = core('ConfigMapKeySelector', obj({
  name: str('Name of the ConfigMap.'),
  key: str('Key to read.'),
  optional: bool('Whether the ConfigMap or key may be missing.'),
}, { required: ['key'], description: 'Selects one key of a ConfigMap.' }));

const secretKeySelector = core('SecretKeySelector', obj({
  name: str('Name of the Secret.'),
  key: str('Key to read.'),
  optional: bool('Whether the Secret or key may be missing.'),
}, { required: ['key'], description: 'Selects one key of a Secret.' }));

const keyToPath = core('KeyToPath', obj({
  key: str('The key to project.'),
  path: str('Relative file path the key is written to.'),
  mode: int32('File mode bits for this file, 0 to 0777; defaultMode when unset.'),
}, { required: ['key', 'path'], description: 'Maps a key of a ConfigMap or Secret to a file path in a volume.' }));

// ---------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------

const envVarSource = core('EnvVarSource', obj({
  fieldRef: objectFieldSelector,
  resourceFieldRef: resourceFieldSelector,
  configMapKeyRef: configMapKeySelector,
  secretKeyRef: secretKeySelector,
}, { description: 'Where an environment variable takes its value from.' }));

const envVar = core('EnvVar', obj({
  name: str('Name of the environment variable.'),
  value: str('Literal value; $(VAR) references to earlier variables are expanded.'),
  valueFrom: envVarSource,
}, { required: ['name'], description: 'An environment variable set in a container.' }));

const envFromSource = core('EnvFromSource', obj({
  prefix: str('Prefix prepended to every imported key.'),
  configMapRef: core('ConfigMapEnvSource', obj({ name: str('Name of the ConfigMap.'), optional: bool('Whether the ConfigMap may be missing.') }, { description: 'Imports a ConfigMap as environment variables.' })),
  secretRef: core('SecretEnvSource', obj({ name: str('Name of the Secret.'), optional: bool('Whether the Secret may be missing.') }, { description: 'Imports a Secret as environment variables.' })),
}, { description: 'A set of environment variables imported from a ConfigMap or Secret.' }));

const containerPort = core('ContainerPort', obj({
  name: str('IANA_SVC_NAME for the port, unique in the pod; Services can refer to it.'),
  hostPort: int32('Port to expose on the host; rarely needed.'),
  containerPort: int32('Port number the container listens on, 1 to 65535.'),
  protocol: str('TCP, UDP or SCTP; TCP by default.'),
  hostIP: str('Host IP to bind the host port to.'),
}, { required: ['containerPort'], description: 'A network port a container exposes.' }));

export const resourceRequirementsSchema = core('ResourceRequirements', obj({
  limits: quantityMap('The most of each resource the container may use.'),
  requests: quantityMap('The amount of each resource the container is guaranteed; defaults to limits on a Pod.'),
  claims: keyedList(obj({ name: str('Name of a pod resource claim.'), request: str('Request within the claim.') }, { required: ['name'] }), 'name', 'Dynamic resource claims this container uses.'),
}, { description: 'Compute resources a container requests and is limited to.' }));

const volumeMount = core('VolumeMount', obj({
  name: str('Name of the pod volume to mount.'),
  mountPath: str('Path in the container to mount at; must not contain ":".'),
  subPath: str('Path within the volume to mount instead of its root.'),
  subPathExpr: str('Like subPath, with $(VAR) environment references expanded.'),
  readOnly: bool('Mount read-only.'),
  recursiveReadOnly: str('Whether read-only mounts are made recursively read-only.'),
  mountPropagation: str('How mounts propagate between host and container: None, HostToContainer or Bidirectional.'),
}, { required: ['name', 'mountPath'], description: 'Mounts a pod volume into a container.' }));

const volumeDevice = core('VolumeDevice', obj({
  name: str('Name of a persistentVolumeClaim volume of the pod.'),
  devicePath: str('Device path in the container.'),
}, { required: ['name', 'devicePath'], description: 'Maps a raw block volume into a container.' }));

const execAction = core('ExecAction', obj({
  command: atomicList(str(), 'Command run inside the container, without a shell; exit 0 means success.'),
}, { description: 'Runs a command in the container.' }));

const httpGetAction = core('HTTPGetAction', obj({
  path: str('Path to request; "/" by default.'),
  port: intOrString('Port number or name to connect to.'),
  host: str('Host to connect to; the pod IP by default.'),
  scheme: str('HTTP or HTTPS; HTTP by default.'),
  httpHeaders: atomicList(core('HTTPHeader', obj({ name: str('Header name.'), value: str('Header value.') }, { required: ['name', 'value'], description: 'A custom HTTP header.' })), 'Extra headers to send.'),
}, { required: ['port'], description: 'Performs an HTTP GET; any 2xx or 3xx status is success.' }));

const tcpSocketAction = core('TCPSocketAction', obj({
  port: intOrString('Port number or name to connect to.'),
  host: str('Host to connect to; the pod IP by default.'),
}, { required: ['port'], description: 'Opens a TCP connection; connecting is success.' }));

const grpcAction = core('GRPCAction', obj({
  port: int32('Port of the gRPC health service.'),
  service: str('Service name passed in the gRPC HealthCheckRequest.'),
}, { required: ['port'], description: 'Calls the gRPC health checking protocol.' }));

const probe = core('Probe', obj({
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
  grpc: grpcAction,
  initialDelaySeconds: int32('Seconds after the container starts before the first probe.'),
  timeoutSeconds: int32('Seconds before a probe attempt times out; 1 by default.'),
  periodSeconds: int32('Seconds between probes; 10 by default.'),
  successThreshold: int32('Consecutive successes needed after a failure; 1 by default, and must be 1 for liveness and startup probes.'),
  failureThreshold: int32('Consecutive failures before the probe counts as failed; 3 by default.'),
  terminationGracePeriodSeconds: int64('Grace period used when a failing probe kills the container; overrides the pod\'s.'),
}, { description: 'A periodic health check of a container.' }));

const lifecycleHandler = core('LifecycleHandler', obj({
  exec: execAction,
  httpGet: httpGetAction,
  tcpSocket: tcpSocketAction,
  sleep: core('SleepAction', obj({ seconds: int64('Seconds to sleep.') }, { required: ['seconds'], description: 'Sleeps for a while.' })),
}, { description: 'An action run at a container lifecycle event.' }));

const lifecycle = core('Lifecycle', obj({
  postStart: lifecycleHandler,
  preStop: lifecycleHandler,
  stopSignal: str('Signal sent to stop the container.'),
}, { description: 'Actions run right after a container starts and right before it stops.' }));

const seccompProfile = core('SeccompProfile', obj({
  type: str('RuntimeDefault, Unconfined or Localhost.'),
  localhostProfile: str('Profile file on the node, for type Localhost.'),
}, { required: ['type'], description: 'A seccomp profile.' }));

const appArmorProfile = core('AppArmorProfile', obj({
  type: str('RuntimeDefault, Unconfined or Localhost.'),
  localhostProfile: str('Profile loaded on the node, for type Localhost.'),
}, { required: ['type'], description: 'An AppArmor profile.' }));

const securityContext = core('SecurityContext', obj({
  runAsUser: int64('UID the container process runs as.'),
  runAsGroup: int64('GID the container process runs as.'),
  runAsNonRoot: bool('Refuse to start the container if it would run as UID 0.'),
  privileged: bool('Run the container privileged.'),
  allowPrivilegeEscalation: bool('Whether a process may gain more privileges than its parent.'),
  readOnlyRootFilesystem: bool('Mount the container root filesystem read-only.'),
  procMount: str('Default or Unmasked /proc mount.'),
  capabilities: core('Capabilities', obj({
    add: atomicList(str(), 'Capabilities to add.'),
    drop: atomicList(str(), 'Capabilities to drop.'),
  }, { description: 'Linux capabilities to add and drop.' })),
  seccompProfile,
  appArmorProfile,
  seLinuxOptions: free('SELinux context for the container.'),
  windowsOptions: free('Windows-specific options.'),
}, { description: 'Security settings of one container; they override the pod security context.' }));

export const containerSchema = core('Container', obj({
  name: str('Name of the container, a DNS label unique within the pod.'),
  image: str('Container image reference.'),
  command: atomicList(str(), 'Entrypoint; replaces the image ENTRYPOINT. Not run in a shell.'),
  args: atomicList(str(), 'Arguments to the entrypoint; replace the image CMD.'),
  workingDir: str('Working directory; the image default when unset.'),
  ports: keyedList(containerPort, 'containerPort', 'Ports the container exposes (informational; any listening port is reachable).', ['containerPort', 'protocol']),
  envFrom: atomicList(envFromSource, 'ConfigMaps and Secrets imported as environment variables.'),
  env: keyedList(envVar, 'name', 'Environment variables to set.'),
  resources: resourceRequirementsSchema,
  resizePolicy: atomicList(free('How one resource is resized.'), 'How cpu and memory changes are applied.'),
  restartPolicy: str('For init containers only: Always makes it a sidecar that keeps running.'),
  volumeMounts: keyedList(volumeMount, 'mountPath', 'Pod volumes to mount into the container.'),
  volumeDevices: keyedList(volumeDevice, 'devicePath', 'Block devices the container uses.'),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle,
  terminationMessagePath: str('File the container writes its termination message to; /dev/termination-log by default.'),
  terminationMessagePolicy: str('File, or FallbackToLogsOnError to use the log tail when the file is empty.'),
  imagePullPolicy: str('Always, Never or IfNotPresent; Always for :latest or untagged images, IfNotPresent otherwise.'),
  securityContext,
  stdin: bool('Allocate a stdin buffer for the container.'),
  stdinOnce: bool('Close stdin after the first attach detaches.'),
  tty: bool('Allocate a TTY; needs stdin.'),
}, { required: ['name'], description: 'A container to run in a pod.' }));

// ---------------------------------------------------------------------------
// Volumes
// ---------------------------------------------------------------------------

const downwardAPIVolumeFile = core('DownwardAPIVolumeFile', obj({
  path: str('Relative path of the file to create.'),
  fieldRef: objectFieldSelector,
  resourceFieldRef: resourceFieldSelector,
  mode: int32('File mode bits, 0 to 0777.'),
}, { required: ['path'], description: 'A file holding one pod field or resource value.' }));

const downwardAPIVolumeSource = core('DownwardAPIVolumeSource', obj({
  items: atomicList(downwardAPIVolumeFile, 'Files to create.'),
  defaultMode: int32('Mode bits for created files; 0644 by default.'),
}, { description: 'Exposes pod fields as files.' }));

const volumeProjection = core('VolumeProjection', obj({
  secret: obj({ name: str('Name of the Secret.'), items: atomicList(keyToPath, 'Keys to project.'), optional: bool('Whether the Secret may be missing.') }, { description: 'Projects a Secret.' }),
  configMap: obj({ name: str('Name of the ConfigMap.'), items: atomicList(keyToPath, 'Keys to project.'), optional: bool('Whether the ConfigMap may be missing.') }, { description: 'Projects a ConfigMap.' }),
  downwardAPI: obj({ items: atomicList(downwardAPIVolumeFile, 'Files to create.') }, { description: 'Projects pod fields.' }),
  serviceAccountToken: obj({
    audience: str('Intended audience of the token.'),
    expirationSeconds: int64('Requested token lifetime; 3600 by default.'),
    path: str('Relative path of the token file.'),
  }, { required: ['path'], description: 'Projects a service account token.' }),
  clusterTrustBundle: free('Projects a ClusterTrustBundle.'),
  podCertificate: free('Projects a pod certificate.'),
}, { description: 'One source of a projected volume.' }));

export const volumeSchema = core('Volume', obj({
  name: str('Name of the volume, a DNS label unique within the pod.'),
  emptyDir: core('EmptyDirVolumeSource', obj({
    medium: str('Storage medium: "" for the node default or Memory for tmpfs.'),
    sizeLimit: quantity('Most local storage the volume may use.'),
  }, { description: 'A scratch directory that lives as long as the pod.' })),
  hostPath: core('HostPathVolumeSource', obj({
    path: str('Path on the node.'),
    type: str('What must be at the path: "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice.'),
  }, { required: ['path'], description: 'A file or directory of the node.' })),
  configMap: core('ConfigMapVolumeSource', obj({
    name: str('Name of the ConfigMap.'),
    items: atomicList(keyToPath, 'Keys to project; all keys when empty.'),
    defaultMode: int32('Mode bits for created files; 0644 by default.'),
    optional: bool('Whether the ConfigMap or its keys may be missing.'),
  }, { description: 'Files made from the keys of a ConfigMap.' })),
  secret: core('SecretVolumeSource', obj({
    secretName: str('Name of the Secret.'),
    items: atomicList(keyToPath, 'Keys to project; all keys when empty.'),
    defaultMode: int32('Mode bits for created files; 0644 by default.'),
    optional: bool('Whether the Secret or its keys may be missing.'),
  }, { description: 'Files made from the keys of a Secret.' })),
  persistentVolumeClaim: core('PersistentVolumeClaimVolumeSource', obj({
    claimName: str('Name of a PersistentVolumeClaim in the pod\'s namespace.'),
    readOnly: bool('Mount read-only.'),
  }, { required: ['claimName'], description: 'The volume bound to a PersistentVolumeClaim.' })),
  projected: core('ProjectedVolumeSource', obj({
    sources: atomicList(volumeProjection, 'Sources merged into the volume.'),
    defaultMode: int32('Mode bits for created files; 0644 by default.'),
  }, { description: 'Several sources merged into one directory.' })),
  downwardAPI: downwardAPIVolumeSource,
  nfs: core('NFSVolumeSource', obj({
    server: str('NFS server host name or IP.'),
    path: str('Exported path.'),
    readOnly: bool('Mount read-only.'),
  }, { required: ['server', 'path'], description: 'An NFS export.' })),
  csi: free('A volume provided by a CSI driver.'),
  ephemeral: free('A volume provisioned for the pod through a PVC template.'),
  image: core('ImageVolumeSource', obj({
    reference: str('Image or artifact reference.'),
    pullPolicy: str('Always, Never or IfNotPresent.'),
  }, { description: 'An OCI image mounted read-only.' })),
  awsElasticBlockStore: free('An AWS EBS volume (deprecated in favour of CSI).'),
  gitRepo: free('Deprecated: a git repository checkout.'),
  iscsi: free('An iSCSI disk.'),
  fc: free('A Fibre Channel disk.'),
}, { required: ['name'], description: 'A named volume the pod\'s containers can mount.' }));

// ---------------------------------------------------------------------------
// PodSpec, PodStatus, Pod
// ---------------------------------------------------------------------------

export const tolerationSchema = core('Toleration', obj({
  key: str('Taint key the toleration matches; empty with Exists matches all taints.'),
  operator: str('Exists or Equal; Equal by default.'),
  value: str('Taint value to match with Equal.'),
  effect: str('Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; all effects when empty.'),
  tolerationSeconds: int64('For NoExecute: how long the pod stays bound once the taint appears.'),
}, { description: 'Lets a pod schedule onto (or stay on) nodes with a matching taint.' }));

const podSecurityContext = core('PodSecurityContext', obj({
  runAsUser: int64('UID containers run as unless they say otherwise.'),
  runAsGroup: int64('GID containers run as unless they say otherwise.'),
  runAsNonRoot: bool('Refuse to start containers that would run as UID 0.'),
  fsGroup: int64('Group that owns mounted volumes and is added to every container.'),
  fsGroupChangePolicy: str('OnRootMismatch or Always.'),
  supplementalGroups: atomicList(int64(), 'Extra groups for every container process.'),
  supplementalGroupsPolicy: str('Merge or Strict.'),
  sysctls: atomicList(core('Sysctl', obj({ name: str('Sysctl name.'), value: str('Sysctl value.') }, { required: ['name', 'value'] })), 'Namespaced sysctls to set.'),
  seccompProfile,
  appArmorProfile,
  seLinuxOptions: free('SELinux context for all containers.'),
  seLinuxChangePolicy: str('How SELinux labels are applied to volumes.'),
  windowsOptions: free('Windows-specific options.'),
}, { description: 'Security settings for the whole pod.' }));

const topologySpreadConstraint = core('TopologySpreadConstraint', obj({
  maxSkew: int32('Largest allowed difference in matching pods between topology domains.'),
  topologyKey: str('Node label key whose values form the topology domains.'),
  whenUnsatisfiable: str('DoNotSchedule or ScheduleAnyway.'),
  labelSelector: labelSelectorSchema,
  minDomains: int32('Minimum number of eligible domains.'),
  nodeAffinityPolicy: str('Honor or Ignore node affinity when counting.'),
  nodeTaintsPolicy: str('Honor or Ignore node taints when counting.'),
  matchLabelKeys: atomicList(str(), 'Pod label keys whose values are added to the selector.'),
}, { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'], description: 'How matching pods are spread across a topology.' }));

const nodeSelectorRequirement = core('NodeSelectorRequirement', obj({
  key: str('The node label key (in matchFields, the node field: metadata.name) the requirement is about.'),
  operator: str('In, NotIn, Exists, DoesNotExist, Gt or Lt (matchFields: In or NotIn).'),
  values: atomicList(str(), 'Values for In and NotIn (at least one), and Gt and Lt (one integer); none for Exists and DoesNotExist.'),
}, { required: ['key', 'operator'], description: 'One condition on a node label or field: a key, an operator and maybe values.' }));

const nodeSelectorTerm = core('NodeSelectorTerm', obj({
  matchExpressions: atomicList(nodeSelectorRequirement, 'Conditions on node labels.'),
  matchFields: atomicList(nodeSelectorRequirement, 'Conditions on node fields.'),
}, { description: 'Conditions that must all hold; a term without any selects no node.' }));

/** core/v1 NodeSelector: terms ORed, the conditions within a term ANDed. */
export const nodeSelectorSchema = core('NodeSelector', obj({
  nodeSelectorTerms: atomicList(nodeSelectorTerm, 'Terms of which at least one must hold.'),
}, { required: ['nodeSelectorTerms'], description: 'Which nodes are selected: those matching any of the terms.' }));

const podAffinityTerm = core('PodAffinityTerm', obj({
  labelSelector: labelSelectorSchema,
  namespaces: atomicList(str(), 'Namespaces whose pods the selectors apply to; the pod\'s own when neither this nor namespaceSelector is set.'),
  topologyKey: str('Node label key: pods are (not) co-located when their nodes have the same value for it.'),
  namespaceSelector: labelSelectorSchema,
  matchLabelKeys: atomicList(str(), 'Pod label keys whose values in this pod are added to labelSelector as key In (value).'),
  mismatchLabelKeys: atomicList(str(), 'Pod label keys whose values in this pod are added to labelSelector as key NotIn (value).'),
}, { required: ['topologyKey'], description: 'Pods (by label selector and namespaces) to be (not) co-located with, within a topology domain.' }));

const weightedPodAffinityTerm = core('WeightedPodAffinityTerm', obj({
  weight: int32('1-100, added to the score of nodes that satisfy the term.'),
  podAffinityTerm,
}, { required: ['weight', 'podAffinityTerm'], description: 'A pod affinity term and how much it counts.' }));

const podAffinityRules = (kind: 'PodAffinity' | 'PodAntiAffinity', what: string): Schema => core(kind, obj({
  requiredDuringSchedulingIgnoredDuringExecution: atomicList(podAffinityTerm, `Terms a node must satisfy for the pod to be scheduled there: ${what}.`),
  preferredDuringSchedulingIgnoredDuringExecution: atomicList(weightedPodAffinityTerm, `Terms that add to a node's score: ${what}.`),
}, { description: `Inter-pod ${kind === 'PodAffinity' ? 'affinity' : 'anti-affinity'} rules.` }));

const affinitySchema = core('Affinity', obj({
  nodeAffinity: core('NodeAffinity', obj({
    requiredDuringSchedulingIgnoredDuringExecution: nodeSelectorSchema,
    preferredDuringSchedulingIgnoredDuringExecution: atomicList(core('PreferredSchedulingTerm', obj({
      weight: int32('1-100, added to the score of nodes that match.'),
      preference: nodeSelectorTerm,
    }, { required: ['weight', 'preference'], description: 'A node selector term and how much it counts.' })), 'Terms that add to a node\'s score.'),
  }, { description: 'Which nodes the pod may or prefers to run on, by their labels.' })),
  podAffinity: podAffinityRules('PodAffinity', 'running near the pods selected'),
  podAntiAffinity: podAffinityRules('PodAntiAffinity', 'running away from the pods selected'),
}, { description: 'Node affinity, pod affinity and pod anti-affinity rules.' }));

export const podSpecSchema = core('PodSpec', obj({
  volumes: { ...keyedList(volumeSchema, 'name', 'Volumes the pod\'s containers can mount.'), patchStrategy: 'merge,retainKeys' },
  initContainers: keyedList(containerSchema, 'name', 'Containers run in order, each to completion, before the regular containers start.'),
  containers: keyedList(containerSchema, 'name', 'The pod\'s containers; at least one.'),
  ephemeralContainers: keyedList(free('A debugging container added to a running pod.'), 'name', 'Ephemeral debugging containers, added through their own subresource.'),
  restartPolicy: str('Always, OnFailure or Never; Always by default.'),
  terminationGracePeriodSeconds: int64('Seconds between the stop signal and the kill on deletion; 30 by default.'),
  activeDeadlineSeconds: int64('Seconds the pod may run before it is failed.'),
  dnsPolicy: str('ClusterFirst, ClusterFirstWithHostNet, Default or None; ClusterFirst by default.'),
  nodeSelector: strMap('Labels a node must carry for the pod to be scheduled there.'),
  serviceAccountName: str('Service account the pod runs as.'),
  serviceAccount: str('Deprecated alias of serviceAccountName.'),
  automountServiceAccountToken: bool('Whether the service account token is mounted.'),
  nodeName: str('Node the pod is bound to; set by the scheduler.'),
  hostNetwork: bool('Use the node\'s network namespace.'),
  hostPID: bool('Use the node\'s PID namespace.'),
  hostIPC: bool('Use the node\'s IPC namespace.'),
  shareProcessNamespace: bool('Share one PID namespace among the pod\'s containers.'),
  securityContext: podSecurityContext,
  imagePullSecrets: keyedList(localObjectReferenceSchema, 'name', 'Secrets used to pull the images.'),
  hostname: str('Hostname of the pod; the pod name by default.'),
  subdomain: str('Subdomain giving the pod a DNS name under a headless Service.'),
  affinity: affinitySchema,
  schedulerName: str('Scheduler that places the pod; default-scheduler by default.'),
  tolerations: atomicList(tolerationSchema, 'Taints the pod tolerates.'),
  hostAliases: keyedList(core('HostAlias', obj({ ip: str('IP address.'), hostnames: atomicList(str(), 'Hostnames for the IP.') }, { required: ['ip'], description: 'An /etc/hosts entry.' })), 'ip', 'Extra /etc/hosts entries.'),
  priorityClassName: str('PriorityClass giving the pod its priority.'),
  priority: int32('Priority value, filled from the priority class.'),
  dnsConfig: core('PodDNSConfig', obj({
    nameservers: atomicList(str(), 'DNS server IPs, at most 3.'),
    searches: atomicList(str(), 'DNS search domains.'),
    options: atomicList(core('PodDNSConfigOption', obj({ name: str('Option name.'), value: str('Option value.') })), 'resolv.conf options.'),
  }, { description: 'DNS settings merged with those the dnsPolicy produces.' })),
  readinessGates: atomicList(core('PodReadinessGate', obj({ conditionType: str('Pod condition type that must be True.') }, { required: ['conditionType'] })), 'Extra conditions that must be True for the pod to be ready.'),
  runtimeClassName: str('RuntimeClass to run the pod with.'),
  enableServiceLinks: bool('Inject Service environment variables; true by default.'),
  preemptionPolicy: str('PreemptLowerPriority or Never.'),
  overhead: quantityMap('Resources the pod sandbox uses on top of its containers.'),
  topologySpreadConstraints: keyedList(topologySpreadConstraint, 'topologyKey', 'How the pod is spread across topology domains.', ['topologyKey', 'whenUnsatisfiable']),
  setHostnameAsFQDN: bool('Use the fully qualified domain name as hostname.'),
  os: core('PodOS', obj({ name: str('linux or windows.') }, { required: ['name'] })),
  hostUsers: bool('Use the host user namespace; true by default.'),
  schedulingGates: keyedList(core('PodSchedulingGate', obj({ name: str('Gate name.') }, { required: ['name'] })), 'name', 'Gates that keep the pod from being scheduled while present.'),
  resourceClaims: { ...keyedList(free('A resource claim of the pod.'), 'name', 'Dynamic resource claims the pod uses.'), patchStrategy: 'merge,retainKeys' },
  resources: resourceRequirementsSchema,
}, { required: ['containers'], description: 'The desired state of a pod.' }));

const containerState = core('ContainerState', obj({
  waiting: core('ContainerStateWaiting', obj({ reason: str('Why the container is not running yet.'), message: str('Details.') }, { description: 'A container that is not running yet.' })),
  running: core('ContainerStateRunning', obj({ startedAt: time('When the container last started.') }, { description: 'A running container.' })),
  terminated: core('ContainerStateTerminated', obj({
    exitCode: int32('Exit status.'),
    signal: int32('Signal that ended the container.'),
    reason: str('Short reason, e.g. Completed, Error or OOMKilled.'),
    message: str('Details.'),
    startedAt: time('When the container started.'),
    finishedAt: time('When the container ended.'),
    containerID: str('Runtime ID of the container.'),
  }, { required: ['exitCode'], description: 'A container that has ended.' })),
}, { description: 'The state of a container; exactly one member is set.' }));

const containerStatus = core('ContainerStatus', obj({
  name: str('Container name.'),
  state: containerState,
  lastState: containerState,
  ready: bool('Whether the container passes its readiness probe.'),
  restartCount: int32('How many times the container has been restarted.'),
  image: str('Image the container runs.'),
  imageID: str('Resolved image ID.'),
  containerID: str('Runtime container ID, <type>://<id>.'),
  started: bool('Whether the container has started and passed its startup probe.'),
  allocatedResources: quantityMap('Resources the node has allocated to the container.'),
  resources: resourceRequirementsSchema,
  volumeMounts: atomicList(free('A mounted volume.'), 'Volumes mounted in the container.'),
  user: free('Identity the container process runs as.'),
  allocatedResourcesStatus: atomicList(free('Health of an allocated resource.'), 'Health of allocated resources.'),
  stopSignal: str('Signal used to stop the container.'),
}, { required: ['name'], description: 'The observed state of one container.' }));

const podConditionSchema = core('PodCondition', obj({
  type: str('Condition type: PodScheduled, Initialized, ContainersReady, Ready, ...'),
  status: str('True, False or Unknown.'),
  observedGeneration: int64('Pod generation the condition was set for.'),
  lastProbeTime: time('When the condition was last probed.'),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('Machine-readable reason for the last transition.'),
  message: str('Human-readable details.'),
}, { required: ['type', 'status'], description: 'One aspect of the pod\'s state.' }));

const ipSchema = (name: string, what: string): Schema => core(name, obj({ ip: str(`The ${what} address.`) }, { required: ['ip'], description: `One ${what} address.` }));

export const podStatusSchema = core('PodStatus', obj({
  observedGeneration: int64('Pod generation this status was computed for.'),
  phase: str('Pending, Running, Succeeded, Failed or Unknown.'),
  conditions: keyedList(podConditionSchema, 'type', 'Current conditions of the pod.'),
  message: str('Human-readable reason for the pod\'s state.'),
  reason: str('Short reason for the pod\'s state, e.g. Evicted.'),
  nominatedNodeName: str('Node the scheduler plans to place the pod on after preemption.'),
  hostIP: str('IP of the node the pod runs on.'),
  hostIPs: { ...arr(ipSchema('HostIP', 'host IP'), { description: 'IPs of the node, one per family.', listType: 'atomic' }), patchMergeKey: 'ip', patchStrategy: 'merge' },
  podIP: str('IP of the pod.'),
  podIPs: keyedList(ipSchema('PodIP', 'pod IP'), 'ip', 'IPs of the pod, one per family; the first equals podIP.'),
  startTime: time('When the kubelet acknowledged the pod.'),
  initContainerStatuses: atomicList(containerStatus, 'Status of each init container.'),
  containerStatuses: atomicList(containerStatus, 'Status of each container.'),
  ephemeralContainerStatuses: atomicList(containerStatus, 'Status of each ephemeral container.'),
  qosClass: str('Guaranteed, Burstable or BestEffort.'),
  resize: str('Progress of a pending resource resize.'),
  resourceClaimStatuses: atomicList(free('Status of a resource claim.'), 'Generated resource claims.'),
}, { description: 'The observed state of a pod.' }));

export const podTemplateSpecSchema = core('PodTemplateSpec', obj({
  metadata: objectMeta,
  spec: podSpecSchema,
}, { description: 'Metadata and spec of the pods a workload creates.' }));

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------

const timeOf = (t: unknown): number => (typeof t === 'string' ? Date.parse(t) : NaN);
// kubectl's printer takes any condition of the type that is True, not only the first (hasPodReadyCondition).
const conditionTrue = (pod: KObject, type: string): boolean =>
  (pod.status?.conditions ?? []).some((c: KObject) => c?.type === type && c.status === 'True');

export interface PodSummary { ready: string; status: string; restarts: string }

/** READY, STATUS and RESTARTS of `kubectl get pods`, computed as kube-apiserver does. */
export function podSummary(pod: KObject, now = Date.now()): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c?.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  const initSpecs = new Map<string, KObject>();
  let total = (spec.containers ?? []).length;
  for (const c of spec.initContainers ?? []) {
    initSpecs.set(c?.name, c);
    if (c?.restartPolicy === 'Always') total++;
  }
  const sidecar = (name: string) => initSpecs.get(name)?.restartPolicy === 'Always';

  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = NaN;
  let lastSidecarRestart = NaN;
  const later = (a: number, b: number) => (Number.isNaN(a) || b > a ? b : a);

  let initializing = false;
  const initStatuses: KObject[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    restarts += cs.restartCount ?? 0;
    const finished = timeOf(cs.lastState?.terminated?.finishedAt);
    if (cs.lastState?.terminated && !Number.isNaN(finished)) lastRestart = later(lastRestart, finished);
    if (sidecar(cs.name)) {
      sidecarRestarts += cs.restartCount ?? 0;
      if (cs.lastState?.terminated && !Number.isNaN(finished)) lastSidecarRestart = later(lastSidecarRestart, finished);
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (sidecar(cs.name) && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) {
      reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    let errorReason = '';
    const statuses: KObject[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += cs.restartCount ?? 0;
      const finished = timeOf(cs.lastState?.terminated?.finishedAt);
      if (cs.lastState?.terminated && !Number.isNaN(finished)) lastRestart = later(lastRestart, finished);
      const term = cs.state?.terminated;
      if (cs.state?.waiting?.reason) {
        reason = cs.state.waiting.reason;
      } else if (term) {
        reason = term.reason ? term.reason : term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode ?? 0}`;
        if ((term.exitCode ?? 0) !== 0) errorReason = reason;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed') {
      if (hasRunning && conditionTrue(pod, 'Ready')) reason = 'Running';
      else if (errorReason) reason = errorReason;
      else if (hasRunning) reason = 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && !isPodTerminal(pod)) reason = 'Terminating';

  let restartText = String(restarts);
  if (restarts !== 0 && !Number.isNaN(lastRestart)) restartText = `${restarts} (${humanDuration(now - lastRestart)} ago)`;
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText };
}

/** `kubectl get -o wide` CONTAINERS and IMAGES of a pod template: comma-joined names and images. */
export function templateContainers(template: KObject | undefined): { names: string; images: string } {
  const containers: KObject[] = template?.spec?.containers ?? [];
  return { names: containers.map((c) => c?.name ?? '').join(','), images: containers.map((c) => c?.image ?? '').join(',') };
}

/** The wide CONTAINERS, IMAGES and SELECTOR columns every pod-template workload prints. */
export function workloadWideColumns(): Column[] {
  return [
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of the containers in the pod template.', cell: (o) => templateContainers(o.spec?.template).names },
    { name: 'Images', type: 'string', priority: 1, description: 'Images the pod template\'s containers run.', cell: (o) => templateContainers(o.spec?.template).images },
    { name: 'Selector', type: 'string', priority: 1, description: 'Label selector of the pods this workload manages.', cell: (o) => formatLabelSelector(o.spec?.selector) },
  ];
}

// ---------------------------------------------------------------------------
// The kind
// ---------------------------------------------------------------------------

/**
 * The pod's values of a term's matchLabelKeys (as `key In (value)`) and
 * mismatchLabelKeys (`key NotIn (value)`) join its label selector, once, when
 * the pod is created; keys the pod has no label for are skipped, and a term
 * without a selector selects nothing anyway.
 */
function mergeLabelKeys(term: unknown, labels: Record<string, unknown>): void {
  if (!isObject(term) || !isObject(term.labelSelector)) return;
  const selector = term.labelSelector;
  for (const [field, operator] of [['matchLabelKeys', 'In'], ['mismatchLabelKeys', 'NotIn']] as const) {
    for (const key of Array.isArray(term[field]) ? term[field] : []) {
      if (typeof key !== 'string' || typeof labels[key] !== 'string') continue;
      if (!Array.isArray(selector.matchExpressions)) selector.matchExpressions = [];
      selector.matchExpressions.push({ key, operator, values: [labels[key]] });
    }
  }
}

/** kube's mutatePodAffinity (MatchLabelKeysInPodAffinity, on by default in v1.32): every pod (anti-)affinity term. */
function mergeAffinityLabelKeys(p: KObject): void {
  const labels = isObject(p.metadata?.labels) ? p.metadata.labels : {};
  for (const rules of [p.spec?.affinity?.podAffinity, p.spec?.affinity?.podAntiAffinity]) {
    if (!isObject(rules)) continue;
    const preferred = rules.preferredDuringSchedulingIgnoredDuringExecution;
    const hard = rules.requiredDuringSchedulingIgnoredDuringExecution;
    for (const weighted of Array.isArray(preferred) ? preferred : []) mergeLabelKeys(weighted?.podAffinityTerm, labels);
    for (const term of Array.isArray(hard) ? hard : []) mergeLabelKeys(term, labels);
  }
}

function syncIPs(status: KObject, single: string, plural: string): void {
  const list = Array.isArray(status[plural]) ? status[plural] : [];
  if (list.length === 0 && typeof status[single] === 'string' && status[single]) status[plural] = [{ ip: status[single] }];
  else if (list.length > 0 && isObject(list[0]) && list[0].ip) status[single] = list[0].ip;
}

export const pod: Kind = {
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod',
  shortNames: ['po'], categories: ['all'], namespaced: true,
  /** streaming: log, exec, attach and portforward, served by the node's agent over NATS. */
  subresources: { status: true, binding: true, streaming: true },
  hasGeneration: false,
  schema: core('Pod', obj({
    ...typeMeta,
    spec: podSpecSchema,
    status: podStatusSchema,
  }, { description: 'A group of containers scheduled together onto one node.', gvk: { group: '', version: 'v1', kind: 'Pod' } })),

  defaults(p) {
    if (!isObject(p.spec)) p.spec = {};
    defaultPodOnlyFields(p.spec);
    defaultPodSpec(p.spec);
    if (isObject(p.status)) {
      syncIPs(p.status, 'podIP', 'podIPs');
      syncIPs(p.status, 'hostIP', 'hostIPs');
    }
  },

  prepareForCreate(p) {
    const status: KObject = { phase: 'Pending', qosClass: podQOSClass(p.spec) };
    if (Array.isArray(p.spec?.schedulingGates) && p.spec.schedulingGates.length > 0) {
      status.conditions = [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: null, reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }];
    }
    p.status = status;
    mergeAffinityLabelKeys(p);
  },

  // Kubernetes deletes unscheduled and finished pods at once; others get their grace period.
  gracefulDeletion(p) {
    return !!p.spec?.nodeName && !isPodTerminal(p);
  },

  validate(p, old): Cause[] {
    const causes = old
      ? [...validatePodSpec(p.spec, 'spec', { old: old.spec }), ...validatePodSpecUpdate(p.spec, old.spec, 'spec')]
      : validatePodSpec(p.spec, 'spec', { pod: true });
    return firstPerField(causes);
  },

  returnDeletedObject: true,
  columns: [
    nameColumn,
    { name: 'Ready', type: 'string', priority: 0, description: 'Ready containers out of all containers of the pod.', cell: (o) => podSummary(o).ready },
    { name: 'Status', type: 'string', priority: 0, description: 'The pod\'s state as kubectl summarizes it from phase and container states.', cell: (o) => podSummary(o).status },
    { name: 'Restarts', type: 'string', priority: 0, description: 'Container restarts, and how long ago the latest one happened.', cell: (o) => podSummary(o).restarts },
    ageColumn,
    { name: 'IP', type: 'string', priority: 1, description: 'The pod\'s IP address.', cell: (o) => o.status?.podIPs?.[0]?.ip || o.status?.podIP || '<none>' },
    { name: 'Node', type: 'string', priority: 1, description: 'The node the pod is bound to.', cell: (o) => o.spec?.nodeName || '<none>' },
    { name: 'Nominated Node', type: 'string', priority: 1, description: 'The node the scheduler nominated after preemption.', cell: (o) => o.status?.nominatedNodeName || '<none>' },
    {
      name: 'Readiness Gates', type: 'string', priority: 1, description: 'Readiness gates that are True, out of all gates.',
      cell: (o) => {
        const gates: KObject[] = o.spec?.readinessGates ?? [];
        if (gates.length === 0) return '<none>';
        const met = gates.filter((g) => podCondition(o, g?.conditionType)?.status === 'True').length;
        return `${met}/${gates.length}`;
      },
    },
  ],

  fields: {
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy ?? '',
    'spec.schedulerName': (o) => o.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
    'status.phase': (o) => o.status?.phase ?? '',
    'status.podIP': (o) => o.status?.podIPs?.[0]?.ip ?? o.status?.podIP ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
};
