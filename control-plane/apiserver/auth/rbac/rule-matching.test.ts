import test from 'ava';
import type { Attributes } from './attributes.js';
import { nonResourceURLMatches, resourceMatches, ruleAllows, type PolicyRule } from './rule-matching.js';

const user = { name: 'alice', groups: [] };
const request = (verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes => {
  const [res, sub] = resource.split('/');
  return { user, verb, isResourceRequest: true, namespace: 'dev', apiGroup: '', resource: res, subresource: sub ?? '', name: '', ...extra };
};
const path = (verb: string, p: string): Attributes => ({ user, verb, isResourceRequest: false, path: p });

test('verbs and groups match exactly or by *', (t) => {
  const rule: PolicyRule = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
  t.true(ruleAllows(request('get', 'pods'), rule));
  t.true(ruleAllows(request('list', 'pods'), rule));
  t.false(ruleAllows(request('delete', 'pods'), rule));
  t.false(ruleAllows(request('get', 'pods', { apiGroup: 'apps' }), rule));
  t.true(ruleAllows(request('delete', 'deployments', { apiGroup: 'apps' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }));
  t.false(ruleAllows(request('get', 'pods'), { verbs: ['get'], apiGroups: [], resources: ['pods'] }), 'no groups matches nothing');
});

test('resources: exact, *, resource/subresource and */subresource', (t) => {
  const rule: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['pods'] };
  t.true(ruleAllows(request('get', 'pods'), rule));
  t.false(ruleAllows(request('get', 'pods/log'), rule), 'a resource does not cover its subresources');
  t.true(ruleAllows(request('get', 'pods/log'), { ...rule, resources: ['pods/log'] }));
  t.false(ruleAllows(request('get', 'pods'), { ...rule, resources: ['pods/log'] }));
  t.true(ruleAllows(request('update', 'deployments/scale', { apiGroup: 'apps' }), { ...rule, resources: ['*/scale'] }));
  t.false(ruleAllows(request('update', 'deployments/status', { apiGroup: 'apps' }), { ...rule, resources: ['*/scale'] }));
  t.false(ruleAllows(request('update', 'deployments', { apiGroup: 'apps' }), { ...rule, resources: ['*/scale'] }));
  t.true(ruleAllows(request('get', 'pods/log'), { ...rule, resources: ['*'] }), '* covers subresources too');
  t.true(resourceMatches({ resources: ['*/status'] }, 'nodes/status', 'status'));
  t.false(resourceMatches({ resources: ['*/status'] }, 'nodes/status', ''));
});

test('resourceNames restrict only requests that name an object', (t) => {
  const rule: PolicyRule = { verbs: ['*'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] };
  t.true(ruleAllows(request('get', 'configmaps', { name: 'settings' }), rule));
  t.true(ruleAllows(request('update', 'configmaps', { name: 'settings' }), rule));
  t.false(ruleAllows(request('get', 'configmaps', { name: 'other' }), rule));
  for (const verb of ['list', 'watch', 'create', 'deletecollection']) t.false(ruleAllows(request(verb, 'configmaps'), rule), verb);
  t.true(ruleAllows(request('watch', 'configmaps', { name: 'settings' }), rule), 'a watch narrowed to one name by field selector');
  t.true(ruleAllows(request('list', 'configmaps'), { ...rule, resourceNames: [] }));
});

test('non-resource URLs: exact, * and trailing-* prefixes', (t) => {
  const rule: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*', '/version/'] };
  t.true(ruleAllows(path('get', '/healthz'), rule));
  t.false(ruleAllows(path('get', '/healthz/etcd'), rule));
  t.true(ruleAllows(path('get', '/apis/apps/v1'), rule));
  t.true(ruleAllows(path('get', '/apis/'), rule));
  t.false(ruleAllows(path('get', '/apis'), rule));
  t.false(ruleAllows(path('post', '/healthz'), rule));
  t.true(nonResourceURLMatches({ nonResourceURLs: ['*'] }, '/anything'));
  t.false(ruleAllows(request('get', 'pods'), rule), 'a URL rule grants no resources');
  t.false(ruleAllows(path('get', '/healthz'), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }), 'a resource rule grants no URLs');
});
