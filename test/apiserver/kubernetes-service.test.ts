import { join } from 'node:path';
import test from 'ava';
import { ApiServer } from '../../control-plane/apiserver/server.js';
import { DEFAULTS } from '../../control-plane/apiserver/options.js';
import { ENDPOINT_SLICES, ENDPOINTS, SERVICES } from '../../client/resources.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';

let cluster: TestCluster;
test.before(async () => {
  cluster = await startCluster({ advertiseAddress: '10.0.0.1' });
});
test.after.always(async () => cluster?.stop());

const addresses = async (client: ReturnType<typeof adminClient>) => {
  const [endpoints, slice] = await Promise.all([
    client.get(ENDPOINTS, 'kubernetes', { namespace: 'default' }),
    client.get(ENDPOINT_SLICES, 'kubernetes', { namespace: 'default' }),
  ]);
  return {
    endpoints: (endpoints.subsets ?? []).flatMap((s: any) => s.addresses.map((a: any) => a.ip)),
    slice: (slice.endpoints ?? []).flatMap((e: any) => e.addresses),
    slicePorts: slice.ports,
    sliceLabels: slice.metadata.labels,
  };
};

test.serial('the kubernetes Service has an EndpointSlice beside its Endpoints, as kube-apiserver keeps them, for the service proxy to read', async (t) => {
  const client = adminClient(cluster);
  try {
    const service = await client.get(SERVICES, 'kubernetes', { namespace: 'default' });
    t.is(service.spec.clusterIP, '10.96.0.1');
    const got = await addresses(client);
    t.deepEqual(got.endpoints, ['10.0.0.1']);
    t.deepEqual(got.slice, ['10.0.0.1']);
    t.deepEqual(got.slicePorts, [{ name: 'https', port: Number(new URL(cluster.url).port), protocol: 'TCP' }]);
    t.is(got.sliceLabels?.['kubernetes.io/service-name'], 'kubernetes');
  } finally {
    client.close();
  }
});

test.serial('every running API server is listed, and one that stops is taken out', async (t) => {
  const second = new ApiServer({
    ...DEFAULTS, etcdServers: [cluster.etcd.url], bindAddress: '127.0.0.1', securePort: await freePort(), advertiseAddress: '10.0.0.2',
    tokenAuthFile: join(cluster.dir, 'tokens.csv'), certDir: join(cluster.dir, 'pki'), clientCAFile: join(cluster.dir, 'pki', 'ca.crt'),
  });
  const client = adminClient(cluster);
  try {
    await second.start();
    await eventually('both servers listed', async () => {
      const got = await addresses(client);
      return JSON.stringify(got.endpoints) === '["10.0.0.1","10.0.0.2"]' && JSON.stringify(got.slice) === '["10.0.0.1","10.0.0.2"]';
    }, 15_000, 200);
    await second.stop();
    const got = await addresses(client);
    t.deepEqual(got.endpoints, ['10.0.0.1'], 'the stopped server took itself out');
    t.deepEqual(got.slice, ['10.0.0.1']);
  } finally {
    await second.stop().catch(() => undefined);
    client.close();
  }
});
