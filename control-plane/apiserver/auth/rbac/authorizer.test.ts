import test from 'ava';
import type { KObject } from '../../../../api/kind.js';
import { encode } from '../../storage/codec.js';
import type { EtcdKV } from '../../storage/etcd-kv.js';
import type { ThreadWatchEvent } from '../../storage/etcd-thread-protocol.js';
import { WatchCache } from '../../storage/watch-cache.js';
import type { Attributes, UserAttributes } from './attributes.js';
import { RbacAuthorizer, type PolicyStores } from './authorizer.js';
import type { PolicyRule } from './rule-matching.js';

const G = 'rbac.authorization.k8s.io';
const role = (namespace: string, name: string, rules: PolicyRule[]): KObject => ({ kind: 'Role', metadata: { name, namespace }, rules });
const clusterRole = (name: string, rules: PolicyRule[]): KObject => ({ kind: 'ClusterRole', metadata: { name }, rules });
type Subj = { kind: string; name: string; namespace?: string };
const roleBinding = (namespace: string, name: string, ref: { kind: string; name: string }, subjects: Subj[]): KObject =>
  ({ kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: G, ...ref }, subjects });
const clusterRoleBinding = (name: string, roleName: string, subjects: Subj[]): KObject =>
  ({ kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: roleName }, subjects });

const alice: UserAttributes = { name: 'alice', groups: ['system:authenticated'] };
const ask = (user: UserAttributes, verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes => {
  const [res, sub] = resource.split('/');
  return { user, verb, isResourceRequest: true, namespace: '', apiGroup: '', resource: res, subresource: sub ?? '', name: '', ...extra };
};
const getPath = (user: UserAttributes, path: string): Attributes => ({ user, verb: 'get', isResourceRequest: false, path });

const readPods: PolicyRule = { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] };

test('a Role grants only in its namespace; a ClusterRole through a RoleBinding only in the binding\'s', (t) => {
  const authz = new RbacAuthorizer({
    objects: {
      roles: [role('dev', 'pod-reader', [readPods])],
      clusterRoles: [clusterRole('secret-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }])],
      roleBindings: [
        roleBinding('dev', 'alice-pods', { kind: 'Role', name: 'pod-reader' }, [{ kind: 'User', name: 'alice' }]),
        roleBinding('dev', 'alice-secrets', { kind: 'ClusterRole', name: 'secret-reader' }, [{ kind: 'User', name: 'alice' }]),
      ],
    },
  });
  t.true(authz.authorize(ask(alice, 'list', 'pods', { namespace: 'dev' })).allowed);
  t.false(authz.authorize(ask(alice, 'list', 'pods', { namespace: 'prod' })).allowed);
  t.false(authz.authorize(ask(alice, 'list', 'pods')).allowed, 'listing across namespaces needs a cluster-wide grant');
  t.false(authz.authorize(ask(alice, 'delete', 'pods', { namespace: 'dev', name: 'p' })).allowed);
  t.true(authz.authorize(ask(alice, 'get', 'secrets', { namespace: 'dev', name: 's' })).allowed);
  t.false(authz.authorize(ask(alice, 'get', 'secrets', { namespace: 'prod', name: 's' })).allowed);
  t.false(authz.authorize(ask({ name: 'bob', groups: [] }, 'list', 'pods', { namespace: 'dev' })).allowed);
  t.is(authz.authorize(ask(alice, 'get', 'pods', { namespace: 'dev', name: 'p' })).reason,
    'RBAC: allowed by RoleBinding "alice-pods/dev" of Role "pod-reader" to User "alice"');
});

test('a ClusterRoleBinding grants everywhere, cluster-scoped resources included', (t) => {
  const authz = new RbacAuthorizer({
    objects: {
      clusterRoles: [clusterRole('node-reader', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['nodes', 'pods'] }])],
      clusterRoleBindings: [clusterRoleBinding('ops-nodes', 'node-reader', [{ kind: 'Group', name: 'ops' }])],
    },
  });
  const ops = { name: 'carol', groups: ['ops', 'system:authenticated'] };
  t.true(authz.authorize(ask(ops, 'list', 'nodes')).allowed);
  t.true(authz.authorize(ask(ops, 'get', 'pods', { namespace: 'anywhere', name: 'p' })).allowed);
  t.true(authz.authorize(ask(ops, 'list', 'pods')).allowed);
  t.false(authz.authorize(ask(alice, 'list', 'nodes')).allowed);
  t.is(authz.authorize(ask(ops, 'list', 'nodes')).reason, 'RBAC: allowed by ClusterRoleBinding "ops-nodes" of ClusterRole "node-reader" to Group "ops"');
  t.deepEqual(authz.authorize(ask(alice, 'list', 'nodes')), { allowed: false, reason: '' });
});

