import test from 'ava';
import { validateObjectMeta } from '../object-meta.js';
import { serviceAccount } from './service-account.js';

test('service accounts: namespaced, short name sa, NAME SECRETS AGE', (t) => {
  t.true(serviceAccount.namespaced);
  t.deepEqual(serviceAccount.shortNames, ['sa']);
  t.is(serviceAccount.group, '');
  t.deepEqual(serviceAccount.columns.map((c) => c.name), ['Name', 'Secrets', 'Age']);
  const sa = { metadata: { name: 'builder', namespace: 'ci', creationTimestamp: new Date(Date.now() - 3000).toISOString() }, secrets: [{ name: 'a' }, { name: 'b' }] };
  t.deepEqual(serviceAccount.columns.map((c) => c.cell(sa)), ['builder', 2, '3s']);
  t.is(serviceAccount.columns[1].cell({ metadata: { name: 'x' } }), 0);
});

test('the schema has secrets (merged by name), imagePullSecrets and automountServiceAccountToken', (t) => {
  const p = serviceAccount.schema.properties!;
  t.is(p.secrets.patchMergeKey, 'name');
  t.is(p.secrets.items!.definition, 'io.k8s.api.core.v1.ObjectReference');
  t.is(p.imagePullSecrets.items!.definition, 'io.k8s.api.core.v1.LocalObjectReference');
  t.is(p.automountServiceAccountToken.type, 'boolean');
});

test('names are DNS subdomains', (t) => {
  t.deepEqual(validateObjectMeta({ name: 'builder', namespace: 'ci' }, true, serviceAccount.nameRule), []);
  t.is(validateObjectMeta({ name: 'system:builder', namespace: 'ci' }, true, serviceAccount.nameRule).length, 1);
});
