import test from 'ava';
import type { KObject } from '../kind.js';
import { clusterRoleBinding } from './cluster-role-binding.js';

const make = (extra: KObject): KObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'crb' },
  roleRef: { kind: 'ClusterRole', name: 'view' }, ...extra,
});
function messages(extra: KObject): string[] {
  const b = make(extra);
  clusterRoleBinding.defaults!(b);
  return clusterRoleBinding.validate!(b).map((c) => c.message);
}

test('a ClusterRoleBinding may only reference a ClusterRole', (t) => {
  t.deepEqual(messages({}), []);
  t.deepEqual(messages({ roleRef: { kind: 'Role', name: 'reader' } }), ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"']);
});

test('service account subjects must name their namespace', (t) => {
  t.deepEqual(messages({ subjects: [{ kind: 'ServiceAccount', name: 'ci' }] }), ['subjects[0].namespace: Required value']);
  t.deepEqual(messages({ subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'build' }, { kind: 'Group', name: 'system:masters' }] }), []);
});

test('roleRef cannot change on update', (t) => {
  const old = make({});
  clusterRoleBinding.defaults!(old);
  const next = make({ roleRef: { kind: 'ClusterRole', name: 'edit' } });
  clusterRoleBinding.defaults!(next);
  t.deepEqual(clusterRoleBinding.validate!(next, old).map((c) => c.message), [
    'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
  ]);
});

test('cluster-scoped, prints NAME ROLE AGE and the wide subject columns', (t) => {
  t.false(clusterRoleBinding.namespaced);
  t.deepEqual(clusterRoleBinding.columns.map((c) => c.name), ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts']);
  const b = make({ subjects: [{ kind: 'Group', name: 'system:masters' }, { kind: 'Group', name: 'ops' }] });
  t.is(clusterRoleBinding.columns[1].cell(b), 'ClusterRole/view');
  t.is(clusterRoleBinding.columns[4].cell(b), 'system:masters, ops');
});
