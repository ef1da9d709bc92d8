import test from 'ava';
import type { KObject } from '../../../../api/kind.js';
import { RbacAuthorizer } from './authorizer.js';
import { compactRules, compactString, covers } from './covers.js';
import { checkEscalation } from './escalation.js';
import type { PolicyRule } from './rule-matching.js';

const G = 'rbac.authorization.k8s.io';
const alice = { name: 'alice', groups: ['system:authenticated'] };
const crole = (name: string, rules: PolicyRule[]): KObject => ({ kind: 'ClusterRole', metadata: { name }, rules });
const bindAlice = (namespace: string, name: string, roleName: string): KObject =>
  ({ kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'User', name: 'alice' }] });
const clusterBindAlice = (name: string, roleName: string): KObject =>
  ({ kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'User', name: 'alice' }] });

const podsRW: PolicyRule = { verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'], apiGroups: [''], resources: ['pods', 'pods/log', 'configmaps'] };
const everything: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];
const newRole = (rules: PolicyRule[], namespace = 'dev'): KObject => ({ apiVersion: `${G}/v1`, kind: 'Role', metadata: { name: 'r', namespace }, rules });

test('covers: every piece of the requested rules must sit inside one owner rule', (t) => {
  const owner: PolicyRule[] = [
    { verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'] },
    { verbs: ['update'], apiGroups: ['apps'], resources: ['*/scale'] },
    { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a', 'b'] },
    { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
  ];
  t.true(covers(owner, [{ verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }]).covered);
  t.true(covers(owner, [{ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments/scale', 'replicasets/scale'] }]).covered);
  t.false(covers(owner, [{ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'] }]).covered);
  t.true(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }]).covered);
  t.false(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }]).covered, 'names in the owner do not cover every name');
  t.true(covers(owner, [{ verbs: ['get'], nonResourceURLs: ['/apis/apps', '/apis/*'] }]).covered);
  t.false(covers(owner, [{ verbs: ['get'], nonResourceURLs: ['/api'] }]).covered);
  // '*' is not expanded: asking for it takes holding it.
  t.false(covers(owner, [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }]).covered);
  t.false(covers(owner, [{ verbs: ['get'], apiGroups: ['*'], resources: ['pods'] }]).covered);
  t.true(covers([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['*'], apiGroups: ['*'], resources: ['*', 'pods/log'], resourceNames: ['x'] }]).covered);
  t.false(covers([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]).covered);
  const { missing } = covers(owner, [{ verbs: ['get', 'delete', 'patch'], apiGroups: [''], resources: ['pods'] }]);
  t.deepEqual(missing, [{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }, { verbs: ['patch'], apiGroups: [''], resources: ['pods'] }]);
  t.deepEqual(compactRules(missing).map(compactString), ['{APIGroups:[""], Resources:["pods"], Verbs:["delete" "patch"]}']);
});

test('a Role may hold only rules its author holds in that namespace', (t) => {
  const authz = new RbacAuthorizer({ objects: { clusterRoles: [crole('worker', [podsRW])], roleBindings: [bindAlice('dev', 'w', 'worker')] } });
  t.is(checkEscalation(authz, alice, newRole([{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }])), undefined);
  t.is(checkEscalation(authz, alice, newRole([{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }])), undefined);
  t.is(checkEscalation(authz, alice, newRole([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], 'prod')),
    'user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}');
  t.is(checkEscalation(authz, alice, newRole([
    { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets', 'pods'] },
    { verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] },
  ])), [
    'user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:',
    '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
    '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["patch"]}',
  ].join('\n'));
  t.is(checkEscalation(authz, alice, newRole([{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }])),
    'user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["*"]}');
});

test('escalate on roles, or system:masters, lifts the check', (t) => {
  const authz = new RbacAuthorizer({
    objects: {
      clusterRoles: [crole('escalator', [{ verbs: ['escalate'], apiGroups: [G], resources: ['roles'] }])],
      roleBindings: [bindAlice('dev', 'e', 'escalator')],
    },
  });
  const big = newRole([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
  t.is(checkEscalation(authz, alice, big), undefined);
  t.truthy(checkEscalation(authz, alice, newRole(big.rules, 'prod')));
  t.is(checkEscalation(authz, { name: 'root', groups: ['system:masters'] }, newRole(big.rules, 'prod')), undefined);
  const named = new RbacAuthorizer({
    objects: {
      clusterRoles: [crole('escalate-one', [{ verbs: ['escalate'], apiGroups: [G], resources: ['roles'], resourceNames: ['r'] }])],
      roleBindings: [bindAlice('dev', 'e', 'escalate-one')],
    },
  });
  t.truthy(checkEscalation(named, alice, big), 'a create names no object, so a named escalate grant does not apply');
  t.is(checkEscalation(named, alice, big, { old: newRole([]) }), undefined, 'an update of that role does');
});

test('updates that only touch owner references or finalizers pass', (t) => {
  const authz = new RbacAuthorizer();
  const old = newRole([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
  const next = structuredClone(old);
  next.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Namespace', name: 'dev', uid: 'u' }];
  next.metadata.finalizers = ['example.com/keep'];
  t.is(checkEscalation(authz, alice, next, { old }), undefined);
  next.metadata.labels = { a: 'b' };
  t.truthy(checkEscalation(authz, alice, next, { old }));
});

test('ClusterRoles are checked against cluster-wide rules; an aggregationRule takes them all', (t) => {
  const authz = new RbacAuthorizer({
    objects: {
      clusterRoles: [crole('worker', [podsRW]), crole('all', everything)],
      roleBindings: [bindAlice('dev', 'w', 'worker')],
    },
  });
  const cr = (extra: KObject = {}): KObject => ({ kind: 'ClusterRole', metadata: { name: 'c' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], ...extra });
  t.truthy(checkEscalation(authz, alice, cr()), 'rules held in one namespace do not count cluster-wide');
  const admin = new RbacAuthorizer({ objects: { clusterRoles: [crole('worker', [podsRW])], clusterRoleBindings: [clusterBindAlice('w', 'worker')] } });
  t.is(checkEscalation(admin, alice, cr()), undefined);
  const aggregated = cr({ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } });
  t.is(checkEscalation(admin, alice, aggregated), 'must have cluster-admin privileges to use the aggregationRule');
  t.is(checkEscalation(admin, alice, cr(), { old: aggregated }), 'must have cluster-admin privileges to use the aggregationRule', 'nor may one be removed');
  t.is(checkEscalation(admin, alice, cr({ aggregationRule: { clusterRoleSelectors: [] } })), undefined, 'a rule without selectors gathers nothing');
  const root = new RbacAuthorizer({ objects: { clusterRoles: [crole('all', everything)], clusterRoleBindings: [clusterBindAlice('all', 'all')] } });
  t.is(checkEscalation(root, alice, aggregated), undefined);
});

test('a binding needs the role\'s rules where it applies, or bind on the role', (t) => {
  const authz = new RbacAuthorizer({
    objects: {
      clusterRoles: [
        crole('worker', [podsRW]),
        crole('view', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }]),
        crole('secrets', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]),
        crole('binder', [{ verbs: ['bind'], apiGroups: [G], resources: ['clusterroles'], resourceNames: ['secrets'] }]),
      ],
      roleBindings: [bindAlice('dev', 'w', 'worker'), bindAlice('dev', 'b', 'binder')],
    },
  });
  const rb = (roleName: string, namespace = 'dev', kind = 'ClusterRole'): KObject =>
    ({ kind: 'RoleBinding', metadata: { name: 'x', namespace }, roleRef: { apiGroup: G, kind, name: roleName }, subjects: [{ kind: 'User', name: 'bob', apiGroup: G }] });
  t.is(checkEscalation(authz, alice, rb('view')), undefined, 'alice holds what view grants, in dev');
  t.is(checkEscalation(authz, alice, rb('view', 'prod')),
    'user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get" "list" "watch"]}');
  t.is(checkEscalation(authz, alice, rb('secrets')), undefined, 'bind on that very role');
  t.truthy(checkEscalation(authz, alice, rb('secrets', 'prod')), 'bind was granted in dev only');
  t.is(checkEscalation(authz, alice, rb('ghost')), 'clusterrole.rbac.authorization.k8s.io "ghost" not found');
  t.is(checkEscalation(authz, alice, rb('ghost', 'dev', 'Role')), 'role.rbac.authorization.k8s.io "ghost" not found');
  const crb: KObject = { kind: 'ClusterRoleBinding', metadata: { name: 'x' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'view' }, subjects: [] };
  t.truthy(checkEscalation(authz, alice, crb), 'a ClusterRoleBinding needs the rules cluster-wide');
  t.is(checkEscalation(authz, { name: 'root', groups: ['system:masters'] }, crb), undefined);
  t.is(checkEscalation(authz, alice, { kind: 'ConfigMap', metadata: { name: 'x' } }), undefined, 'other kinds are not checked');
});

test('missing roles among the author\'s bindings are reported with the refusal', (t) => {
  const authz = new RbacAuthorizer({ objects: { roleBindings: [bindAlice('dev', 'gone', 'gone')] } });
  t.is(checkEscalation(authz, alice, newRole([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])),
    'user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}; resolution errors: [clusterrole.rbac.authorization.k8s.io "gone" not found]');
});
