import type { ResourceRef } from './resource.js';

const core = (resource: string, namespaced: boolean): ResourceRef => ({ group: '', version: 'v1', resource, namespaced });

/** The collections Skiff's components talk to, by the names of their kinds. */
export const NAMESPACES = core('namespaces', false);
export const NODES = core('nodes', false);
export const PODS = core('pods', true);
export const SERVICES = core('services', true);
export const ENDPOINTS = core('endpoints', true);
export const EVENTS = core('events', true);
export const SERVICE_ACCOUNTS = core('serviceaccounts', true);
export const PERSISTENT_VOLUMES = core('persistentvolumes', false);
export const PERSISTENT_VOLUME_CLAIMS = core('persistentvolumeclaims', true);
export const CONFIG_MAPS = core('configmaps', true);
export const SECRETS = core('secrets', true);
export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };
export const REPLICA_SETS: ResourceRef = { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true };
export const DAEMON_SETS: ResourceRef = { group: 'apps', version: 'v1', resource: 'daemonsets', namespaced: true };
export const CONTROLLER_REVISIONS: ResourceRef = { group: 'apps', version: 'v1', resource: 'controllerrevisions', namespaced: true };
export const STATEFUL_SETS: ResourceRef = { group: 'apps', version: 'v1', resource: 'statefulsets', namespaced: true };
export const REPLICATION_CONTROLLERS = core('replicationcontrollers', true);
export const INGRESSES: ResourceRef = { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true };
export const INGRESS_CLASSES: ResourceRef = { group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses', namespaced: false };
export const ENDPOINT_SLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true };
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespaced: true };
export const STORAGE_CLASSES: ResourceRef = { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', namespaced: false };
export const VOLUME_ATTACHMENTS: ResourceRef = { group: 'storage.k8s.io', version: 'v1', resource: 'volumeattachments', namespaced: false };
export const CSRS: ResourceRef = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests', namespaced: false };
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', resource: 'jobs', namespaced: true };
export const CRON_JOBS: ResourceRef = { group: 'batch', version: 'v1', resource: 'cronjobs', namespaced: true };
