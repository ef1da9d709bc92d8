import { listMeta } from '../../../api/object-meta.js';
import { arr, bool, int32, int64, named, obj, str, type Schema } from '../../../api/schema.js';

/**
 * The apimachinery types the API server speaks besides the kinds it stores:
 * what errors, deletes, watches, patches and discovery look like on the wire.
 * Declared with the same DSL as the kinds so the OpenAPI walker treats them
 * alike.
 */

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const WATCH_EVENT = `${META}.WatchEvent`;
export const PATCH = `${META}.Patch`;
export const API_RESOURCE_LIST = `${META}.APIResourceList`;
export const API_VERSIONS = `${META}.APIVersions`;
export const API_GROUP_LIST = `${META}.APIGroupList`;
export const API_GROUP = `${META}.APIGroup`;
export const VERSION_INFO = 'io.k8s.apimachinery.pkg.version.Info';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

const apiVersion = str('The versioned schema of this representation of an object, as group/version.');
const kind = str('The REST resource this object represents, in CamelCase.');

const statusCause = named(`${META}.StatusCause`, obj({
  reason: str('A machine-readable word for the cause of the error; may be empty.'),
  message: str('A human-readable account of the cause of the error.'),
  field: str('The field of the resource that caused the error, as a JSON path such as "spec.containers[0].name".'),
}, { description: 'One cause of an error: a field, a reason and a message.' }));

const statusDetails = named(`${META}.StatusDetails`, obj({
  name: str('The name attribute of the resource the status is about, when there is one.'),
  group: str('The group of the resource the status is about.'),
  kind: str('The kind of the resource the status is about.'),
  uid: str('The UID of the resource the status is about, when there is one.'),
  causes: arr(statusCause, { listType: 'atomic', description: 'Extended data about the error; with several causes, each one is listed.' }),
  retryAfterSeconds: int32('When set, the number of seconds a client should wait before trying the operation again.'),
}, { description: 'Extra data a Status may carry about the resource and its error causes.' }));

export const status = named(STATUS, obj({
  apiVersion,
  kind,
  metadata: listMeta,
  status: str('Either "Success" or "Failure".'),
  message: str('A human-readable description of the outcome.'),
  reason: str('A machine-readable, CamelCase word for why the operation failed; empty when unknown.'),
  details: statusDetails,
  code: int32('The HTTP status code of the response, when there is one.'),
}, { description: 'The result of an operation that does not return an object: an error, or a success without a body.' }));

const preconditions = named(`${META}.Preconditions`, obj({
  uid: str('The object\'s UID must match this one.'),
  resourceVersion: str('The object\'s resourceVersion must match this one.'),
}, { description: 'Conditions an object must meet before the operation is carried out; it fails with 409 Conflict otherwise.' }));

export const deleteOptions = named(DELETE_OPTIONS, obj({
  apiVersion,
  kind,
  gracePeriodSeconds: int64('Seconds the object has to terminate before it is deleted; zero deletes it at once, unset uses the kind\'s default.'),
  preconditions,
  orphanDependents: bool('Deprecated in favour of propagationPolicy: whether dependents are orphaned rather than garbage collected.'),
  propagationPolicy: str('How dependents are garbage collected: Orphan, Background or Foreground.'),
  dryRun: arr(str(), { listType: 'atomic', description: 'When present, the request is checked but nothing is persisted. The only valid value is All.' }),
}, { description: 'Options of a DELETE request.' }));

const rawExtension: Schema = named('io.k8s.apimachinery.pkg.runtime.RawExtension', {
  type: 'object',
  description: 'An embedded object of any kind, serialized as it is.',
});

