import test from 'ava';
import type { KObject } from '../kind.js';
import { validateObjectMeta } from '../object-meta.js';
import { role } from './role.js';

const make = (rules: KObject[]): KObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'dev' }, rules });
const messages = (rules: KObject[]) => role.validate!(make(rules)).map((c) => c.message);

test('rules need verbs, groups and resources', (t) => {
  t.deepEqual(messages([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), []);
  t.deepEqual(messages([{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }]), []);
  t.deepEqual(messages([{}]), [
    'rules[0].verbs: Required value: verbs must contain at least one value',
    'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[0].resources: Required value: resource rules must supply at least one resource',
  ]);
  t.deepEqual(messages([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: [], resources: ['x'], apiGroups: [''] }]), [
    'rules[1].verbs: Required value: verbs must contain at least one value',
  ]);
  t.deepEqual(messages([]), []);
});

test('a Role may not name non-resource URLs', (t) => {
  t.deepEqual(messages([{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
  ]);
  t.deepEqual(messages([{ verbs: ['get'], nonResourceURLs: ['/healthz'], resources: ['pods'] }]), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: rules cannot apply to both regular resources and non-resource URLs',
  ]);
});

test('RBAC names are path segments, so colons are fine', (t) => {
  t.deepEqual(validateObjectMeta({ name: 'system:leader-locking', namespace: 'kube-system' }, true, role.nameRule), []);
  t.deepEqual(validateObjectMeta({ name: 'Upper_Case', namespace: 'x' }, true, role.nameRule), []);
  t.deepEqual(validateObjectMeta({ name: 'a/b', namespace: 'x' }, true, role.nameRule).map((c) => c.message), ['metadata.name: Invalid value: "a/b": may not contain \'/\'']);
});

test('role is namespaced, has no short names, and prints NAME and CREATED AT', (t) => {
  t.true(role.namespaced);
  t.is(role.shortNames, undefined);
  t.deepEqual(role.columns.map((c) => [c.name, c.type, c.priority]), [['Name', 'string', 0], ['Created At', 'date', 0]]);
  const r = make([]);
  r.metadata.creationTimestamp = '2024-05-01T10:00:00Z';
  t.deepEqual(role.columns.map((c) => c.cell(r)), ['r', '2024-05-01T10:00:00Z']);
  t.is(role.schema.definition, 'io.k8s.api.rbac.v1.Role');
  t.deepEqual(role.schema.properties!.rules.items!.required, ['verbs']);
});
