/**
 * The names Kubernetes reserves for labels, annotations, taints, namespaces
 * and finalizers (k8s.io/api's well_known_labels.go, well_known_taints.go,
 * annotation_key_constants.go and metav1's finalizers), written once for
 * every component that sets or reads them.
 */

// ---- node labels ------------------------------------------------------------

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_OS = 'kubernetes.io/os';
export const LABEL_ARCH = 'kubernetes.io/arch';
/** The deprecated beta forms the node lifecycle controller keeps equal to the stable ones. */
export const LABEL_OS_BETA = 'beta.kubernetes.io/os';
export const LABEL_ARCH_BETA = 'beta.kubernetes.io/arch';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_TOPOLOGY_REGION = 'topology.kubernetes.io/region';
/** The deprecated zone and region labels, still read where the stable ones are missing. */
export const LABEL_FAILURE_DOMAIN_BETA_ZONE = 'failure-domain.beta.kubernetes.io/zone';
export const LABEL_FAILURE_DOMAIN_BETA_REGION = 'failure-domain.beta.kubernetes.io/region';
export const LABEL_INSTANCE_TYPE = 'node.kubernetes.io/instance-type';
export const LABEL_INSTANCE_TYPE_BETA = 'beta.kubernetes.io/instance-type';
/** Nodes with this label never count towards their zone's health in the node lifecycle controller. */
export const LABEL_NODE_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

// ---- Service and endpoint labels --------------------------------------------

/** On an EndpointSlice: the Service it belongs to. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** On an EndpointSlice: the controller (or other agent) that writes it. */
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** On an Endpoints object: "true" keeps the mirroring controller away from it. */
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
/** On Endpoints and EndpointSlices of a Service without a cluster IP. */
export const LABEL_HEADLESS_SERVICE = 'service.kubernetes.io/headless';

// ---- annotations ------------------------------------------------------------

/** When the change that led to this version of the endpoints happened (a pod's readiness, the Service's creation). */
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Set by kubectl apply; never mirrored. */
export const ANNOTATION_LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Leader election records of old components live in Endpoints objects that belong to no Service. */
export const ANNOTATION_LEADER = 'control-plane.alpha.kubernetes.io/leader';
/** Service annotations that turn on topology aware hints (the deprecated one wins when both are set). */
export const ANNOTATION_TOPOLOGY_AWARE_HINTS = 'service.kubernetes.io/topology-aware-hints';
export const ANNOTATION_TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
/** On a pod: the API copy of a static pod its node runs from a file (a mirror pod). */
export const ANNOTATION_MIRROR_POD = 'kubernetes.io/config.mirror';
/** What an object is for, in words, on objects the control plane makes for everyone (kube-root-ca.crt). */
export const ANNOTATION_DESCRIPTION = 'kubernetes.io/description';

// ---- config maps ------------------------------------------------------------

/** In every namespace: the CA bundle that verifies the API server, under the key ca.crt. */
export const CONFIG_MAP_ROOT_CA = 'kube-root-ca.crt';

// ---- node taints ------------------------------------------------------------

/** The node's Ready condition is False. */
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
/** The node's Ready condition is Unknown: the node controller no longer hears from it. */
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
/** The node is cordoned (spec.unschedulable). */
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
/** Put on by an administrator: the node is down for good, its pods may be cleaned up. */
export const TAINT_NODE_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';
/** On a node whose agent runs with --cloud-provider=external, until the cloud-controller-manager has initialized it. */
export const TAINT_NODE_UNINITIALIZED = 'node.cloudprovider.kubernetes.io/uninitialized';
/** On a node whose instance is stopped (shut down, not terminated). */
export const TAINT_NODE_SHUTDOWN = 'node.cloudprovider.kubernetes.io/shutdown';

// ---- namespaces -------------------------------------------------------------

export const NAMESPACE_DEFAULT = 'default';
export const NAMESPACE_SYSTEM = 'kube-system';
export const NAMESPACE_PUBLIC = 'kube-public';
/** Where each node's heartbeat Lease lives. */
export const NAMESPACE_NODE_LEASE = 'kube-node-lease';

// ---- finalizers -------------------------------------------------------------

/** metav1.FinalizerOrphanDependents: the garbage collector orphans the dependents before the object goes. */
export const ORPHAN_FINALIZER = 'orphan';
/** metav1.FinalizerDeleteDependents: the garbage collector deletes the blocking dependents before the object goes. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
/** v1.FinalizerKubernetes, in a Namespace's spec: the namespace controller empties the namespace first. */
export const NAMESPACE_FINALIZER = 'kubernetes';
/**
 * The finalizers of StorageObjectInUseProtection: the API server puts them
 * on every new claim and volume, and the pvc-protection and pv-protection
 * controllers take them off once nothing uses the object.
 */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
