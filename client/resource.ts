import type { OwnerReference } from '../api/owner-references.js';

/**
 * Which collection a request talks to. `resource` is the plural the URL uses
 * (`pods`, `deployments`), not the Kind.
 */
export interface ResourceRef {
  /** '' for the core group, served under /api. */
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
}

export type { OwnerReference };

/** The metadata fields the client machinery relies on; servers send more. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

/** An object as it travels over the wire. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

/** The default object type when the caller does not name one: any fields. */
export type AnyObject = KubeObject & Record<string, any>;

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export function apiVersionOf(ref: Pick<ResourceRef, 'group' | 'version'>): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

/**
 * The URL path of a collection, an object or one of its subresources. A
 * namespaced resource without a namespace addresses all namespaces, which only
 * a collection request (list, watch) may do.
 */
export function resourcePath(ref: ResourceRef, target: { namespace?: string; name?: string; subresource?: string } = {}): string {
  const root = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (!ref.namespaced && target.namespace) {
    throw new Error(`${ref.resource} is cluster-scoped; a namespace (${target.namespace}) cannot be given`);
  }
  if (ref.namespaced && !target.namespace && target.name !== undefined) {
    throw new Error(`${ref.resource} is namespaced; a namespace is required to address ${target.name}`);
  }
  if (target.subresource && target.name === undefined) {
    throw new Error(`subresource ${target.subresource} needs an object name`);
  }
  let path = root;
  if (target.namespace) path += `/namespaces/${encodeURIComponent(target.namespace)}`;
  path += `/${ref.resource}`;
  if (target.name !== undefined) {
    if (!target.name) throw new Error(`an empty name cannot address a ${ref.resource} object`);
    path += `/${encodeURIComponent(target.name)}`;
  }
  if (target.subresource) path += `/${target.subresource}`;
  return path;
}