test('resourceNames and subresources', (t) => {
  const authz = new RbacAuthorizer({
    objects: {
      roles: [role('kube-system', 'lease-holder', [
        { verbs: ['get', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['kube-scheduler'] },
        { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
      ])],
      roleBindings: [roleBinding('kube-system', 'holder', { kind: 'Role', name: 'lease-holder' }, [{ kind: 'User', name: 'alice' }])],
    },
  });
  const lease = (verb: string, name = '') => ask(alice, verb, 'leases', { namespace: 'kube-system', apiGroup: 'coordination.k8s.io', name });
  t.true(authz.authorize(lease('get', 'kube-scheduler')).allowed);
  t.true(authz.authorize(lease('update', 'kube-scheduler')).allowed);
  t.false(authz.authorize(lease('get', 'other')).allowed);
  t.false(authz.authorize(lease('list')).allowed);
  t.false(authz.authorize(lease('create')).allowed);
  t.true(authz.authorize(ask(alice, 'get', 'pods/log', { namespace: 'kube-system', name: 'p' })).allowed);
  t.false(authz.authorize(ask(alice, 'get', 'pods', { namespace: 'kube-system', name: 'p' })).allowed);
});

test('non-resource URLs come only from ClusterRoleBindings', (t) => {
  const urls = clusterRole('health', [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/healthz/*'] }]);
  const viaCluster = new RbacAuthorizer({ objects: { clusterRoles: [urls], clusterRoleBindings: [clusterRoleBinding('h', 'health', [{ kind: 'Group', name: 'system:authenticated' }])] } });
  t.true(viaCluster.authorize(getPath(alice, '/healthz')).allowed);
  t.true(viaCluster.authorize(getPath(alice, '/healthz/etcd')).allowed);
  t.false(viaCluster.authorize(getPath(alice, '/metrics')).allowed);
  t.false(viaCluster.authorize({ ...getPath(alice, '/healthz'), verb: 'post' }).allowed);
  const viaRoleBinding = new RbacAuthorizer({ objects: { clusterRoles: [urls], roleBindings: [roleBinding('dev', 'h', { kind: 'ClusterRole', name: 'health' }, [{ kind: 'User', name: 'alice' }])] } });
  t.false(viaRoleBinding.authorize(getPath(alice, '/healthz')).allowed);
  t.false(viaRoleBinding.authorize({ ...getPath(alice, '/healthz'), namespace: 'dev' }).allowed);
});

test('service accounts match their system:serviceaccount user; a RoleBinding defaults their namespace', (t) => {
  const authz = new RbacAuthorizer({
    objects: {
      clusterRoles: [clusterRole('pods', [readPods])],
      roleBindings: [roleBinding('ci', 'builder', { kind: 'ClusterRole', name: 'pods' }, [{ kind: 'ServiceAccount', name: 'builder' }])],
      clusterRoleBindings: [clusterRoleBinding('monitor', 'pods', [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }])],
    },
  });
  const builder = { name: 'system:serviceaccount:ci:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:ci'] };
  t.true(authz.authorize(ask(builder, 'list', 'pods', { namespace: 'ci' })).allowed);
  t.false(authz.authorize(ask(builder, 'list', 'pods', { namespace: 'dev' })).allowed);
  t.false(authz.authorize(ask({ name: 'system:serviceaccount:dev:builder', groups: [] }, 'list', 'pods', { namespace: 'ci' })).allowed);
  t.false(authz.authorize(ask({ name: 'builder', groups: [] }, 'list', 'pods', { namespace: 'ci' })).allowed, 'a plain user of the same name is not the account');
  const prometheus = { name: 'system:serviceaccount:monitoring:prometheus', groups: [] };
  t.true(authz.authorize(ask(prometheus, 'watch', 'pods')).allowed);
  t.is(authz.authorize(ask(builder, 'list', 'pods', { namespace: 'ci' })).reason, 'RBAC: allowed by RoleBinding "builder/ci" of ClusterRole "pods" to ServiceAccount "builder/ci"');
});

test('bindings to missing roles grant nothing and say so', (t) => {
  const authz = new RbacAuthorizer({
    objects: {
      roleBindings: [roleBinding('dev', 'dangling', { kind: 'Role', name: 'gone' }, [{ kind: 'User', name: 'alice' }])],
      clusterRoleBindings: [clusterRoleBinding('dangling', 'vanished', [{ kind: 'User', name: 'alice' }])],
    },
  });
  t.deepEqual(authz.authorize(ask(alice, 'list', 'pods', { namespace: 'dev' })), {
    allowed: false,
    reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "vanished" not found, role.rbac.authorization.k8s.io "gone" not found]',
  });
  t.deepEqual(authz.authorize(ask(alice, 'list', 'nodes')), { allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "vanished" not found' });
  const roleInOtherNamespace = new RbacAuthorizer({
    objects: { roles: [role('prod', 'reader', [readPods])], roleBindings: [roleBinding('dev', 'x', { kind: 'Role', name: 'reader' }, [{ kind: 'User', name: 'alice' }])] },
  });
  t.false(roleInOtherNamespace.authorize(ask(alice, 'list', 'pods', { namespace: 'dev' })).allowed, 'a RoleBinding\'s Role is looked up in its own namespace');
});

test('rulesFor gathers cluster-wide rules and those of the namespace', (t) => {
  const authz = new RbacAuthorizer({
    objects: {
      roles: [role('dev', 'r', [readPods])],
      clusterRoles: [clusterRole('c', [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }])],
      roleBindings: [roleBinding('dev', 'r', { kind: 'Role', name: 'r' }, [{ kind: 'Group', name: 'devs' }])],
      clusterRoleBindings: [clusterRoleBinding('c', 'c', [{ kind: 'User', name: 'alice' }]), clusterRoleBinding('x', 'missing', [{ kind: 'User', name: 'alice' }])],
    },
  });
  const u = { name: 'alice', groups: ['devs'] };
  t.deepEqual(authz.rulesFor(u, 'dev'), {
    rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }, readPods],
    errors: ['clusterrole.rbac.authorization.k8s.io "missing" not found'],
  });
  t.is(authz.rulesFor(u).rules.length, 1);
  t.true(authz.synced, 'an authorizer from objects is in sync from the start');
});

// ---------------------------------------------------------------------------
// Fed from stores: a real WatchCache over a scripted etcd.

class ScriptedEtcd {
  revision = 1;
  readonly watches = new Map<string, Array<{ events(e: ThreadWatchEvent[]): void; failed(reason: string): void }>>();
  readonly data = new Map<string, Map<string, KObject>>();

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async watch(prefix: string, _from: number, handlers: { events(e: ThreadWatchEvent[]): void; failed(reason: string): void }) {
    const list = this.watches.get(prefix) ?? [];
    list.push(handlers);
    this.watches.set(prefix, list);
    return { cancel: async () => undefined };
  }

  private items(prefix: string): Map<string, KObject> {
    if (!this.data.has(prefix)) this.data.set(prefix, new Map());
    return this.data.get(prefix)!;
  }

  /** Writes an object; with `silently`, no watch hears of it (as if the event were lost). */
  put(prefix: string, obj: KObject, silently = false): void {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const previous = this.items(prefix).get(key);
    this.revision++;
    this.items(prefix).set(key, obj);
    if (silently) return;
    const event: ThreadWatchEvent = {
      key: prefix + key, deleted: false, modRevision: this.revision, value: encode(obj),
      previous: previous && { value: encode(previous), modRevision: this.revision - 1 },
    };
    this.latest(prefix)?.events([event]);
  }

  remove(prefix: string, obj: KObject, silently = false): void {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const previous = this.items(prefix).get(key)!;
    this.revision++;
    this.items(prefix).delete(key);
    if (silently) return;
    this.latest(prefix)?.events([{ key: prefix + key, deleted: true, modRevision: this.revision, value: new Uint8Array(), previous: { value: encode(previous), modRevision: this.revision - 1 } }]);
  }

  fail(prefix: string): void {
    this.latest(prefix)!.failed('etcd restarted');
  }

  /** The newest watch on `prefix`, if the cache has opened one. */
  private latest(prefix: string) {
    const list = this.watches.get(prefix) ?? [];
    return list[list.length - 1];
  }

  source(prefix: string) {
    const cache = new WatchCache(this as unknown as EtcdKV, prefix);
    return {
      cache,
      list: async () => ({ items: [...this.items(prefix).values()].map((o) => structuredClone(o)), resourceVersion: String(this.revision) }),
    };
  }
}

const PREFIXES = { roles: 'roles/', clusterRoles: 'clusterroles/', roleBindings: 'rolebindings/', clusterRoleBindings: 'clusterrolebindings/' };

function storesOn(etcd: ScriptedEtcd): PolicyStores {
  return {
    roles: etcd.source(PREFIXES.roles), clusterRoles: etcd.source(PREFIXES.clusterRoles),
    roleBindings: etcd.source(PREFIXES.roleBindings), clusterRoleBindings: etcd.source(PREFIXES.clusterRoleBindings),
  };
}

async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

test('fed from the stores: lists at start, then follows the watch caches', async (t) => {
  const etcd = new ScriptedEtcd();
  etcd.put(PREFIXES.clusterRoles, clusterRole('pods', [readPods]));
  etcd.put(PREFIXES.clusterRoleBindings, clusterRoleBinding('alice-pods', 'pods', [{ kind: 'User', name: 'alice' }]));
  const authz = new RbacAuthorizer({ stores: storesOn(etcd) });
  t.false(authz.synced);
  await authz.start();
  t.true(authz.synced);
  await authz.whenSynced();
  const listPods = ask(alice, 'list', 'pods', { namespace: 'dev' });
  t.true(authz.authorize(listPods).allowed);

  // A rule taken away, then given back; a binding added and removed.
  etcd.put(PREFIXES.clusterRoles, clusterRole('pods', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]));
  t.false(authz.authorize(listPods).allowed);
  etcd.put(PREFIXES.clusterRoles, clusterRole('pods', [readPods]));
  t.true(authz.authorize(listPods).allowed);
  const bob = { name: 'bob', groups: [] };
  etcd.put(PREFIXES.roles, role('dev', 'r', [readPods]));
  const bobBinding = roleBinding('dev', 'bob', { kind: 'Role', name: 'r' }, [{ kind: 'User', name: 'bob' }]);
  etcd.put(PREFIXES.roleBindings, bobBinding);
  t.true(authz.authorize(ask(bob, 'list', 'pods', { namespace: 'dev' })).allowed);
  etcd.remove(PREFIXES.roleBindings, bobBinding);
  t.false(authz.authorize(ask(bob, 'list', 'pods', { namespace: 'dev' })).allowed);
  // Subjects edited in place: the old subject loses the grant.
  etcd.put(PREFIXES.clusterRoleBindings, clusterRoleBinding('alice-pods', 'pods', [{ kind: 'User', name: 'bob' }]));
  t.false(authz.authorize(listPods).allowed);
  t.true(authz.authorize(ask(bob, 'list', 'pods', { namespace: 'dev' })).allowed);
  etcd.remove(PREFIXES.clusterRoles, clusterRole('pods', []));
  t.false(authz.authorize(ask(bob, 'list', 'pods', { namespace: 'dev' })).allowed, 'the role is gone');
  authz.stop();
});

test('fed from the stores: a watch that fails is followed by a fresh list', async (t) => {
  const etcd = new ScriptedEtcd();
  etcd.put(PREFIXES.clusterRoles, clusterRole('pods', [readPods]));
  const binding = clusterRoleBinding('alice-pods', 'pods', [{ kind: 'User', name: 'alice' }]);
  etcd.put(PREFIXES.clusterRoleBindings, binding);
  const authz = new RbacAuthorizer({ stores: storesOn(etcd) });
  await authz.start();
  const listPods = ask(alice, 'list', 'pods', { namespace: 'dev' });
  t.true(authz.authorize(listPods).allowed);
  etcd.fail(PREFIXES.clusterRoleBindings);
  // Lost while the watch was down: only a new list can tell.
  etcd.remove(PREFIXES.clusterRoleBindings, binding, true);
  t.true(await eventually(() => !authz.authorize(listPods).allowed), 'the relist dropped the deleted binding');
  t.is(etcd.watches.get(PREFIXES.clusterRoleBindings)!.length, 2, 'the cache watched again');
  etcd.put(PREFIXES.clusterRoleBindings, binding);
  t.true(authz.authorize(listPods).allowed, 'and events flow again after the relist');
  authz.stop();
});

test('stopping before the first list rejects the wait', async (t) => {
  const etcd = new ScriptedEtcd();
  const stores = storesOn(etcd);
  stores.roles = { cache: stores.roles.cache, list: () => new Promise(() => undefined) };
  const authz = new RbacAuthorizer({ stores });
  const started = authz.start();
  authz.stop();
  await t.throwsAsync(started, { message: /stopped before the first list/ });
});
