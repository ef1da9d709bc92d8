import type { Schema } from './schema.js';
import type { Cause } from './validation/field-errors.js';
import type { NameRule } from './validation/names.js';

/** A stored Kubernetes object; its shape is checked against its kind's schema. */
export type KObject = Record<string, any>;

/** One column of `kubectl get`, served as a server-side Table. */
export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  /** 0 shows by default, 1 only with `-o wide`. */
  priority: 0 | 1;
  cell(obj: KObject): string | number | boolean | null;
}

/** The scale subresource: where a kind keeps its replica counts. */
export interface ScaleSubresource {
  specReplicasPath: string[];
  statusReplicasPath: string[];
  labelSelectorPath: string[];
  /** The selector there is a plain label map (a ReplicationController's), not a metav1.LabelSelector. */
  labelSelectorIsMap?: boolean;
}

/**
 * Everything the API server knows about one kind, declared in one place:
 * names for discovery, the schema, defaults, validation, printer columns,
 * field selectors and the storage strategy.
 */
export interface Kind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  schema: Schema;
  /** Subresources: status, scale and binding as in kube; approval (CSRs) and token (service accounts). */
  subresources?: { status?: boolean; scale?: ScaleSubresource; binding?: boolean; approval?: boolean; token?: boolean; streaming?: boolean };
  /** metadata.generation counts spec changes. */
  hasGeneration?: boolean;
  /** Fills defaults in place, the way the kind's defaulting functions do. */
  defaults?(obj: KObject): void;
  /** How metadata.name is checked (DNS subdomain when unset). */
  nameRule?: NameRule;
  /**
   * Semantic validation of the kind's own fields beyond the schema (the API
   * server checks metadata itself); `old` is set on update, for immutability.
   */
  validate?(obj: KObject, old?: KObject): Cause[];
  /**
   * Carries over what an update may leave out (allocated values) and stamps
   * what changes with it, before defaults and validation run.
   */
  prepareForUpdate?(obj: KObject, old: KObject, subresource?: string): void;
  /** A status update may change annotations too, as kube's Deployment status strategy allows (its controller records revisions so). */
  statusUpdatesAnnotations?: boolean;
  /** Resets what a create may not set (status, usually). */
  prepareForCreate?(obj: KObject): void;
  /**
   * Pods bound to a node terminate gracefully: deletion only marks them and
   * the node's agent removes them once their containers have stopped.
   */
  gracefulDeletion?(obj: KObject): boolean;
  /**
   * Kinds with their own finalization (a Namespace's spec.finalizers) mark
   * the object on delete and answer true while it must stay.
   */
  holdDeletion?(obj: KObject): boolean;
  /** Why an object may not be deleted at all (the system namespaces), or undefined. */
  forbidDeletion?(obj: KObject): string | undefined;
  /** DELETE answers with the object itself rather than a Success Status. */
  returnDeletedObject?: boolean;
  /** PUT to a missing object creates it (leases, endpoints, events). */
  allowCreateOnUpdate?: boolean;
  /** The verbs served, when not all of them (namespaces have no deletecollection). */
  verbs?: string[];
  /**
   * Never stored: a create is answered by the API server itself, which fills
   * in the object's status and sends it back (the access reviews of
   * authorization.k8s.io). Such a kind has no etcd storage, watch or list,
   * serves only `verbs` (create), and its metadata must stay empty.
   */
  virtual?: boolean;
  columns: Column[];
  /** Field selectors beyond metadata.name and metadata.namespace. */
  fields?: Record<string, (obj: KObject) => string | undefined>;
}

export function apiVersionOf(kind: Pick<Kind, 'group' | 'version'>): string {
  return kind.group ? `${kind.group}/${kind.version}` : kind.version;
}