export const watchEvent = named(WATCH_EVENT, obj({
  type: str('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
  object: rawExtension,
}, { required: ['type', 'object'], description: 'One event of a watch stream.' }));

export const patch = named(PATCH, {
  type: 'object',
  description: 'The body of a PATCH request: a JSON patch, a JSON merge patch or a strategic merge patch, as the Content-Type says.',
});

const apiResource = named(`${META}.APIResource`, obj({
  name: str('The plural name of the resource, or resource/subresource.'),
  singularName: str('The singular name of the resource, as kubectl accepts it.'),
  namespaced: bool('Whether the resource lives in namespaces.'),
  group: str('The group of the resource when it differs from the list\'s.'),
  version: str('The version of the resource when it differs from the list\'s.'),
  kind: str('The kind of the resource, e.g. Pod for pods and Scale for deployments/scale.'),
  verbs: arr(str(), { description: 'The verbs the resource supports: get, list, watch, create, update, patch, delete, deletecollection.' }),
  shortNames: arr(str(), { listType: 'atomic', description: 'Short aliases of the resource.' }),
  categories: arr(str(), { listType: 'atomic', description: 'The groups of resources the resource belongs to, such as "all".' }),
  storageVersionHash: str('An opaque hash of the version objects are stored in.'),
}, { required: ['name', 'singularName', 'namespaced', 'kind', 'verbs'], description: 'One resource served in a group version.' }));

export const apiResourceList = named(API_RESOURCE_LIST, obj({
  apiVersion,
  kind,
  groupVersion: str('The group version the resources belong to.'),
  resources: arr(apiResource, { listType: 'atomic', description: 'The resources of the group version.' }),
}, { required: ['groupVersion', 'resources'], description: 'The resources served in one group version, and what can be done with them.' }));

const serverAddress = named(`${META}.ServerAddressByClientCIDR`, obj({
  clientCIDR: str('The client network this address is meant for.'),
  serverAddress: str('The address, host[:port], clients in that network should use.'),
}, { required: ['clientCIDR', 'serverAddress'], description: 'The address of the server for clients of one network.' }));

const serverAddresses = arr(serverAddress, { listType: 'atomic', description: 'Where clients of each network can reach the server.' });

export const apiVersions = named(API_VERSIONS, obj({
  apiVersion,
  kind,
  versions: arr(str(), { listType: 'atomic', description: 'The versions of the core API.' }),
  serverAddressByClientCIDRs: serverAddresses,
}, { required: ['versions', 'serverAddressByClientCIDRs'], description: 'The versions of the core API served at /api.' }));

const groupVersionForDiscovery = named(`${META}.GroupVersionForDiscovery`, obj({
  groupVersion: str('The group version, as group/version.'),
  version: str('The version alone.'),
}, { required: ['groupVersion', 'version'], description: 'One version of an API group.' }));

export const apiGroup = named(API_GROUP, obj({
  apiVersion,
  kind,
  name: str('The name of the group.'),
  versions: arr(groupVersionForDiscovery, { listType: 'atomic', description: 'The versions the group is served in.' }),
  preferredVersion: groupVersionForDiscovery,
  serverAddressByClientCIDRs: serverAddresses,
}, { required: ['name', 'versions'], description: 'An API group and its versions.' }));

export const apiGroupList = named(API_GROUP_LIST, obj({
  apiVersion,
  kind,
  groups: arr(apiGroup, { listType: 'atomic', description: 'The named API groups.' }),
}, { required: ['groups'], description: 'The named API groups served at /apis.' }));

export const versionInfo = named(VERSION_INFO, obj({
  major: str('Major version.'),
  minor: str('Minor version.'),
  gitVersion: str('The full version string.'),
  gitCommit: str('The commit the server was built from.'),
  gitTreeState: str('Whether the build tree was clean.'),
  buildDate: str('When the server was built.'),
  goVersion: str('The runtime the server runs on.'),
  compiler: str('The compiler the server was built with.'),
  platform: str('The operating system and architecture, as os/arch.'),
}, { required: ['major', 'minor', 'gitVersion', 'gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform'], description: 'The version of the server.' }));

/** Descriptions of the two scalar types published as definitions of their own. */
export const INT_OR_STRING_DESCRIPTION = 'IntOrString holds either an int32 or a string, written in JSON or YAML as the one it holds: a port number or a port name, a count or a percentage.';
export const QUANTITY_DESCRIPTION = 'Quantity is a fixed-point number with an optional suffix: a binary one (Ki, Mi, Gi, Ti, Pi, Ei), a decimal one (m, k, M, G, T, P, E) or a decimal exponent (e3, E6). It is written as a string such as "100m", "1.5Gi" or "2"; a plain number is accepted too.';

/** Every apimachinery definition published whatever the kinds. */
export const metaSchemas: Schema[] = [status, deleteOptions, watchEvent, patch, apiResourceList, apiVersions, apiGroupList, apiGroup, versionInfo, listMeta];
