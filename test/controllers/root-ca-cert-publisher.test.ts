import test from 'ava';
import { readFileSync } from 'node:fs';
import type { AnyObject } from '../../client/resource.js';
import { CONFIG_MAPS, NAMESPACES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';

const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. '
  + 'No other usage is guaranteed across distributions of Kubernetes clusters.';

// Without --root-ca-file the publisher publishes the CA its kubeconfig trusts: the cluster's.
let cluster: TestCluster;
let client: RestClient;
let ca: string;
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['root-ca-cert-publisher'] } });
  client = adminClient(cluster);
  ca = readFileSync(cluster.caFile!, 'utf8');
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

async function namespace(name: string): Promise<void> {
  await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

const published = (ns: string, check: (cm: AnyObject) => boolean = () => true) => eventually(`kube-root-ca.crt in ${ns}`, async () => {
  const cm = await client.get(CONFIG_MAPS, 'kube-root-ca.crt', { namespace: ns });
  return check(cm) && cm;
}, 10_000, 50);

test('a new namespace gets kube-root-ca.crt: the cluster CA under ca.crt, described as kube describes it', async (t) => {
  await namespace('fresh');
  const cm = await published('fresh');
  t.deepEqual(cm.data, { 'ca.crt': ca });
  t.deepEqual(cm.metadata.annotations, { 'kubernetes.io/description': DESCRIPTION });
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    t.deepEqual((await client.get(CONFIG_MAPS, 'kube-root-ca.crt', { namespace: ns })).data, { 'ca.crt': ca }, ns);
  }
});

test('deleted, it is made again', async (t) => {
  await namespace('deleting');
  const first = await published('deleting');
  await client.delete(CONFIG_MAPS, 'kube-root-ca.crt', { namespace: 'deleting' });
  const again = await published('deleting', (cm) => cm.metadata.uid !== first.metadata.uid);
  t.deepEqual(again.data, { 'ca.crt': ca });
  t.is(again.metadata.annotations?.['kubernetes.io/description'], DESCRIPTION);
});

test('edited, it is set back: the bundle and nothing else, and a description', async (t) => {
  await namespace('editing');
  const cm = await published('editing');
  await client.update(CONFIG_MAPS, { ...cm, metadata: { ...cm.metadata, annotations: { keep: 'me' } }, data: { 'ca.crt': 'not a CA', extra: 'x' } });
  const restored = await published('editing', (c) => c.data?.['ca.crt'] === ca);
  t.deepEqual(restored.data, { 'ca.crt': ca });
  t.deepEqual(restored.metadata.annotations, { keep: 'me', 'kubernetes.io/description': DESCRIPTION }, 'other annotations stay');

  // As in kube, any description will do: only the data is held to the bundle.
  await client.update(CONFIG_MAPS, { ...restored, metadata: { ...restored.metadata, annotations: { 'kubernetes.io/description': 'ours' } } });
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.is((await client.get(CONFIG_MAPS, 'kube-root-ca.crt', { namespace: 'editing' })).metadata.annotations?.['kubernetes.io/description'], 'ours');
});

test('a terminating namespace is left alone', async (t) => {
  await namespace('leaving');
  await published('leaving');
  // With no namespace controller the namespace stays Terminating, its content in place.
  await client.delete(NAMESPACES, 'leaving');
  await client.delete(CONFIG_MAPS, 'kube-root-ca.crt', { namespace: 'leaving' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await t.throwsAsync(client.get(CONFIG_MAPS, 'kube-root-ca.crt', { namespace: 'leaving' }), { message: /not found/ });
});
