import test from 'ava';
import type { Kind, KObject } from '../../../../api/kind.js';
import { clusterRole } from '../../../../api/kinds/cluster-role.js';
import { clusterRoleBinding } from '../../../../api/kinds/cluster-role-binding.js';
import { validateObjectMeta } from '../../../../api/object-meta.js';
import { StatusError } from '../../../../api/status.js';
import type { Attributes, UserAttributes } from './attributes.js';
import { RbacAuthorizer } from './authorizer.js';
import {
  AUTOUPDATE_ANNOTATION, bootstrapClusterRoleBindings, bootstrapClusterRoles, ensureBootstrapPolicy, type BootstrapStore,
} from './bootstrap-policy.js';

const authz = new RbacAuthorizer({ objects: { clusterRoles: bootstrapClusterRoles(), clusterRoleBindings: bootstrapClusterRoleBindings() } });
const may = (user: UserAttributes, verb: string, resource: string, extra: Partial<Attributes> = {}): boolean => {
  const [res, sub] = resource.split('/');
  return authz.authorize({ user, verb, isResourceRequest: true, namespace: '', apiGroup: '', resource: res, subresource: sub ?? '', name: '', ...extra }).allowed;
};
const mayGet = (user: UserAttributes, path: string): boolean => authz.authorize({ user, verb: 'get', isResourceRequest: false, path }).allowed;

/** A user holding one bootstrap ClusterRole in namespace dev, through a RoleBinding. */
function holding(roleName: string): { user: UserAttributes; authz: RbacAuthorizer } {
  const user = { name: `holder-of-${roleName}`, groups: ['system:authenticated'] };
  return {
    user,
    authz: new RbacAuthorizer({
      objects: {
        clusterRoles: bootstrapClusterRoles(),
        roleBindings: [{ metadata: { name: 'b', namespace: 'dev' }, roleRef: { kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'User', name: user.name }] }],
      },
    }),
  };
}

test('every bootstrap object is valid, labelled and marked for auto-update', (t) => {
  const check = (kind: Kind, objects: KObject[]) => {
    for (const o of objects) {
      const copy = structuredClone(o);
      kind.defaults?.(copy);
      t.deepEqual(copy, o, `${o.metadata.name} is already defaulted`);
      t.deepEqual([...validateObjectMeta(o.metadata, false, kind.nameRule), ...kind.validate!(o)], [], o.metadata.name);
      t.is(o.metadata.labels['kubernetes.io/bootstrapping'], 'rbac-defaults');
      t.is(o.metadata.annotations[AUTOUPDATE_ANNOTATION], 'true');
      t.is(o.kind, kind.kind);
    }
  };
  check(clusterRole, bootstrapClusterRoles());
  check(clusterRoleBinding, bootstrapClusterRoleBindings());
  const roles = new Set(bootstrapClusterRoles().map((r) => r.metadata.name));
  for (const b of bootstrapClusterRoleBindings()) t.true(roles.has(b.roleRef.name), `${b.metadata.name} binds an existing role`);
  for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user', 'system:public-info-viewer', 'system:node',
    'system:node-bootstrapper', 'system:kube-scheduler', 'system:kube-controller-manager', 'system:cloud-controller-manager', 'system:skiff-dns']) {
    t.true(roles.has(name), name);
  }
});

test('system:masters is cluster-admin', (t) => {
  const root = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
  t.true(may(root, 'delete', 'nodes', { name: 'n1' }));
  t.true(may(root, 'escalate', 'clusterroles', { apiGroup: 'rbac.authorization.k8s.io' }));
  t.true(may(root, 'create', 'pods/exec', { namespace: 'kube-system', name: 'p' }));
  t.true(mayGet(root, '/metrics'));
  t.is(authz.authorize({ user: root, verb: 'list', isResourceRequest: true, resource: 'secrets' }).reason,
    'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"');
  t.false(may({ name: 'nobody', groups: ['system:authenticated'] }, 'list', 'pods', { namespace: 'default' }));
});

