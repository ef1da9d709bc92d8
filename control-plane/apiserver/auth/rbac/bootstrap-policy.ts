import type { KObject } from '../../../../api/kind.js';
import { deepEqual } from '../../../../api/deep-equal.js';
import { RBAC_GROUP } from '../../../../api/kinds/role.js';
import { StatusError } from '../../../../api/status.js';
import { log } from '../../../../client/log.js';
import { covers } from './covers.js';
import type { PolicyRule } from './rule-matching.js';

export const BOOTSTRAPPING_LABEL = 'kubernetes.io/bootstrapping';
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
const API_VERSION = `${RBAC_GROUP}/v1`;

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const EVENT_WRITE = ['create', 'patch', 'update'];

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

const aggregateLabel = (to: string) => `rbac.authorization.k8s.io/aggregate-to-${to}`;

function clusterRole(name: string, rules: PolicyRule[], extra: { labels?: Record<string, string>; aggregateFrom?: string } = {}): KObject {
  const role: KObject = {
    apiVersion: API_VERSION, kind: 'ClusterRole',
    metadata: { name, labels: { [BOOTSTRAPPING_LABEL]: 'rbac-defaults', ...extra.labels }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    rules,
  };
  if (extra.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [aggregateLabel(extra.aggregateFrom)]: 'true' } }] };
  return role;
}

type SubjectSpec = { kind: 'User' | 'Group'; name: string };
const user = (name: string): SubjectSpec => ({ kind: 'User', name });
const group = (name: string): SubjectSpec => ({ kind: 'Group', name });

function clusterRoleBinding(name: string, role: string, subjects: SubjectSpec[]): KObject {
  return {
    apiVersion: API_VERSION, kind: 'ClusterRoleBinding',
    metadata: { name, labels: { [BOOTSTRAPPING_LABEL]: 'rbac-defaults' }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    subjects: subjects.map((s) => ({ kind: s.kind, apiGroup: RBAC_GROUP, name: s.name })),
  };
}

// What kube's aggregated roles gather. Skiff does not aggregate, so admin,
// edit and view carry these rules themselves (as kube's controller would
// have written them); the aggregate-to-* roles exist for the same names.
const TO_VIEW: PolicyRule[] = [
  rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
  rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];

const TO_EDIT: PolicyRule[] = [
  rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
];

const TO_ADMIN: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(READ_WRITE, [RBAC_GROUP], ['rolebindings', 'roles']),
];

