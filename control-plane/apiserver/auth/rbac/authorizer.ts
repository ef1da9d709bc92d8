import type { KObject } from '../../../../api/kind.js';
import { RBAC_GROUP } from '../../../../api/kinds/role.js';
import { serviceAccountUser, type Attributes, type UserAttributes } from './attributes.js';
import { ruleAllows, type PolicyRule } from './rule-matching.js';
import { StoreMirror, type MirrorSink, type MirrorSource } from '../../storage/store-mirror.js';

/** An authorizer's answer. */
export interface Decision {
  allowed: boolean;
  /**
   * Allowed: which binding allowed it, as kube words it (`RBAC: allowed by
   * ClusterRoleBinding "x" of ClusterRole "y" to User "z"`). Denied: '' when
   * nothing applied, or `RBAC: ...` naming the roles that could not be found,
   * which kube appends to its Forbidden message after a colon.
   */
  reason: string;
}

export interface RoleRef {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

interface Subject {
  kind?: string;
  apiGroup?: string;
  name?: string;
  namespace?: string;
}

/** The policy objects themselves, for an authorizer that needs no API server (tests, tools). */
export interface PolicyObjects {
  roles?: KObject[];
  clusterRoles?: KObject[];
  roleBindings?: KObject[];
  clusterRoleBindings?: KObject[];
}

/** The API server's stores of the four RBAC kinds (ResourceStores fit). */
export interface PolicyStores {
  roles: MirrorSource;
  clusterRoles: MirrorSource;
  roleBindings: MirrorSource;
  clusterRoleBindings: MirrorSource;
}

/** The four stores from the API server's lookup by resource and group (`ApiServer.storeFor`). */
export function policyStores(storeFor: (plural: string, group: string) => MirrorSource): PolicyStores {
  return {
    roles: storeFor('roles', RBAC_GROUP),
    clusterRoles: storeFor('clusterroles', RBAC_GROUP),
    roleBindings: storeFor('rolebindings', RBAC_GROUP),
    clusterRoleBindings: storeFor('clusterrolebindings', RBAC_GROUP),
  };
}

interface Binding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  /** '' for ClusterRoleBindings. */
  namespace: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

/** A binding reached through one of its subjects. */
interface Grant {
  binding: Binding;
  subject: Subject;
}

const keyOf = (obj: KObject): string => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
const rulesOf = (obj: KObject): PolicyRule[] => (Array.isArray(obj.rules) ? obj.rules : []);
const userKey = (name: string): string => `u:${name}`;
const groupKey = (name: string): string => `g:${name}`;

/**
 * The subject's lookup key within a binding's scope. A ServiceAccount is the
 * user its tokens authenticate as; in a RoleBinding its namespace defaults
 * to the binding's.
 */
function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User': return userKey(s.name ?? '');
    case 'Group': return groupKey(s.name ?? '');
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns ? userKey(serviceAccountUser(ns, s.name ?? '')) : undefined;
    }
    default: return undefined;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount ${JSON.stringify(`${s.name ?? ''}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name ?? '')}`;
}

function describeGrant({ binding, subject }: Grant): string {
  const name = binding.kind === 'RoleBinding' ? `${binding.name}/${binding.namespace}` : binding.name;
  return `${binding.kind} ${JSON.stringify(name)} of ${binding.roleRef.kind} ${JSON.stringify(binding.roleRef.name ?? '')} to ${describeSubject(subject, binding.namespace)}`;
}

/** Several errors as Go's aggregate error prints them. */
function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}

/**
 * The RBAC objects in memory, indexed for authorization: roles by name,
 * bindings by the subjects they name within their scope (a namespace, or ''
 * for ClusterRoleBindings).
 */
class PolicyIndex {
  readonly roles = new Map<string, PolicyRule[]>();
  readonly clusterRoles = new Map<string, PolicyRule[]>();
  private readonly bindings = new Map<string, Binding>();
  private readonly bySubject = new Map<string, Grant[]>();

