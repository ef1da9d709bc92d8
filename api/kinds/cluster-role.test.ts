import test from 'ava';
import type { KObject } from '../kind.js';
import { clusterRole } from './cluster-role.js';

const make = (extra: KObject): KObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cr' }, ...extra });
const messages = (extra: KObject) => clusterRole.validate!(make(extra)).map((c) => c.message);

test('cluster roles may grant non-resource URLs, but not mixed with resources', (t) => {
  t.deepEqual(messages({ rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] }] }), []);
  t.deepEqual(messages({ rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'], apiGroups: [''] }] }), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: rules cannot apply to both regular resources and non-resource URLs',
  ]);
  t.deepEqual(messages({ rules: [{ nonResourceURLs: ['/healthz'] }] }), ['rules[0].verbs: Required value: verbs must contain at least one value']);
});

test('an aggregationRule is accepted and checked', (t) => {
  t.deepEqual(messages({ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-monitoring': 'true' } }] } }), []);
  t.deepEqual(messages({ aggregationRule: {} }), [
    'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
  ]);
  t.deepEqual(messages({ aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] } }), [
    "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
  t.truthy(clusterRole.schema.properties!.aggregationRule.properties!.clusterRoleSelectors);
});

test('cluster roles are cluster-scoped and print NAME and CREATED AT', (t) => {
  t.false(clusterRole.namespaced);
  t.is(clusterRole.shortNames, undefined);
  t.deepEqual(clusterRole.columns.map((c) => c.name), ['Name', 'Created At']);
  t.is(clusterRole.columns[1].cell(make({})), null);
});
