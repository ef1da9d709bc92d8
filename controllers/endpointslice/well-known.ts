/** The labels and annotations the endpoint controllers write and read, as kube names them. */

/** On an EndpointSlice: the Service it belongs to. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** On an EndpointSlice: the controller (or other agent) that writes it. */
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** On an Endpoints object: "true" keeps the mirroring controller away from it. */
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
/** On Endpoints and EndpointSlices of a Service without a cluster IP. */
export const LABEL_HEADLESS_SERVICE = 'service.kubernetes.io/headless';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

/** When the change that led to this version of the endpoints happened (a pod's readiness, the Service's creation). */
export const ANNOTATION_LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
/** Set by kubectl apply; never mirrored. */
export const ANNOTATION_LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Leader election records of old components live in Endpoints objects that belong to no Service. */
export const ANNOTATION_LEADER = 'control-plane.alpha.kubernetes.io/leader';
/** Service annotations that turn on topology aware hints (the deprecated one wins when both are set). */
export const ANNOTATION_TOPOLOGY_AWARE_HINTS = 'service.kubernetes.io/topology-aware-hints';
export const ANNOTATION_TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