  sinkFor(kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding'): MirrorSink {
    if (kind === 'Role' || kind === 'ClusterRole') {
      const map = kind === 'Role' ? this.roles : this.clusterRoles;
      return {
        replace: (items) => {
          map.clear();
          for (const o of items) map.set(keyOf(o), rulesOf(o));
        },
        upsert: (o) => map.set(keyOf(o), rulesOf(o)),
        remove: (o) => map.delete(keyOf(o)),
      };
    }
    const prefix = `${kind}:`;
    return {
      replace: (items) => {
        for (const key of [...this.bindings.keys()]) if (key.startsWith(prefix)) this.removeBinding(key);
        for (const o of items) this.putBinding(kind, o);
      },
      upsert: (o) => this.putBinding(kind, o),
      remove: (o) => this.removeBinding(prefix + keyOf(o)),
    };
  }

  private putBinding(kind: Binding['kind'], o: KObject): void {
    const key = `${kind}:${keyOf(o)}`;
    this.removeBinding(key);
    const binding: Binding = {
      kind,
      name: o.metadata?.name ?? '',
      namespace: kind === 'RoleBinding' ? o.metadata?.namespace ?? '' : '',
      roleRef: o.roleRef ?? {},
      subjects: Array.isArray(o.subjects) ? o.subjects : [],
    };
    this.bindings.set(key, binding);
    for (const subject of binding.subjects) {
      const sk = subject && subjectKey(subject, binding.namespace);
      if (!sk) continue;
      const scoped = `${binding.namespace}\0${sk}`;
      const grants = this.bySubject.get(scoped);
      if (grants) grants.push({ binding, subject });
      else this.bySubject.set(scoped, [{ binding, subject }]);
    }
  }

  private removeBinding(key: string): void {
    const old = this.bindings.get(key);
    if (!old) return;
    this.bindings.delete(key);
    for (const subject of old.subjects) {
      const sk = subject && subjectKey(subject, old.namespace);
      if (!sk) continue;
      const scoped = `${old.namespace}\0${sk}`;
      const kept = (this.bySubject.get(scoped) ?? []).filter((g) => g.binding !== old);
      if (kept.length) this.bySubject.set(scoped, kept);
      else this.bySubject.delete(scoped);
    }
  }

  /** The grants that apply to `user`: cluster-wide first, then those of `namespace`. */
  grantsFor(user: UserAttributes, namespace: string): Grant[] {
    const keys = [userKey(user.name), ...(user.groups ?? []).map(groupKey)];
    const scopes = namespace ? ['', namespace] : [''];
    const out: Grant[] = [];
    const seen = new Set<Binding>();
    for (const scope of scopes) {
      for (const key of keys) {
        for (const grant of this.bySubject.get(`${scope}\0${key}`) ?? []) {
          if (seen.has(grant.binding)) continue;
          seen.add(grant.binding);
          out.push(grant);
        }
      }
    }
    return out;
  }

  /** A role reference's rules, resolved in the binding's namespace; a string says why it cannot be. */
  rulesOf(ref: RoleRef, namespace: string): PolicyRule[] | string {
    const name = ref.name ?? '';
    if (ref.kind === 'ClusterRole') return this.clusterRoles.get(`/${name}`) ?? `clusterrole.${RBAC_GROUP} ${JSON.stringify(name)} not found`;
    if (ref.kind === 'Role') return this.roles.get(`${namespace}/${name}`) ?? `role.${RBAC_GROUP} ${JSON.stringify(name)} not found`;
    return `unsupported role reference kind: ${JSON.stringify(ref.kind ?? '')}`;
  }
}

/**
 * kube's RBAC authorizer: a request is allowed when a binding that names
 * the user (by name, by one of its groups, or as a service account) grants a
 * role with a rule matching it. ClusterRoleBindings apply everywhere,
 * RoleBindings only in their namespace. Bindings to missing roles grant
 * nothing. Nothing is ever denied outright: no matching rule means no.
 *
 * Built from plain objects (`{ objects }`) it answers from those; built
 * from the API server's stores (`{ stores }`) it mirrors them once
 * started: `await authorizer.start()` lists the four kinds and follows
 * their watch caches, listing again if a cache drops its subscribers.
 */
/** How many answers the authorizer remembers between policy changes. */
const DECISION_CACHE = 10_000;

