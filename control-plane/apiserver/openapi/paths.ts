import type { Kind } from '../../../api/kind.js';
import { definitionName, gvkOf, groupVersionPath, listDefinitionName, type Gvk } from './definitions.js';
import { API_RESOURCE_LIST, DELETE_OPTIONS, PATCH, STATUS } from './meta.js';

/**
 * The REST operations the API server serves for each kind, in a neutral form
 * the v2 and v3 writers both render: kube's paths, operation ids, actions and
 * query parameters, derived from the kind declarations alone.
 */

export type ParamName =
  | 'name' | 'namespace' | 'pretty'
  | 'dryRun' | 'fieldManager' | 'fieldValidation' | 'force'
  | 'labelSelector' | 'fieldSelector' | 'limit' | 'continue' | 'resourceVersion' | 'resourceVersionMatch'
  | 'watch' | 'timeoutSeconds' | 'allowWatchBookmarks' | 'sendInitialEvents'
  | 'gracePeriodSeconds' | 'propagationPolicy' | 'orphanDependents';

export interface ParamSpec {
  in: 'query' | 'path';
  type: 'string' | 'integer' | 'boolean';
  description: string;
  required?: boolean;
}

export const PARAMETERS: Record<Exclude<ParamName, 'name'>, ParamSpec> = {
  namespace: { in: 'path', type: 'string', required: true, description: 'The namespace of the objects: a scope for names, such as a team or a project.' },
  pretty: { in: 'query', type: 'string', description: 'If \'true\', the output is pretty printed.' },
  dryRun: { in: 'query', type: 'string', description: 'When present, the request goes through every check but nothing is persisted. The only valid value is All.' },
  fieldManager: { in: 'query', type: 'string', description: 'The name of the actor making the change, recorded in the managed fields; at most 128 printable characters.' },
  fieldValidation: {
    in: 'query', type: 'string',
    description: 'How the server treats unknown or duplicate fields in the object sent (POST, PUT, PATCH): Ignore drops them silently; Warn, the default, drops them and says so in a Warning header; Strict rejects the request with 400 Bad Request listing them.',
  },
  force: { in: 'query', type: 'boolean', description: 'Forces an apply patch, taking over the fields other managers own. Must be unset for other patch types.' },
  labelSelector: { in: 'query', type: 'string', description: 'Only the objects whose labels match this selector. Defaults to every object.' },
  fieldSelector: { in: 'query', type: 'string', description: 'Only the objects whose fields match this selector. Defaults to every object.' },
  limit: { in: 'query', type: 'integer', description: 'The most objects one list response holds; when more remain, the list metadata carries a continue token to fetch the next chunk with.' },
  continue: { in: 'query', type: 'string', description: 'The continue token of a previous limited list, to fetch the next chunk. The other query parameters must not change.' },
  resourceVersion: { in: 'query', type: 'string', description: 'Which version of the data a read is served from, as resourceVersionMatch says; for a watch, the version to start after.' },
  resourceVersionMatch: { in: 'query', type: 'string', description: 'How resourceVersion applies to a list: Exact, or NotOlderThan (the default when resourceVersion is set).' },
  watch: { in: 'query', type: 'boolean', description: 'Streams the additions, updates and removals of the objects instead of listing them.' },
  timeoutSeconds: { in: 'query', type: 'integer', description: 'How long a list or watch call may last, whatever happens.' },
  allowWatchBookmarks: { in: 'query', type: 'boolean', description: 'Asks for BOOKMARK events, which carry only a resourceVersion and which the server sends when it sees fit.' },
  sendInitialEvents: { in: 'query', type: 'boolean', description: 'With watch=true, starts the stream with an ADDED event for every current object, then a BOOKMARK annotated k8s.io/initial-events-end.' },
  gracePeriodSeconds: { in: 'query', type: 'integer', description: 'Seconds the object has to terminate before it is deleted; zero deletes it at once, unset uses the kind\'s default.' },
  propagationPolicy: { in: 'query', type: 'string', description: 'How dependents are garbage collected: Orphan, Background or Foreground.' },
  orphanDependents: { in: 'query', type: 'boolean', description: 'Deprecated in favour of propagationPolicy: whether dependents are orphaned rather than garbage collected.' },
};

