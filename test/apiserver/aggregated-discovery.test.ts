import test from 'ava';
import { join } from 'node:path';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';
import { kubectl } from '../helpers/kubectl.js';

let cluster: TestCluster;
test.before(async () => {
  cluster = await startCluster();
});
test.after.always(async () => {
  await cluster?.stop();
});

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

test('/apis answers an APIGroupDiscoveryList when asked for one', async (t) => {
  const r = await call(cluster, 'GET', '/apis', undefined, { Accept: `${V2},application/json` });
  t.is(r.status, 200);
  t.is(String(r.headers['content-type']).replace(/\s/g, ''), V2);
  t.is(r.body.kind, 'APIGroupDiscoveryList');
  t.is(r.body.apiVersion, 'apidiscovery.k8s.io/v2');
  const apps = r.body.items.find((g: any) => g.metadata.name === 'apps');
  const v1 = apps.versions.find((v: any) => v.version === 'v1');
  t.is(v1.freshness, 'Current');
  const deployments = v1.resources.find((x: any) => x.resource === 'deployments');
  t.like(deployments, { scope: 'Namespaced', singularResource: 'deployment', responseKind: { group: '', version: '', kind: 'Deployment' } });
  t.true(deployments.verbs.includes('watch'));
  t.deepEqual(deployments.shortNames, ['deploy']);
  t.true(deployments.categories.includes('all'));
  const scale = deployments.subresources.find((s: any) => s.subresource === 'scale');
  t.deepEqual(scale.responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  t.false(v1.resources.some((x: any) => x.resource.includes('/')), 'subresources sit under their resource');
  t.false(r.body.items.some((g: any) => g.metadata.name === ''), 'the core group is served at /api');
});

test('/api answers the core group, and v2beta1 is served when that is what is asked', async (t) => {
  const r = await call(cluster, 'GET', '/api', undefined, { Accept: `${V2BETA1},application/json` });
  t.is(r.status, 200);
  t.is(String(r.headers['content-type']).replace(/\s/g, ''), V2BETA1);
  t.is(r.body.apiVersion, 'apidiscovery.k8s.io/v2beta1');
  t.is(r.body.items.length, 1);
  const core = r.body.items[0];
  t.is(core.metadata.name ?? '', '');
  const pods = core.versions[0].resources.find((x: any) => x.resource === 'pods');
  t.like(pods, { scope: 'Namespaced', singularResource: 'pod', responseKind: { kind: 'Pod' } });
  t.true(pods.subresources.some((s: any) => s.subresource === 'exec'));
  const nodes = core.versions[0].resources.find((x: any) => x.resource === 'nodes');
  t.is(nodes.scope, 'Cluster');
});

test('other Accept values get the old discovery', async (t) => {
  t.is((await call(cluster, 'GET', '/apis', undefined, { Accept: 'application/json' })).body.kind, 'APIGroupList');
  t.is((await call(cluster, 'GET', '/api')).body.kind, 'APIVersions');
});

test('kubectl discovers every resource in one round trip per root', async (t) => {
  const r = await kubectl(cluster, ['api-resources', '-v=6', '--cache-dir', join(cluster.dir, 'fresh-cache')]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
  const gets = r.stderr.split('\n').filter((l) => /GET https?:\/\//.test(l));
  t.true(gets.some((l) => /\/apis\?/.test(l)), r.stderr);
  t.false(gets.some((l) => /\/(api\/v1|apis\/[^/?]+\/[^/?]+)\?/.test(l)), `no per-group-version fetches:\n${gets.join('\n')}`);
});
