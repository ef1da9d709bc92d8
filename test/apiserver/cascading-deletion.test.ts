import test from 'ava';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';

// The API server's side of cascading deletion, with no garbage collector
// running: which finalizers a delete leaves for the collector to carry out.
let cluster: TestCluster;
test.before(async () => { cluster = await startCluster(); });
test.after.always(async () => { await cluster?.stop(); });

const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const CMS = '/api/v1/namespaces/default/configmaps';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';
const HOLD = 'example.com/hold';

const configMap = (name: string, finalizers?: string[]) => ({ metadata: { name, ...(finalizers ? { finalizers } : {}) } });
const deployment = (name: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});
const finalizersOf = async (path: string) => (await call(cluster, 'GET', path)).body.metadata.finalizers;

test('a delete on an object already deleting switches its GC finalizer: orphan, then foreground, then background', async (t) => {
  await call(cluster, 'POST', CMS, configMap('switch', [HOLD]));
  const orphan = await call(cluster, 'DELETE', `${CMS}/switch`, { propagationPolicy: 'Orphan' });
  t.is(orphan.status, 200);
  t.deepEqual(orphan.body.metadata.finalizers, [HOLD, 'orphan']);
  const firstDeletion = orphan.body.metadata.deletionTimestamp;
  t.truthy(firstDeletion);

  const fore = await call(cluster, 'DELETE', `${CMS}/switch?propagationPolicy=Foreground`);
  t.is(fore.status, 200);
  t.deepEqual(fore.body.metadata.finalizers, [HOLD, 'foregroundDeletion']);
  t.is(fore.body.metadata.deletionTimestamp, firstDeletion, 'the deletion keeps its start');

  const back = await call(cluster, 'DELETE', `${CMS}/switch`, { propagationPolicy: 'Background' });
  t.deepEqual(back.body.metadata.finalizers, [HOLD], 'background takes both GC finalizers away');
  t.is((await call(cluster, 'PATCH', `${CMS}/switch`, { metadata: { finalizers: null } }, MERGE)).status, 200);
  t.is((await call(cluster, 'GET', `${CMS}/switch`)).status, 404);
});

test('a delete without a policy keeps the GC finalizer the object already has', async (t) => {
  await call(cluster, 'POST', CMS, configMap('keep', [HOLD]));
  await call(cluster, 'DELETE', `${CMS}/keep?propagationPolicy=Foreground`);
  const again = await call(cluster, 'DELETE', `${CMS}/keep`);
  t.deepEqual(again.body.metadata.finalizers, [HOLD, 'foregroundDeletion']);

  // An orphan finalizer put there at creation is honoured by a plain delete.
  await call(cluster, 'POST', CMS, configMap('born-orphan', ['orphan']));
  const plain = await call(cluster, 'DELETE', `${CMS}/born-orphan`);
  t.truthy(plain.body.metadata.deletionTimestamp);
  t.deepEqual(plain.body.metadata.finalizers, ['orphan']);
  // A foreground delete replaces it rather than adding a second GC finalizer.
  t.deepEqual((await call(cluster, 'DELETE', `${CMS}/born-orphan?propagationPolicy=Foreground`)).body.metadata.finalizers, ['foregroundDeletion']);
});

test('removing an object\'s last finalizer deletes it, whoever removes it', async (t) => {
  await call(cluster, 'POST', CMS, configMap('last'));
  await call(cluster, 'DELETE', `${CMS}/last?propagationPolicy=Orphan`);
  t.deepEqual(await finalizersOf(`${CMS}/last`), ['orphan']);
  const removed = await call(cluster, 'PATCH', `${CMS}/last`, { metadata: { finalizers: null } }, MERGE);
  t.is(removed.status, 200, removed.text);
  t.is((await call(cluster, 'GET', `${CMS}/last`)).status, 404);
});