export function paramSpec(name: ParamName, kind: string): ParamSpec {
  if (name === 'name') return { in: 'path', type: 'string', required: true, description: `The name of the ${kind}.` };
  return PARAMETERS[name];
}

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface Response {
  code: '200' | '201' | '202' | '401';
  description: string;
  schema?: string;
}

export interface Operation {
  method: Method;
  operationId: string;
  description: string;
  action: 'list' | 'post' | 'deletecollection' | 'get' | 'put' | 'patch' | 'delete';
  /** Absent on discovery operations. */
  gvk?: Gvk;
  tag: string;
  /** Operation-level parameters. */
  params: ParamName[];
  /** Request body: a definition name and the media types it is accepted in. */
  body?: { schema: string; required: boolean; consumes: string[] };
  produces: string[];
  responses: Response[];
}

export interface PathItem {
  path: string;
  /** `api/v1` or `apis/<group>/<version>`: the v3 document serving the path. */
  groupVersion: string;
  /** The kind the path's name parameter is described with. */
  kindName: string;
  /** Path-level parameters. */
  params: ParamName[];
  operations: Operation[];
}

/** The patch media types Skiff accepts (server-side apply is not served). */
export const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
export const PRODUCES = ['application/json', 'application/yaml'];
export const PRODUCES_LIST = ['application/json', 'application/yaml', 'application/json;stream=watch'];

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** kube's friendly group name: Core, Apps, Storage (storage.k8s.io), RbacAuthorization (rbac.authorization.k8s.io). */
export function groupPart(group: string): string {
  if (!group) return 'Core';
  return group.replace(/\.k8s\.io$/, '').split(/[.-]/).filter(Boolean).map(capitalize).join('');
}

/** The operation tag: core_v1, apps_v1, rbacAuthorization_v1. */
export function tagOf(group: string, version: string): string {
  const g = groupPart(group);
  return `${g.charAt(0).toLowerCase()}${g.slice(1)}_${version}`;
}

const LIST_PARAMS: ParamName[] = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'];
const WRITE_PARAMS: ParamName[] = ['dryRun', 'fieldManager', 'fieldValidation'];
const PATCH_PARAMS: ParamName[] = ['dryRun', 'fieldManager', 'fieldValidation', 'force'];
const DELETE_PARAMS: ParamName[] = ['dryRun', 'gracePeriodSeconds', 'orphanDependents', 'propagationPolicy'];
const DELETE_COLLECTION_PARAMS: ParamName[] = [
  'continue', 'dryRun', 'fieldSelector', 'gracePeriodSeconds', 'labelSelector', 'limit', 'orphanDependents', 'propagationPolicy',
  'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds',
];

const UNAUTHORIZED: Response = { code: '401', description: 'Unauthorized' };
const ok = (schema: string): Response => ({ code: '200', description: 'OK', schema });
const created = (schema: string): Response => ({ code: '201', description: 'Created', schema });
const accepted = (schema: string): Response => ({ code: '202', description: 'Accepted', schema });

interface Target {
  /** The kind named in the operation id (the parent kind for subresources). */
  kind: Kind;
  /** The kind the operations carry and exchange. */
  gvk: Gvk;
  schema: string;
  /** Capitalized subresource for the operation id: Status, Scale, Binding, Finalize. */
  suffix: string;
  /** read the specified Pod / read status of the specified Pod. */
  what: string;
}

function opId(verb: string, t: Target, scoped: boolean, allNamespaces = false): string {
  const k = t.kind;
  return `${verb}${groupPart(k.group)}${capitalize(k.version)}${scoped && k.namespaced && !allNamespaces ? 'Namespaced' : ''}${k.kind}${t.suffix}${allNamespaces ? 'ForAllNamespaces' : ''}`;
}

