import test from 'ava';
import type { KObject } from '../kind.js';
import { roleBinding } from './role-binding.js';

const make = (extra: KObject): KObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'dev' },
  roleRef: { kind: 'Role', name: 'reader' }, ...extra,
});
function create(extra: KObject) {
  const b = make(extra);
  roleBinding.defaults!(b);
  return { b, messages: roleBinding.validate!(b).map((c) => c.message) };
}

test('defaults fill the RBAC group into roleRef and user and group subjects', (t) => {
  const { b, messages } = create({ subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'ci' }] });
  t.deepEqual(messages, []);
  t.is(b.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  t.deepEqual(b.subjects.map((s: KObject) => s.apiGroup), ['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', undefined]);
});

test('roleRef is required and may name a Role or a ClusterRole', (t) => {
  t.deepEqual(create({ roleRef: { kind: 'ClusterRole', name: 'view' } }).messages, []);
  t.deepEqual(create({ roleRef: undefined }).messages, [
    'roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole"',
    'roleRef.name: Required value',
  ]);
  t.deepEqual(create({ roleRef: { apiGroup: 'example.com', kind: 'Thing', name: 'a/b' } }).messages, [
    'roleRef.apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"',
    'roleRef.kind: Unsupported value: "Thing": supported values: "Role", "ClusterRole"',
    'roleRef.name: Invalid value: "a/b": may not contain \'/\'',
  ]);
});

test('subjects need a kind and a name; users and groups are in the RBAC group, service accounts in none', (t) => {
  t.deepEqual(create({ subjects: [{ kind: 'User' }] }).messages, ['subjects[0].name: Required value']);
  t.deepEqual(create({ subjects: [{ name: 'x' }] }).messages, ['subjects[0].kind: Unsupported value: "": supported values: "ServiceAccount", "User", "Group"']);
  t.deepEqual(create({ subjects: [{ kind: 'Group', name: 'g', apiGroup: 'v1' }] }).messages, [
    'subjects[0].apiGroup: Unsupported value: "v1": supported values: "rbac.authorization.k8s.io"',
  ]);
  t.deepEqual(create({ subjects: [{ kind: 'ServiceAccount', name: 'ci', apiGroup: 'rbac.authorization.k8s.io' }] }).messages, [
    'subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""',
  ]);
  const bad = create({ subjects: [{ kind: 'ServiceAccount', name: 'Not_Valid' }] }).messages;
  t.is(bad.length, 1);
  t.regex(bad[0], /^subjects\[0\]\.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/);
  t.deepEqual(create({ subjects: [{ kind: 'ServiceAccount', name: 'ci' }] }).messages, [], 'a RoleBinding defaults the namespace');
});

test('roleRef cannot change', (t) => {
  const { b: old } = create({ subjects: [{ kind: 'User', name: 'alice' }] });
  const next = structuredClone(old);
  next.subjects.push({ kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' });
  t.deepEqual(roleBinding.validate!(next, old), []);
  next.roleRef = { kind: 'ClusterRole', name: 'edit' };
  roleBinding.defaults!(next);
  const causes = roleBinding.validate!(next, old);
  t.deepEqual(causes.map((c) => [c.field, c.reason, c.message]), [[
    'roleRef', 'FieldValueInvalid',
    'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
  ]]);
});

test('columns: NAME ROLE AGE, and USERS GROUPS SERVICEACCOUNTS when wide', (t) => {
  t.true(roleBinding.namespaced);
  t.is(roleBinding.shortNames, undefined);
  t.deepEqual(roleBinding.columns.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Role', 0], ['Age', 0], ['Users', 1], ['Groups', 1], ['ServiceAccounts', 1],
  ]);
  const { b } = create({
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [
      { kind: 'User', name: 'alice' }, { kind: 'User', name: 'bob' }, { kind: 'Group', name: 'devs' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'build' },
    ],
  });
  b.metadata.creationTimestamp = new Date(Date.now() - 5000).toISOString();
  t.deepEqual(roleBinding.columns.map((c) => c.cell(b)), ['rb', 'ClusterRole/view', '5s', 'alice, bob', 'devs', 'build/ci']);
  t.deepEqual(roleBinding.columns.slice(3).map((c) => c.cell(make({}))), ['', '', '']);
});