/** The ClusterRoles kube-apiserver keeps in every cluster, as Skiff's components need them. */
export function bootstrapClusterRoles(): KObject[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('admin', [...TO_ADMIN, ...TO_EDIT, ...TO_VIEW], { aggregateFrom: 'admin' }),
    clusterRole('edit', [...TO_EDIT, ...TO_VIEW], { aggregateFrom: 'edit', labels: { [aggregateLabel('admin')]: 'true' } }),
    clusterRole('view', TO_VIEW, { aggregateFrom: 'view', labels: { [aggregateLabel('edit')]: 'true' } }),
    clusterRole('system:aggregate-to-admin', TO_ADMIN, { labels: { [aggregateLabel('admin')]: 'true' } }),
    clusterRole('system:aggregate-to-edit', TO_EDIT, { labels: { [aggregateLabel('edit')]: 'true' } }),
    clusterRole('system:aggregate-to-view', TO_VIEW, { labels: { [aggregateLabel('view')]: 'true' } }),
    clusterRole('system:discovery', [
      urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']),
    ]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    clusterRole('system:monitoring', [
      urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*']),
    ]),
    // What a node agent may do anywhere; node restriction admission narrows
    // writes to the node's own Node, Lease and pods.
    clusterRole('system:node', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews']),
      rule(READ, [''], ['services']),
      // The service proxy on a node may run with the node's credentials: it follows Services and their endpoints.
      rule(READ, [''], ['endpoints']),
      rule(READ, ['discovery.k8s.io'], ['endpointslices']),
      rule(['create', 'delete', 'get', 'list', 'watch'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']),
      rule(['patch', 'update'], [''], ['nodes']),
      rule(EVENT_WRITE, ['', 'events.k8s.io'], ['events']),
      rule(READ, [''], ['pods']),
      rule(['create', 'delete'], [''], ['pods']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(['create'], [''], ['pods/eviction']),
      // Only those its pods use: the API server's node authorizer checks each read.
      rule(READ, [''], ['configmaps', 'secrets']),
      rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['get', 'patch', 'update'], [''], ['persistentvolumeclaims/status']),
      rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
      // The agent mounts the EBS volumes attached to its node, so it follows their attachments.
      rule(READ, ['storage.k8s.io'], ['volumeattachments']),
      rule(READ, ['storage.k8s.io'], ['csidrivers']),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['storage.k8s.io'], ['csinodes']),
      rule(READ, ['node.k8s.io'], ['runtimeclasses']),
      rule(['create'], [''], ['serviceaccounts/token']),
    ]),
    clusterRole('system:node-bootstrapper', [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
    // What the CSR approver asks before approving a kubelet client certificate:
    // a joining node's request (nodeclient) and a node renewing its own (selfnodeclient).
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])]),
    // kube-proxy's role, for a proxy with an identity of its own (system:kube-proxy).
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], [''], ['services', 'endpoints']),
      rule(['get', 'list', 'watch'], [''], ['nodes']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
      rule(EVENT_WRITE, ['', 'events.k8s.io'], ['events']),
    ]),
    clusterRole('system:kube-scheduler', [
      rule(EVENT_WRITE, ['', 'events.k8s.io'], ['events']),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      rule(READ, [''], ['nodes']),
      rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
      rule(['create'], [''], ['bindings', 'pods/binding']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(READ, [''], ['replicationcontrollers', 'services']),
      rule(READ, ['apps', 'extensions'], ['replicasets']),
      rule(READ, ['apps'], ['statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(READ, ['storage.k8s.io'], ['csinodes']),
      rule(READ, [''], ['namespaces']),
      rule(READ, ['storage.k8s.io'], ['csidrivers']),
      rule(READ, ['storage.k8s.io'], ['csistoragecapacities']),
    ]),
    // `skiff dns`: reads what the cluster zone is made of, makes kube-system/kube-dns
    // when missing, and keeps (and at exit deletes) its own EndpointSlice of it.
    clusterRole('system:skiff-dns', [
      rule(['list', 'watch'], [''], ['services', 'namespaces']),
      rule(['get', 'create'], [''], ['services']),
      rule(['list', 'watch', 'get', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:volume-scheduler', [
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(READ, ['storage.k8s.io'], ['storageclasses']),
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims']),
    ]),
    // kube gives each controller its own service account; Skiff's
    // controller-manager is one user, so this role is the union of what its
    // controllers need: the garbage collector and the namespace controller
    // read, patch and delete anything; the others create what they manage.
    // Who may approve or deny requests for the API server's client signers (kube's approver roles).
    clusterRole('system:certificates.k8s.io:kube-apiserver-client-approver', [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client'])]),
    clusterRole('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet'])]),
    clusterRole('system:kube-controller-manager', [
      // The CSR approver approves node client requests; the signer signs for the API server's client signers.
      rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
      rule(['sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kube-apiserver-client']),
      rule(['get', 'list', 'watch', 'patch', 'update', 'delete', 'deletecollection'], ['*'], ['*']),
      rule(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
      rule(['create'], [''], ['pods', 'endpoints', 'endpoints/restricted', 'secrets', 'serviceaccounts', 'persistentvolumes', 'serviceaccounts/token']),
      // The StatefulSet controller makes each pod's claims from its volumeClaimTemplates.
      rule(['create'], [''], ['persistentvolumeclaims']),
      // kube's system:controller:root-ca-cert-publisher: kube-root-ca.crt in every namespace (update is in the rule above).
      rule(['create'], [''], ['configmaps']),
      rule(EVENT_WRITE, ['', 'events.k8s.io'], ['events']),
      rule(['create'], ['apps'], ['replicasets', 'controllerrevisions']),
      // The CronJob controller makes Jobs (the Job controller's pods are in the core rule above).
      rule(['create'], ['batch'], ['jobs']),
      rule(['create'], ['discovery.k8s.io'], ['endpointslices']),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    // The cloud side: Node addresses and removal, Service load balancers
    // (NLBs), volumes (EBS) and their attachments.
    clusterRole('system:cloud-controller-manager', [
      rule(EVENT_WRITE, ['', 'events.k8s.io'], ['events']),
      rule(['delete', 'get', 'list', 'patch', 'update', 'watch'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']),
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['services', 'services/status']),
      rule(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims', 'persistentvolumeclaims/status', 'persistentvolumes/status']),
      rule(READ, [''], ['pods']),
      rule(READ, ['storage.k8s.io'], ['storageclasses']),
      rule(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['storage.k8s.io'], ['volumeattachments']),
      rule(['patch', 'update'], ['storage.k8s.io'], ['volumeattachments/status']),
      rule(['create', 'get', 'list', 'update', 'watch'], [''], ['endpoints']),
      rule(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leases']),
    ]),
  ];
}

/** Who holds the bootstrap roles. */
export function bootstrapClusterRoleBindings(): KObject[] {
  return [
    clusterRoleBinding('cluster-admin', 'cluster-admin', [group('system:masters')]),
    clusterRoleBinding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
    clusterRoleBinding('system:discovery', 'system:discovery', [group('system:authenticated')]),
    clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    clusterRoleBinding('system:monitoring', 'system:monitoring', [group('system:monitoring')]),
    clusterRoleBinding('system:node', 'system:node', [group('system:nodes')]),
    // Node bootstrap, as kubeadm sets it up: bootstrap tokens may ask for a
    // node client certificate and have it approved; nodes may renew their own.
    clusterRoleBinding('system:node-bootstrapper', 'system:node-bootstrapper', [group('system:bootstrappers')]),
    clusterRoleBinding('system:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [group('system:bootstrappers')]),
    clusterRoleBinding('system:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [group('system:nodes')]),
    clusterRoleBinding('system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')]),
    clusterRoleBinding('system:node-proxier', 'system:node-proxier', [user('system:kube-proxy')]),
    clusterRoleBinding('system:skiff-dns', 'system:skiff-dns', [user('system:skiff-dns')]),
    clusterRoleBinding('system:volume-scheduler', 'system:volume-scheduler', [user('system:kube-scheduler')]),
    clusterRoleBinding('system:kube-controller-manager', 'system:kube-controller-manager', [user('system:kube-controller-manager')]),
    clusterRoleBinding('system:cloud-controller-manager', 'system:cloud-controller-manager', [user('system:cloud-controller-manager')]),
  ];
}

/** What ensureBootstrapPolicy needs of a store (a ResourceStore fits). */
export interface BootstrapStore {
  get(namespace: undefined, name: string): Promise<KObject>;
  create(obj: KObject, namespace: undefined): Promise<KObject>;
  update(namespace: undefined, name: string, mutate: (current: KObject) => KObject): Promise<KObject>;
  delete(namespace: undefined, name: string): Promise<unknown>;
}

const isStatus = (err: unknown, code: number): boolean => err instanceof StatusError && err.code === code;

async function getOrUndefined(store: BootstrapStore, name: string): Promise<KObject | undefined> {
  try {
    return await store.get(undefined, name);
  } catch (err) {
    if (isStatus(err, 404)) return undefined;
    throw err;
  }
}

/** Creates `obj`; another API server creating it first is fine. */
async function createIfMissing(store: BootstrapStore, obj: KObject): Promise<boolean> {
  try {
    await store.create(structuredClone(obj), undefined);
    return true;
  } catch (err) {
    if (isStatus(err, 409)) return false;
    throw err;
  }
}

/** Adds the expected labels and annotations that are missing; existing values win. */
function mergeMeta(current: KObject, expected: KObject): void {
  for (const field of ['labels', 'annotations'] as const) {
    const want = expected.metadata[field] ?? {};
    current.metadata[field] = { ...want, ...current.metadata[field] };
  }
}

/** A role kept up to date: expected rules it does not cover yet are added, nothing is removed. */
function reconcileRole(current: KObject, expected: KObject): KObject {
  const next = structuredClone(current);
  mergeMeta(next, expected);
  const rules: PolicyRule[] = Array.isArray(next.rules) ? next.rules : [];
  for (const r of expected.rules as PolicyRule[]) {
    if (!covers(rules, [r]).covered) rules.push(structuredClone(r));
  }
  next.rules = rules;
  if (expected.aggregationRule && !next.aggregationRule) next.aggregationRule = structuredClone(expected.aggregationRule);
  return next;
}

const sameSubject = (a: KObject, b: KObject): boolean =>
  a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '') && (a.apiGroup ?? '') === (b.apiGroup ?? '');

/** A binding kept up to date: expected subjects it lacks are added, nothing is removed. */
function reconcileBinding(current: KObject, expected: KObject): KObject {
  const next = structuredClone(current);
  mergeMeta(next, expected);
  const subjects: KObject[] = Array.isArray(next.subjects) ? next.subjects : [];
  for (const s of expected.subjects as KObject[]) {
    if (!subjects.some((have) => sameSubject(have, s))) subjects.push(structuredClone(s));
  }
  next.subjects = subjects;
  return next;
}

const autoupdate = (obj: KObject): boolean => obj.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === 'true';

async function ensureOne(store: BootstrapStore, expected: KObject, reconcile: (current: KObject, expected: KObject) => KObject, result: BootstrapResult): Promise<void> {
  const name: string = expected.metadata.name;
  const what = `${expected.kind}/${name}`;
  const current = await getOrUndefined(store, name);
  if (!current) {
    if (await createIfMissing(store, expected)) result.created.push(what);
    return;
  }
  // Without the annotation the cluster's operator owns the object.
  if (!autoupdate(current)) return;
  if (expected.kind === 'ClusterRoleBinding' && !deepEqual(current.roleRef, expected.roleRef)) {
    // roleRef cannot change: the binding is replaced.
    await store.delete(undefined, name);
    await createIfMissing(store, reconcile({ ...structuredClone(current), roleRef: expected.roleRef, metadata: { name, labels: current.metadata.labels, annotations: current.metadata.annotations } }, expected));
    result.updated.push(what);
    return;
  }
  if (deepEqual(reconcile(current, expected), current)) return;
  await store.update(undefined, name, (latest) => reconcile(latest, expected));
  result.updated.push(what);
}

export interface BootstrapResult {
  created: string[];
  updated: string[];
}

/**
 * Makes sure the bootstrap ClusterRoles and ClusterRoleBindings exist, as
 * kube-apiserver does at start: missing ones are created; existing ones
 * annotated `rbac.authorization.kubernetes.io/autoupdate: "true"` gain the
 * rules, subjects, labels and annotations they lack (nothing is taken
 * away); existing ones without that annotation are left as they are.
 */
export async function ensureBootstrapPolicy(stores: { clusterRoles: BootstrapStore; clusterRoleBindings: BootstrapStore }): Promise<BootstrapResult> {
  const result: BootstrapResult = { created: [], updated: [] };
  for (const role of bootstrapClusterRoles()) await ensureOne(stores.clusterRoles, role, reconcileRole, result);
  for (const binding of bootstrapClusterRoleBindings()) await ensureOne(stores.clusterRoleBindings, binding, reconcileBinding, result);
  if (result.created.length || result.updated.length) log.info('rbac bootstrap policy ensured', { created: result.created.length, updated: result.updated });
  return result;
}