test('orphanDependents is the legacy spelling of the policy; with a policy too it is invalid', async (t) => {
  await call(cluster, 'POST', CMS, configMap('legacy'));
  const orphan = await call(cluster, 'DELETE', `${CMS}/legacy?orphanDependents=true`);
  t.is(orphan.status, 200);
  t.deepEqual(orphan.body.metadata.finalizers, ['orphan']);

  // kube answers 202 only to a pending delete that asked for cascading with orphanDependents=false.
  await call(cluster, 'POST', CMS, configMap('cascading', [HOLD]));
  const cascading = await call(cluster, 'DELETE', `${CMS}/cascading`, { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: false });
  t.is(cascading.status, 202);
  t.deepEqual(cascading.body.metadata.finalizers, [HOLD]);

  const both = await call(cluster, 'DELETE', `${CMS}/cascading`, { orphanDependents: true, propagationPolicy: 'Background' });
  t.is(both.status, 422);
  t.is(both.body.reason, 'Invalid');
  t.is(both.body.message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Background": orphanDependents and deletionPropagation cannot be both set');
  const unknown = await call(cluster, 'DELETE', `${CMS}/cascading?propagationPolicy=Sometimes`);
  t.is(unknown.status, 422);
  t.is(unknown.body.message, 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sometimes": supported values: "Foreground", "Background", "Orphan", "nil"');
});

test('without a policy a Deployment goes at once (apps/v1 defaults to background); a marked one gets a new generation', async (t) => {
  await call(cluster, 'POST', DEPLOYS, deployment('plain'));
  const plain = await call(cluster, 'DELETE', `${DEPLOYS}/plain`);
  t.is(plain.status, 200);
  t.is(plain.body.kind, 'Status');
  t.is((await call(cluster, 'GET', `${DEPLOYS}/plain`)).status, 404);

  const created = (await call(cluster, 'POST', DEPLOYS, deployment('marked'))).body;
  t.is(created.metadata.generation, 1);
  const marked = await call(cluster, 'DELETE', `${DEPLOYS}/marked?propagationPolicy=Foreground`);
  t.is(marked.body.metadata.generation, 2, 'kube bumps the generation when deletion starts');
  t.is((await call(cluster, 'DELETE', `${DEPLOYS}/marked?propagationPolicy=Orphan`)).body.metadata.generation, 2, 'only once');
});

test('events take no GC finalizers: an orphaning delete removes one at once', async (t) => {
  const EVENTS = '/api/v1/namespaces/default/events';
  const event = {
    metadata: { name: 'ev' }, involvedObject: { kind: 'ConfigMap', namespace: 'default', name: 'x' },
    reason: 'Test', message: 'm', type: 'Normal', source: { component: 'test' },
  };
  t.is((await call(cluster, 'POST', EVENTS, event)).status, 201);
  const deleted = await call(cluster, 'DELETE', `${EVENTS}/ev?propagationPolicy=Orphan`);
  t.is(deleted.status, 200);
  t.is((await call(cluster, 'GET', `${EVENTS}/ev`)).status, 404);
});

test('a graceful pod termination under way takes no GC finalizer; shortening it to 0 ends its grace', async (t) => {
  const PODS = '/api/v1/namespaces/default/pods';
  await call(cluster, 'POST', PODS, { metadata: { name: 'graceful', finalizers: [HOLD] }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await call(cluster, 'POST', `${PODS}/graceful/binding`, { metadata: { name: 'graceful' }, target: { kind: 'Node', name: 'n1' } });
  const first = await call(cluster, 'DELETE', `${PODS}/graceful`);
  t.is(first.body.metadata.deletionGracePeriodSeconds, 30);
  const orphan = await call(cluster, 'DELETE', `${PODS}/graceful?propagationPolicy=Orphan`);
  t.deepEqual(orphan.body.metadata.finalizers, [HOLD], 'pending grace: the options change nothing');
  const now = await call(cluster, 'DELETE', `${PODS}/graceful?gracePeriodSeconds=0&propagationPolicy=Orphan`);
  t.is(now.body.metadata.deletionGracePeriodSeconds, 0);
  t.deepEqual(now.body.metadata.finalizers, [HOLD, 'orphan'], 'a shorter grace period lets the options set the finalizers');
  t.true(Date.parse(now.body.metadata.deletionTimestamp) <= Date.now());
  await call(cluster, 'PATCH', `${PODS}/graceful`, { metadata: { finalizers: null } }, MERGE);
  t.is((await call(cluster, 'GET', `${PODS}/graceful`)).status, 404);
});
