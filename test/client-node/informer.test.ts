import test from 'ava';
import * as k8s from '@kubernetes/client-node';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';

let cluster: TestCluster;
test.before(async () => { cluster = await startCluster(); });
test.after.always(async () => { await cluster?.stop(); });

test('an official client-node informer sees add, update and delete', async (t) => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'informed' } } });
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/informed/configmaps', () => core.listNamespacedConfigMap({ namespace: 'informed' }));
  const seen: string[] = [];
  const waiters: Array<() => void> = [];
  const record = (what: string) => (obj: k8s.V1ConfigMap) => {
    seen.push(`${what} ${obj.metadata?.name} ${JSON.stringify(obj.data ?? {})}`);
    waiters.splice(0).forEach((w) => w());
  };
  informer.on('add', record('add'));
  informer.on('update', record('update'));
  informer.on('delete', record('delete'));
  const until = (n: number) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`saw only ${JSON.stringify(seen)}`)), 15_000);
    const check = () => (seen.length >= n ? (clearTimeout(timer), resolve()) : waiters.push(check));
    check();
  });
  await core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'before' }, data: { v: '0' } } });
  await informer.start();
  await until(1);
  await core.createNamespacedConfigMap({ namespace: 'informed', body: { metadata: { name: 'cm' }, data: { v: '1' } } });
  await until(2);
  await core.patchNamespacedConfigMap({ namespace: 'informed', name: 'cm', body: { data: { v: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await until(3);
  await core.deleteNamespacedConfigMap({ namespace: 'informed', name: 'cm' });
  await until(4);
  await informer.stop();
  t.deepEqual(seen, ['add before {"v":"0"}', 'add cm {"v":"1"}', 'update cm {"v":"2"}', 'delete cm {"v":"2"}']);
  t.is((informer as unknown as k8s.ListWatch<k8s.V1ConfigMap>).list().length, 1);
});