const decisionKey = (a: Attributes) =>
  [a.user.name, a.user.groups.join(','), a.verb, a.isResourceRequest ? 'r' : 'n', a.namespace, a.apiGroup, a.resource, a.subresource, a.name, a.path].join('\u0000');

export class RbacAuthorizer {
  private readonly index = new PolicyIndex();
  private readonly mirrors: StoreMirror[] = [];
  /** Answers given since the policy last changed: the same request by the same user is answered from here. */
  private readonly decisions = new Map<string, Decision>();

  constructor(source: { objects?: PolicyObjects; stores?: PolicyStores } = {}) {
    const { objects, stores } = source;
    if (objects) {
      this.sink('Role').replace(objects.roles ?? []);
      this.sink('ClusterRole').replace(objects.clusterRoles ?? []);
      this.sink('RoleBinding').replace(objects.roleBindings ?? []);
      this.sink('ClusterRoleBinding').replace(objects.clusterRoleBindings ?? []);
    }
    if (stores) {
      this.mirrors.push(
        new StoreMirror(stores.roles, this.sink('Role'), 'roles'),
        new StoreMirror(stores.clusterRoles, this.sink('ClusterRole'), 'clusterroles'),
        new StoreMirror(stores.roleBindings, this.sink('RoleBinding'), 'rolebindings'),
        new StoreMirror(stores.clusterRoleBindings, this.sink('ClusterRoleBinding'), 'clusterrolebindings'),
      );
    }
  }

  /** Starts following the stores; resolves once all four have been listed (immediately without stores). */
  async start(): Promise<void> {
    await Promise.all(this.mirrors.map((m) => m.start()));
  }

  /** Resolves once all four stores have been listed; rejects if stopped before. */
  async whenSynced(): Promise<void> {
    await Promise.all(this.mirrors.map((m) => m.whenSynced()));
  }

  /** Whether every store has been listed at least once. */
  get synced(): boolean {
    return this.mirrors.every((m) => m.synced);
  }

  stop(): void {
    for (const m of this.mirrors) m.stop();
  }

  /** The index's sink for a kind; every change forgets the remembered answers. */
  private sink(kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding'): MirrorSink {
    const sink = this.index.sinkFor(kind);
    const forget = () => this.decisions.clear();
    return {
      replace: (items) => { sink.replace(items); forget(); },
      upsert: (o) => { sink.upsert(o); forget(); },
      remove: (o) => { sink.remove(o); forget(); },
    };
  }

  authorize(attrs: Attributes): Decision {
    const key = decisionKey(attrs);
    const known = this.decisions.get(key);
    if (known) return known;
    const decision = this.evaluate(attrs);
    if (this.decisions.size >= DECISION_CACHE) this.decisions.clear();
    this.decisions.set(key, decision);
    return decision;
  }

  private evaluate(attrs: Attributes): Decision {
    const namespace = attrs.isResourceRequest ? attrs.namespace ?? '' : '';
    const errors: string[] = [];
    for (const grant of this.index.grantsFor(attrs.user, namespace)) {
      const rules = this.index.rulesOf(grant.binding.roleRef, grant.binding.namespace);
      if (typeof rules === 'string') {
        errors.push(rules);
        continue;
      }
      if (rules.some((rule) => ruleAllows(attrs, rule))) return { allowed: true, reason: `RBAC: allowed by ${describeGrant(grant)}` };
    }
    return { allowed: false, reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
  }

  /**
   * Every rule the user holds in `namespace` (cluster-wide ones included;
   * '' for cluster-wide only), with the role references that could not be
   * resolved. What the escalation check compares new permissions against.
   */
  rulesFor(user: UserAttributes, namespace = ''): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    for (const grant of this.index.grantsFor(user, namespace)) {
      const found = this.index.rulesOf(grant.binding.roleRef, grant.binding.namespace);
      if (typeof found === 'string') errors.push(found);
      else rules.push(...found);
    }
    return { rules, errors };
  }

  /** The rules a binding in `namespace` ('' for a ClusterRoleBinding) would grant, or why they cannot be found. */
  roleRefRules(ref: RoleRef, namespace = ''): { rules: PolicyRule[] } | { error: string } {
    const found = this.index.rulesOf(ref, namespace);
    return typeof found === 'string' ? { error: found } : { rules: found };
  }
}