test('view reads but not secrets; edit writes and reads secrets; admin manages roles', (t) => {
  const view = holding('view');
  t.true(view.authz.authorize({ user: view.user, verb: 'list', isResourceRequest: true, namespace: 'dev', apiGroup: 'apps', resource: 'deployments' }).allowed);
  t.false(view.authz.authorize({ user: view.user, verb: 'get', isResourceRequest: true, namespace: 'dev', resource: 'secrets', name: 's' }).allowed);
  t.false(view.authz.authorize({ user: view.user, verb: 'list', isResourceRequest: true, namespace: 'dev', resource: 'secrets' }).allowed);
  t.false(view.authz.authorize({ user: view.user, verb: 'create', isResourceRequest: true, namespace: 'dev', resource: 'pods' }).allowed);
  const edit = holding('edit');
  t.true(edit.authz.authorize({ user: edit.user, verb: 'get', isResourceRequest: true, namespace: 'dev', resource: 'secrets', name: 's' }).allowed);
  t.true(edit.authz.authorize({ user: edit.user, verb: 'patch', isResourceRequest: true, namespace: 'dev', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', name: 'web' }).allowed);
  t.false(edit.authz.authorize({ user: edit.user, verb: 'create', isResourceRequest: true, namespace: 'dev', apiGroup: 'rbac.authorization.k8s.io', resource: 'roles' }).allowed);
  const admin = holding('admin');
  t.true(admin.authz.authorize({ user: admin.user, verb: 'create', isResourceRequest: true, namespace: 'dev', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings' }).allowed);
  t.true(admin.authz.authorize({ user: admin.user, verb: 'get', isResourceRequest: true, namespace: 'dev', resource: 'pods', subresource: 'log', name: 'p' }).allowed);
  t.false(admin.authz.authorize({ user: admin.user, verb: 'get', isResourceRequest: true, namespace: 'prod', resource: 'pods', name: 'p' }).allowed);
});

test('everyone signed in may discover the API and review their own access; anyone may read health and version', (t) => {
  const someone = { name: 'alice', groups: ['system:authenticated'] };
  const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
  for (const path of ['/api', '/api/v1', '/apis', '/apis/apps/v1', '/openapi/v2', '/version', '/healthz']) t.true(mayGet(someone, path), path);
  t.false(mayGet(someone, '/metrics'));
  t.true(may(someone, 'create', 'selfsubjectaccessreviews', { apiGroup: 'authorization.k8s.io' }));
  t.false(may(someone, 'create', 'subjectaccessreviews', { apiGroup: 'authorization.k8s.io' }));
  for (const path of ['/healthz', '/livez', '/readyz', '/version']) t.true(mayGet(anonymous, path), path);
  t.false(mayGet(anonymous, '/apis'));
  t.false(may(anonymous, 'create', 'selfsubjectaccessreviews', { apiGroup: 'authorization.k8s.io' }));
});

test('nodes (group system:nodes) can do what a kubelet does', (t) => {
  const node = { name: 'system:node:ip-10-0-1-5', groups: ['system:nodes', 'system:authenticated'] };
  t.true(may(node, 'update', 'nodes/status', { name: 'ip-10-0-1-5' }));
  t.true(may(node, 'patch', 'nodes/status', { name: 'ip-10-0-1-5' }));
  t.true(may(node, 'create', 'nodes'));
  t.true(may(node, 'watch', 'pods'));
  t.true(may(node, 'patch', 'pods/status', { namespace: 'default', name: 'p' }));
  t.true(may(node, 'watch', 'endpoints'));
  t.true(may(node, 'watch', 'services'));
  t.true(may(node, 'get', 'secrets', { namespace: 'default', name: 's' }));
  t.true(may(node, 'get', 'persistentvolumeclaims', { namespace: 'default', name: 'c' }));
  t.true(may(node, 'update', 'leases', { namespace: 'kube-node-lease', apiGroup: 'coordination.k8s.io', name: 'ip-10-0-1-5' }));
  t.true(may(node, 'create', 'events', { namespace: 'default' }));
  t.true(may(node, 'watch', 'volumeattachments', { apiGroup: 'storage.k8s.io' }));
  // RBAC lets a node delete nodes, as kube's system:node role does; node restriction keeps it to its own.
  t.true(may(node, 'delete', 'nodes', { name: 'other' }));
  t.false(may(node, 'create', 'deployments', { namespace: 'default', apiGroup: 'apps' }));
  t.false(may(node, 'update', 'secrets', { namespace: 'default', name: 's' }));
  const bootstrapper = holding('system:node-bootstrapper');
  t.true(bootstrapper.authz.authorize({ user: bootstrapper.user, verb: 'create', isResourceRequest: true, namespace: 'dev', apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests' }).allowed);
});

test('the scheduler, the controller-manager and the cloud-controller-manager', (t) => {
  const scheduler = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };
  t.true(may(scheduler, 'create', 'pods/binding', { namespace: 'default', name: 'p' }));
  t.true(may(scheduler, 'watch', 'nodes'));
  t.true(may(scheduler, 'update', 'leases', { namespace: 'kube-system', apiGroup: 'coordination.k8s.io', name: 'kube-scheduler' }));
  t.false(may(scheduler, 'update', 'leases', { namespace: 'kube-system', apiGroup: 'coordination.k8s.io', name: 'kube-controller-manager' }));
  t.true(may(scheduler, 'patch', 'persistentvolumeclaims', { namespace: 'default', name: 'c' }), 'through system:volume-scheduler');
  t.false(may(scheduler, 'create', 'pods', { namespace: 'default' }));

  const kcm = { name: 'system:kube-controller-manager', groups: ['system:authenticated'] };
  t.true(may(kcm, 'delete', 'namespaces', { name: 'gone' }));
  t.true(may(kcm, 'update', 'namespaces/finalize', { name: 'gone' }));
  t.true(may(kcm, 'deletecollection', 'widgets', { namespace: 'gone', apiGroup: 'example.com' }), 'emptying a namespace reaches every resource');
  t.true(may(kcm, 'create', 'replicasets', { namespace: 'default', apiGroup: 'apps' }));
  t.true(may(kcm, 'create', 'pods', { namespace: 'default' }));
  t.true(may(kcm, 'update', 'deployments/status', { namespace: 'default', apiGroup: 'apps', name: 'web' }));
  t.true(may(kcm, 'create', 'leases', { namespace: 'kube-system', apiGroup: 'coordination.k8s.io' }));
  t.true(may(kcm, 'patch', 'nodes', { name: 'n1' }));
  t.true(may(kcm, 'create', 'configmaps', { namespace: 'team' }), 'the root CA publisher makes kube-root-ca.crt');
  t.true(may(kcm, 'update', 'configmaps', { namespace: 'team', name: 'kube-root-ca.crt' }), 'and sets it back');
  t.false(may(kcm, 'escalate', 'clusterroles', { apiGroup: 'rbac.authorization.k8s.io' }));
  t.false(may(kcm, 'bind', 'clusterroles', { apiGroup: 'rbac.authorization.k8s.io', name: 'cluster-admin' }));
  t.false(may(kcm, 'create', 'clusterrolebindings', { apiGroup: 'rbac.authorization.k8s.io' }));

  const ccm = { name: 'system:cloud-controller-manager', groups: ['system:authenticated'] };
  t.true(may(ccm, 'patch', 'services/status', { namespace: 'default', name: 'lb' }));
  t.true(may(ccm, 'update', 'nodes/status', { name: 'n1' }));
  t.true(may(ccm, 'delete', 'nodes', { name: 'n1' }));
  t.true(may(ccm, 'create', 'persistentvolumes'));
  t.true(may(ccm, 'update', 'volumeattachments/status', { apiGroup: 'storage.k8s.io', name: 'va' }));
  t.true(may(ccm, 'create', 'events', { namespace: 'default' }));
  t.false(may(ccm, 'delete', 'pods', { namespace: 'default', name: 'p' }));
  t.false(may(ccm, 'get', 'secrets', { namespace: 'default', name: 's' }));
});

/** A store in memory that answers like a ResourceStore: 404 for a missing object, 409 for an existing one. */
class MemoryStore implements BootstrapStore {
  readonly objects = new Map<string, KObject>();
  writes = 0;

  async get(_ns: undefined, name: string): Promise<KObject> {
    const o = this.objects.get(name);
    if (!o) throw new StatusError(404, 'NotFound', `${name} not found`);
    return structuredClone(o);
  }

  async create(obj: KObject): Promise<KObject> {
    if (this.objects.has(obj.metadata.name)) throw new StatusError(409, 'AlreadyExists', `${obj.metadata.name} already exists`);
    this.writes++;
    this.objects.set(obj.metadata.name, structuredClone(obj));
    return obj;
  }

  async update(ns: undefined, name: string, mutate: (current: KObject) => KObject): Promise<KObject> {
    const next = mutate(await this.get(ns, name));
    this.writes++;
    this.objects.set(name, structuredClone(next));
    return next;
  }

  async delete(_ns: undefined, name: string): Promise<unknown> {
    this.writes++;
    return this.objects.delete(name);
  }
}

test('system:skiff-dns reads the zone\'s objects and keeps kube-dns and its slices, and nothing more', (t) => {
  const dns = { name: 'system:skiff-dns', groups: ['system:authenticated'] };
  for (const resource of ['services', 'namespaces']) for (const verb of ['list', 'watch']) t.true(may(dns, verb, resource), `${verb} ${resource}`);
  t.true(may(dns, 'get', 'services', { namespace: 'kube-system', name: 'kube-dns' }));
  t.true(may(dns, 'create', 'services', { namespace: 'kube-system' }));
  for (const verb of ['list', 'watch', 'get', 'create', 'update', 'delete']) t.true(may(dns, verb, 'endpointslices', { apiGroup: 'discovery.k8s.io', namespace: 'kube-system', name: 'kube-dns-x' }), verb);
  t.false(may(dns, 'update', 'services', { namespace: 'kube-system', name: 'kube-dns' }), 'a Service made is the cluster\'s');
  t.false(may(dns, 'delete', 'services', { namespace: 'kube-system', name: 'kube-dns' }));
  t.false(may(dns, 'list', 'secrets'));
  t.false(may(dns, 'list', 'pods'));
});

test('ensureBootstrapPolicy creates what is missing, and does nothing the second time', async (t) => {
  const stores = { clusterRoles: new MemoryStore(), clusterRoleBindings: new MemoryStore() };
  const first = await ensureBootstrapPolicy(stores);
  t.is(first.created.length, bootstrapClusterRoles().length + bootstrapClusterRoleBindings().length);
  t.deepEqual(first.updated, []);
  t.deepEqual(stores.clusterRoles.objects.get('view'), bootstrapClusterRoles().find((r) => r.metadata.name === 'view'));
  const writes = stores.clusterRoles.writes + stores.clusterRoleBindings.writes;
  t.deepEqual(await ensureBootstrapPolicy(stores), { created: [], updated: [] });
  t.is(stores.clusterRoles.writes + stores.clusterRoleBindings.writes, writes);
});

test('ensureBootstrapPolicy tops up auto-updated objects and leaves the others alone', async (t) => {
  const stores = { clusterRoles: new MemoryStore(), clusterRoleBindings: new MemoryStore() };
  await ensureBootstrapPolicy(stores);
  const roles = stores.clusterRoles.objects;
  const bindings = stores.clusterRoleBindings.objects;
  // An operator narrowed view and took the annotation away: it stays theirs.
  const narrowed: KObject = { ...structuredClone(roles.get('view')!), rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
  narrowed.metadata.annotations = { [AUTOUPDATE_ANNOTATION]: 'false' };
  roles.set('view', narrowed);
  // edit lost a rule and gained one of its own, and keeps auto-updating.
  const edit = roles.get('edit')!;
  edit.rules = [...edit.rules.slice(1), { verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }];
  edit.metadata.labels.team = 'platform';
  // A binding lost its subject and gained another; one was recreated with another role.
  bindings.get('system:discovery')!.subjects = [{ kind: 'Group', name: 'extra', apiGroup: 'rbac.authorization.k8s.io' }];
  bindings.get('system:node')!.roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' };

  const result = await ensureBootstrapPolicy(stores);
  t.deepEqual(result.created, []);
  t.deepEqual(result.updated.sort(), ['ClusterRole/edit', 'ClusterRoleBinding/system:discovery', 'ClusterRoleBinding/system:node']);
  t.deepEqual(roles.get('view'), narrowed);
  const expectedEdit = bootstrapClusterRoles().find((r) => r.metadata.name === 'edit')!;
  t.deepEqual(roles.get('edit')!.rules.at(-1), expectedEdit.rules[0], 'the missing rule is back');
  t.true(roles.get('edit')!.rules.some((r: KObject) => r.apiGroups[0] === 'example.com'), 'nothing is taken away');
  t.is(roles.get('edit')!.metadata.labels.team, 'platform');
  t.deepEqual(bindings.get('system:discovery')!.subjects.map((s: KObject) => s.name), ['extra', 'system:authenticated']);
  t.is(bindings.get('system:node')!.roleRef.name, 'system:node');
  t.deepEqual(bindings.get('system:node')!.subjects.map((s: KObject) => s.name), ['system:nodes']);
});
