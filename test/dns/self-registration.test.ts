import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import { isNotFound } from '../../client/api-error.js';
import type { AnyObject } from '../../client/resource.js';
import { ENDPOINT_SLICES, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { kubeDnsSliceName } from '../../dns/kube-dns-service.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { answerData, query } from '../helpers/dns-query.js';
import { eventually } from '../helpers/eventually.js';
import { startDns } from './dns-fixtures.js';

let cluster: TestCluster;
let admin: RestClient;

// The endpoint controllers run too: they must leave the DNS servers' slices of the selectorless kube-dns alone.
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['endpoint', 'endpointslice', 'endpointslicemirroring'] } });
  admin = adminClient(cluster);
});

test.after.always(async () => {
  admin?.close();
  await cluster?.stop();
});

const getOrUndefined = (ref: typeof SERVICES, name: string): Promise<any> => admin.get(ref, name, { namespace: 'kube-system' }).catch((err) => {
  if (isNotFound(err)) return undefined;
  throw err;
});

test.serial('two servers make kube-dns once and keep a slice each with their real ports; a stopped server takes its slice away', async (t) => {
  const first = await startDns(cluster, { registration: { advertiseAddress: '10.0.1.53', serviceIP: '10.96.0.10' } });
  const second = await startDns(cluster, { registration: { advertiseAddress: '10.0.2.53', serviceIP: '10.96.0.10' } });
  try {
    const svc = await eventually('kube-dns', () => getOrUndefined(SERVICES, 'kube-dns'));
    t.is(svc.spec.clusterIP, '10.96.0.10');
    t.is(svc.spec.selector, undefined);
    t.deepEqual(svc.metadata.labels, { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' });
    t.deepEqual(svc.spec.ports.map((p: AnyObject) => `${p.name} ${p.port}/${p.protocol}`), ['dns 53/UDP', 'dns-tcp 53/TCP', 'metrics 9153/TCP']);

    const sliceOf = (address: string) => eventually(`the slice of ${address}`, () => getOrUndefined(ENDPOINT_SLICES, kubeDnsSliceName(address)));
    const slice = await sliceOf('10.0.1.53');
    t.regex(slice.metadata.name, /^kube-dns-[0-9a-f]{10}$/);
    t.is(slice.metadata.labels['kubernetes.io/service-name'], 'kube-dns');
    t.is(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'dns.skiff.dev');
    t.is(slice.addressType, 'IPv4');
    t.deepEqual(slice.endpoints.map((ep: AnyObject) => [ep.addresses, ep.conditions.ready]), [[['10.0.1.53'], true]]);
    t.deepEqual(slice.ports.map((p: AnyObject) => `${p.name} ${p.port}/${p.protocol}`).sort(),
      [`dns ${first.port}/UDP`, `dns-tcp ${first.port}/TCP`, `metrics ${first.serving!.port}/TCP`].sort());
    await sliceOf('10.0.2.53');

    // Someone's hand, or a controller, changing the slice: the server puts it back.
    await admin.update(ENDPOINT_SLICES, { ...slice, endpoints: [{ addresses: ['10.0.9.9'] }] });
    await eventually('the slice put back', async () => (await getOrUndefined(ENDPOINT_SLICES, slice.metadata.name))?.endpoints?.[0]?.addresses?.[0] === '10.0.1.53');

    // The cluster's own edits to the Service stay.
    await admin.patch(SERVICES, 'kube-dns', 'merge', { metadata: { labels: { team: 'platform' } } }, { namespace: 'kube-system' });
    // The endpoint controllers have had time to act on the Service and slices.
    await delay(2500);
    t.is((await getOrUndefined(SERVICES, 'kube-dns')).metadata.labels.team, 'platform');
    t.truthy(await getOrUndefined(ENDPOINT_SLICES, kubeDnsSliceName('10.0.1.53')));
    t.truthy(await getOrUndefined(ENDPOINT_SLICES, kubeDnsSliceName('10.0.2.53')));

    // Each server answers for kube-dns itself.
    t.deepEqual(answerData(await query(first.port, 'kube-dns.kube-system.svc.cluster.local', 'A'), 'A'), ['10.96.0.10']);
  } finally {
    await first.stop();
  }
  t.is(await getOrUndefined(ENDPOINT_SLICES, kubeDnsSliceName('10.0.1.53')), undefined, 'the stopped server\'s slice is gone');
  t.truthy(await getOrUndefined(ENDPOINT_SLICES, kubeDnsSliceName('10.0.2.53')), 'the other server\'s stays');
  t.truthy(await getOrUndefined(SERVICES, 'kube-dns'), 'the Service stays');
  await second.stop();
  t.is(await getOrUndefined(ENDPOINT_SLICES, kubeDnsSliceName('10.0.2.53')), undefined);
});

test.serial('kube-dns deleted while a server runs is made again', async (t) => {
  const dns = await startDns(cluster, { registration: { advertiseAddress: '10.0.3.53', serviceIP: '10.96.0.10' } });
  try {
    const svc = await eventually('kube-dns', () => getOrUndefined(SERVICES, 'kube-dns'));
    await admin.delete(SERVICES, 'kube-dns', { namespace: 'kube-system' });
    const again = await eventually('kube-dns made again', async () => {
      const now = await getOrUndefined(SERVICES, 'kube-dns');
      return now && now.metadata.uid !== svc.metadata.uid ? now : undefined;
    });
    t.is(again.spec.clusterIP, '10.96.0.10');
  } finally {
    await dns.stop();
  }
});