function readOp(t: Target, tag: string): Operation {
  return {
    method: 'get', action: 'get', operationId: opId('read', t, true), description: `read ${t.what}`, gvk: t.gvk, tag,
    params: [], produces: PRODUCES, responses: [ok(t.schema), UNAUTHORIZED],
  };
}

function replaceOp(t: Target, tag: string): Operation {
  return {
    method: 'put', action: 'put', operationId: opId('replace', t, true), description: `replace ${t.what}`, gvk: t.gvk, tag,
    params: WRITE_PARAMS, body: { schema: t.schema, required: true, consumes: ['*/*'] }, produces: PRODUCES,
    responses: [ok(t.schema), created(t.schema), UNAUTHORIZED],
  };
}

function patchOp(t: Target, tag: string): Operation {
  return {
    method: 'patch', action: 'patch', operationId: opId('patch', t, true), description: `partially update ${t.what}`, gvk: t.gvk, tag,
    params: PATCH_PARAMS, body: { schema: PATCH, required: true, consumes: PATCH_TYPES }, produces: PRODUCES,
    responses: [ok(t.schema), created(t.schema), UNAUTHORIZED],
  };
}

/** Every path of one kind: collection, item, cross-namespace list and subresources. */
export function kindPaths(kind: Kind, extra: Kind[]): PathItem[] {
  const gv = groupVersionPath(kind);
  const prefix = `/${gv}`;
  const tag = tagOf(kind.group, kind.version);
  const gvk = gvkOf(kind);
  const schema = definitionName(kind);
  const list = listDefinitionName(kind);
  const self: Target = { kind, gvk, schema, suffix: '', what: `the specified ${kind.kind}` };
  const collection = kind.namespaced ? `${prefix}/namespaces/{namespace}/${kind.plural}` : `${prefix}/${kind.plural}`;
  const item = `${collection}/{name}`;
  const scope: ParamName[] = kind.namespaced ? ['namespace'] : [];
  const paths: PathItem[] = [];

  if (kind.virtual) {
    // Never stored: only a create, answered with the filled-in object.
    return [{
      path: collection, groupVersion: gv, kindName: kind.kind, params: [...scope, 'pretty'],
      operations: [{
        method: 'post', action: 'post', operationId: opId('create', self, true), description: `create a ${kind.kind}`, gvk, tag,
        params: WRITE_PARAMS, body: { schema, required: true, consumes: ['*/*'] }, produces: PRODUCES,
        responses: [ok(schema), created(schema), accepted(schema), UNAUTHORIZED],
      }],
    }];
  }

  paths.push({
    path: collection, groupVersion: gv, kindName: kind.kind, params: [...scope, 'pretty'],
    operations: [
      {
        method: 'get', action: 'list', operationId: opId('list', self, true), description: `list or watch objects of kind ${kind.kind}`, gvk, tag,
        params: LIST_PARAMS, produces: PRODUCES_LIST, responses: [ok(list), UNAUTHORIZED],
      },
      {
        method: 'post', action: 'post', operationId: opId('create', self, true), description: `create a ${kind.kind}`, gvk, tag,
        params: WRITE_PARAMS, body: { schema, required: true, consumes: ['*/*'] }, produces: PRODUCES,
        responses: [ok(schema), created(schema), accepted(schema), UNAUTHORIZED],
      },
      {
        method: 'delete', action: 'deletecollection', operationId: opId('deleteCollection', self, true), description: `delete collection of ${kind.kind}`, gvk, tag,
        params: DELETE_COLLECTION_PARAMS, body: { schema: DELETE_OPTIONS, required: false, consumes: ['*/*'] }, produces: PRODUCES,
        responses: [ok(STATUS), UNAUTHORIZED],
      },
    ],
  });

  paths.push({
    path: item, groupVersion: gv, kindName: kind.kind, params: ['name', ...scope, 'pretty'],
    operations: [
      readOp(self, tag),
      replaceOp(self, tag),
      patchOp(self, tag),
      {
        method: 'delete', action: 'delete', operationId: opId('delete', self, true), description: `delete a ${kind.kind}`, gvk, tag,
        params: DELETE_PARAMS, body: { schema: DELETE_OPTIONS, required: false, consumes: ['*/*'] }, produces: PRODUCES,
        responses: [ok(schema), accepted(schema), UNAUTHORIZED],
      },
    ],
  });

  if (kind.namespaced) {
    paths.push({
      path: `${prefix}/${kind.plural}`, groupVersion: gv, kindName: kind.kind, params: ['pretty'],
      operations: [{
        method: 'get', action: 'list', operationId: opId('list', self, true, true), description: `list or watch objects of kind ${kind.kind}`, gvk, tag,
        params: LIST_PARAMS, produces: PRODUCES_LIST, responses: [ok(list), UNAUTHORIZED],
      }],
    });
  }

  if (kind.subresources?.status) {
    const t: Target = { kind, gvk, schema, suffix: 'Status', what: `status of the specified ${kind.kind}` };
    paths.push({
      path: `${item}/status`, groupVersion: gv, kindName: kind.kind, params: ['name', ...scope, 'pretty'],
      operations: [readOp(t, tag), replaceOp(t, tag), patchOp(t, tag)],
    });
  }

  const scale = extra.find((k) => k.kind === 'Scale');
  if (kind.subresources?.scale && scale) {
    const t: Target = { kind, gvk: gvkOf(scale), schema: definitionName(scale), suffix: 'Scale', what: `scale of the specified ${kind.kind}` };
    paths.push({
      path: `${item}/scale`, groupVersion: gv, kindName: scale.kind, params: ['name', ...scope, 'pretty'],
      operations: [readOp(t, tag), replaceOp(t, tag), patchOp(t, tag)],
    });
  }

  const binding = extra.find((k) => k.kind === 'Binding');
  if (kind.subresources?.binding && binding) {
    const b = definitionName(binding);
    const t: Target = { kind, gvk: gvkOf(binding), schema: b, suffix: 'Binding', what: '' };
    paths.push({
      path: `${item}/binding`, groupVersion: gv, kindName: binding.kind, params: ['name', ...scope],
      operations: [{
        method: 'post', action: 'post', operationId: opId('create', t, true), description: `create binding of a ${kind.kind}`, gvk: t.gvk, tag,
        params: [...WRITE_PARAMS, 'pretty'], body: { schema: b, required: true, consumes: ['*/*'] }, produces: PRODUCES,
        responses: [ok(b), created(b), accepted(b), UNAUTHORIZED],
      }],
    });
  }

  // Namespaces hand their spec.finalizers to the namespace controller through namespaces/{name}/finalize.
  if (kind.group === '' && kind.kind === 'Namespace') {
    const t: Target = { kind, gvk, schema, suffix: 'Finalize', what: `finalize of the specified ${kind.kind}` };
    paths.push({
      path: `${item}/finalize`, groupVersion: gv, kindName: kind.kind, params: ['name', 'pretty'],
      operations: [replaceOp(t, tag)],
    });
  }
  return paths;
}

/** GET /api/v1/ and /apis/<group>/<version>/: the group version's resource list. */
export function resourceListPath(group: string, version: string): PathItem {
  const gv = groupVersionPath({ group, version });
  return {
    path: `/${gv}/`, groupVersion: gv, kindName: '', params: [],
    operations: [{
      method: 'get', action: 'get', operationId: `get${groupPart(group)}${capitalize(version)}APIResources`, description: 'get available resources',
      tag: tagOf(group, version), params: [], produces: PRODUCES, responses: [ok(API_RESOURCE_LIST), UNAUTHORIZED],
    }],
  };
}

/** The resource paths of every kind, with each group version's resource list first. */
export function resourcePaths(kinds: Kind[], extra: Kind[]): PathItem[] {
  const out: PathItem[] = [];
  const listed = new Set<string>();
  for (const k of kinds) {
    const gv = groupVersionPath(k);
    if (!listed.has(gv)) {
      listed.add(gv);
      out.push(resourceListPath(k.group, k.version));
    }
  }
  for (const k of kinds) out.push(...kindPaths(k, extra));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
