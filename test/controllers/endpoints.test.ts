import test from 'ava';
import { rfc3339 } from '../../api/time.js';
import { isNotFound } from '../../client/api-error.js';
import type { AnyObject } from '../../client/resource.js';
import { ENDPOINTS, EVENTS, NODES, PODS, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { runControllerManager } from '../../controllers/controller-manager.js';
import { ANNOTATION_OVER_CAPACITY, capacityAnnotationSetCorrectly, truncateEndpoints } from '../../controllers/endpoint/over-capacity.js';
import { adminClient, identityConfig, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { endpointFixtures } from './endpoint-fixtures.js';
import { kubectlOk } from '../helpers/kubectl.js';

type Json = Record<string, any>;

let cluster: TestCluster;
let client: RestClient;
const NODE = 'ep-node';
// An Endpoints object whose Service is gone before the controller first looks: made before the first test runs.
const ORPHAN_NS = 'ep-orphan';

const stamp = (ms = Date.now()) => rfc3339(ms);

const { namespace, pod, report, runningPod, service } = endpointFixtures(() => client, NODE);

async function endpointsOf(ns: string, name: string): Promise<AnyObject | undefined> {
  try {
    return await client.get(ENDPOINTS, name, { namespace: ns });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Every address and port the Endpoints lists, as "ip:port/name ready" or "... notReady", sorted. */
function flatten(ep: AnyObject | undefined): string[] {
  const out: string[] = [];
  for (const ss of ep?.subsets ?? []) {
    for (const [list, state] of [[ss.addresses, 'ready'], [ss.notReadyAddresses, 'notReady']] as const) {
      for (const a of list ?? []) {
        for (const p of ss.ports ?? [{}]) out.push(`${a.ip}:${p.port ?? ''}/${p.name ?? ''} ${state}`);
      }
    }
  }
  return out.sort();
}

/** Waits until the Endpoints list exactly these entries; answers the object. */
function endpointsListing(ns: string, name: string, want: string[], timeoutMs = 20_000): Promise<AnyObject> {
  const sorted = [...want].sort();
  return eventually(`Endpoints ${ns}/${name} listing ${sorted.join(', ')}`, async () => {
    const ep = await endpointsOf(ns, name);
    if (!ep) throw new Error('no Endpoints yet');
    const got = flatten(ep);
    if (JSON.stringify(got) !== JSON.stringify(sorted)) throw new Error(`listing ${got.join(', ')}`);
    return ep;
  }, timeoutMs);
}

const addressOf = (ep: AnyObject, ip: string): Json | undefined =>
  (ep.subsets ?? []).flatMap((ss: Json) => [...(ss.addresses ?? []), ...(ss.notReadyAddresses ?? [])]).find((a: Json) => a.ip === ip);

test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['endpoint', 'endpointslice', 'endpointslicemirroring'] } });
  client = adminClient(cluster);
  await client.create(NODES, {
    apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
    status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: stamp(), lastTransitionTime: stamp(), reason: 'KubeletReady', message: 'ready' }] },
  });
  await namespace(ORPHAN_NS);
});

test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

test('ready pods are addresses, unready ones notReadyAddresses, and they follow readiness as the kubelet reports it', async (t) => {
  const ns = await namespace('ep-ready');
  const svc = await service(ns, 'web', {}, { tier: 'front' });
  const a = await runningPod(ns, 'a', '10.1.0.1', true);
  await runningPod(ns, 'b', '10.1.0.2', false);
  await pod(ns, 'no-ip');
  await runningPod(ns, 'other-app', '10.1.0.9', true, { labels: { app: 'db' } });
  await pod(ns, 'done');
  await report(ns, 'done', '10.1.0.8', false, 'Succeeded');

  let ep = await endpointsListing(ns, 'web', ['10.1.0.1:8080/ ready', '10.1.0.2:8080/ notReady']);
  t.deepEqual(addressOf(ep, '10.1.0.1'), { ip: '10.1.0.1', nodeName: NODE, targetRef: { kind: 'Pod', namespace: ns, name: 'a', uid: a.metadata.uid } });
  t.deepEqual(ep.subsets[0].ports, [{ port: 8080, protocol: 'TCP' }]);
  t.deepEqual(ep.metadata.labels, { tier: 'front' });
  t.truthy(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
  t.is(ep.metadata.annotations?.[ANNOTATION_OVER_CAPACITY], undefined);

  const flipped = await report(ns, 'b', '10.1.0.2', true);
  ep = await endpointsListing(ns, 'web', ['10.1.0.1:8080/ ready', '10.1.0.2:8080/ ready']);
  // The change that led here: b's Ready transition.
  const readyAt = flipped.status.conditions.find((c: Json) => c.type === 'Ready').lastTransitionTime;
  t.is(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], readyAt);

  await report(ns, 'a', '10.1.0.1', false);
  await endpointsListing(ns, 'web', ['10.1.0.1:8080/ notReady', '10.1.0.2:8080/ ready']);

  // A pod update that changes nothing the Endpoints show writes nothing.
  const settled = (await endpointsOf(ns, 'web'))!;
  await client.patch(PODS, 'b', 'merge', { metadata: { annotations: { note: 'unrelated' } } }, { namespace: ns });
  await client.patch(SERVICES, 'web', 'merge', { metadata: { annotations: { note: 'unrelated' } } }, { namespace: ns });
  await new Promise((r) => setTimeout(r, 1000));
  t.is((await endpointsOf(ns, 'web'))!.metadata.resourceVersion, settled.metadata.resourceVersion);
  t.is(svc.spec.clusterIP !== 'None', true);
});

test('named targetPorts resolve per pod, a pod without the named port is left out of that port, and every Service port is listed', async (t) => {
  const ns = await namespace('ep-ports');
  await service(ns, 'web', {
    ports: [
      { name: 'http', port: 80, targetPort: 'web' },
      { name: 'metrics', port: 9090, targetPort: 9090, appProtocol: 'http' },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'web' },
    ],
  });
  await runningPod(ns, 'a', '10.2.0.1', true, { ports: [{ name: 'web', containerPort: 8080 }] });
  await runningPod(ns, 'b', '10.2.0.2', true, { ports: [{ name: 'web', containerPort: 8081 }, { name: 'web-udp', containerPort: 5353, protocol: 'UDP' }] });
  // Named "web" but UDP: the TCP port does not resolve to it, the UDP one does.
  await runningPod(ns, 'c', '10.2.0.3', true, { ports: [{ name: 'web', containerPort: 5300, protocol: 'UDP' }] });
  const ep = await endpointsListing(ns, 'web', [
    '10.2.0.1:8080/http ready', '10.2.0.2:8081/http ready',
    '10.2.0.1:9090/metrics ready', '10.2.0.2:9090/metrics ready', '10.2.0.3:9090/metrics ready',
    '10.2.0.3:5300/dns ready',
  ]);
  const metrics = ep.subsets.flatMap((ss: Json) => ss.ports).find((p: Json) => p.name === 'metrics');
  t.deepEqual(metrics, { name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' });
  // Repacked as kube does: one subset per distinct set of addresses.
  const metricsSubset = ep.subsets.find((ss: Json) => ss.ports.some((p: Json) => p.name === 'metrics'));
  t.deepEqual(metricsSubset.addresses.map((a: Json) => a.ip), ['10.2.0.1', '10.2.0.2', '10.2.0.3']);
});

test('publishNotReadyAddresses lists every pod as an address, terminating ones included', async (t) => {
  const ns = await namespace('ep-publish');
  await service(ns, 'web', { publishNotReadyAddresses: true });
  await runningPod(ns, 'a', '10.3.0.1', false);
  await runningPod(ns, 'b', '10.3.0.2', true);
  await endpointsListing(ns, 'web', ['10.3.0.1:8080/ ready', '10.3.0.2:8080/ ready']);
  await client.delete(PODS, 'b', { namespace: ns, gracePeriodSeconds: 30 });
  await new Promise((r) => setTimeout(r, 500));
  await endpointsListing(ns, 'web', ['10.3.0.1:8080/ ready', '10.3.0.2:8080/ ready']);
  t.truthy((await client.get(PODS, 'b', { namespace: ns })).metadata.deletionTimestamp);
});

test('a headless Service lists addresses without ports, with hostnames for pods naming it as their subdomain', async (t) => {
  const ns = await namespace('ep-headless');
  await service(ns, 'db', { clusterIP: 'None', ports: [] }, { app: 'db' });
  await runningPod(ns, 'db-0', '10.4.0.1', true, { hostname: 'db-0', subdomain: 'db' });
  await runningPod(ns, 'db-1', '10.4.0.2', true, { hostname: 'db-1', subdomain: 'elsewhere' });
  const ep = await endpointsListing(ns, 'db', ['10.4.0.1:/ ready', '10.4.0.2:/ ready']);
  t.is(addressOf(ep, '10.4.0.1')!.hostname, 'db-0');
  t.is(addressOf(ep, '10.4.0.2')!.hostname, undefined);
  t.deepEqual(ep.metadata.labels, { app: 'db', 'service.kubernetes.io/headless': '' });
  t.is(ep.subsets.length, 1);
  t.is(ep.subsets[0].ports, undefined);
});

test('a terminating pod leaves the Endpoints at once', async (t) => {
  const ns = await namespace('ep-terminating');
  await service(ns, 'web', {});
  await runningPod(ns, 'a', '10.5.0.1', true);
  await runningPod(ns, 'b', '10.5.0.2', true);
  await endpointsListing(ns, 'web', ['10.5.0.1:8080/ ready', '10.5.0.2:8080/ ready']);
  // No kubelet finishes the deletion: the pod stays, terminating.
  await client.delete(PODS, 'b', { namespace: ns, gracePeriodSeconds: 30 });
  await endpointsListing(ns, 'web', ['10.5.0.1:8080/ ready']);
  t.truthy((await client.get(PODS, 'b', { namespace: ns })).metadata.deletionTimestamp);
});

test('a selector change moves the Endpoints to the newly selected pods; losing the selector leaves them as they are', async (t) => {
  const ns = await namespace('ep-selector');
  await service(ns, 'web', {});
  await runningPod(ns, 'a', '10.6.0.1', true);
  await runningPod(ns, 'b', '10.6.0.2', true, { labels: { app: 'api' } });
  await endpointsListing(ns, 'web', ['10.6.0.1:8080/ ready']);
  await client.patch(SERVICES, 'web', 'merge', { spec: { selector: { app: 'api' } } }, { namespace: ns });
  await endpointsListing(ns, 'web', ['10.6.0.2:8080/ ready']);
  // A pod relabelled into the selector joins.
  await client.patch(PODS, 'a', 'merge', { metadata: { labels: { app: 'api' } } }, { namespace: ns });
  const before = await endpointsListing(ns, 'web', ['10.6.0.1:8080/ ready', '10.6.0.2:8080/ ready']);

  await client.patch(SERVICES, 'web', 'merge', { spec: { selector: null } }, { namespace: ns });
  await report(ns, 'b', '10.6.0.2', false);
  await runningPod(ns, 'c', '10.6.0.3', true, { labels: { app: 'api' } });
  await new Promise((r) => setTimeout(r, 1000));
  const after = await endpointsOf(ns, 'web');
  t.is(after?.metadata.resourceVersion, before.metadata.resourceVersion);
  t.deepEqual(flatten(after), ['10.6.0.1:8080/ ready', '10.6.0.2:8080/ ready']);
});

test('Endpoints deleted by someone else come back; deleting the Service deletes them', async (t) => {
  const ns = await namespace('ep-delete');
  await service(ns, 'web', {});
  await runningPod(ns, 'a', '10.7.0.1', true);
  const first = await endpointsListing(ns, 'web', ['10.7.0.1:8080/ ready']);
  await client.delete(ENDPOINTS, 'web', { namespace: ns });
  const again = await endpointsListing(ns, 'web', ['10.7.0.1:8080/ ready']);
  t.not(again.metadata.uid, first.metadata.uid);
  await client.delete(SERVICES, 'web', { namespace: ns });
  await eventually('the Endpoints to go with the Service', async () => !(await endpointsOf(ns, 'web')));
  t.pass();
});

test('ExternalName Services get no Endpoints; a Service without a selector keeps the Endpoints its user writes', async (t) => {
  const ns = await namespace('ep-manual');
  await runningPod(ns, 'a', '10.8.0.1', true);
  await service(ns, 'external', { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80 }] });
  await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: ns }, spec: { ports: [{ port: 80 }] } });
  const manual = await client.create<AnyObject>(ENDPOINTS, {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual', namespace: ns },
    subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 80 }] }],
  });
  // A Service created after them, whose Endpoints show the controller has seen all three.
  await service(ns, 'web', {});
  await endpointsListing(ns, 'web', ['10.8.0.1:8080/ ready']);
  await report(ns, 'a', '10.8.0.1', false);
  await endpointsListing(ns, 'web', ['10.8.0.1:8080/ notReady']);
  t.is(await endpointsOf(ns, 'external'), undefined);
  const still = await endpointsOf(ns, 'manual');
  t.is(still?.metadata.resourceVersion, manual.metadata.resourceVersion);
});

test('kubectl get endpoints and kubectl describe service show the endpoints', async (t) => {
  const ns = await namespace('ep-kubectl');
  await service(ns, 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
  await runningPod(ns, 'a', '10.9.0.1', true);
  await runningPod(ns, 'b', '10.9.0.2', false);
  await endpointsListing(ns, 'web', ['10.9.0.1:8080/http ready', '10.9.0.2:8080/http notReady']);
  const got = await kubectlOk(cluster, ['get', 'endpoints', '-n', ns]);
  t.regex(got, /^NAME\s+ENDPOINTS\s+AGE\n/);
  t.regex(got, /\nweb\s+10\.9\.0\.1:8080\s+\d+s\n/);
  const described = await kubectlOk(cluster, ['describe', 'service', 'web', '-n', ns]);
  t.regex(described, /\nEndpoints:\s+10\.9\.0\.1:8080\n/);
});

test.serial('at start, the controller deletes Endpoints whose Service is gone, but not leader election records', async (t) => {
  await client.create(ENDPOINTS, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'orphan', namespace: ORPHAN_NS }, subsets: [{ addresses: [{ ip: '192.0.2.1' }] }] });
  await client.create(ENDPOINTS, {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'old-lock', namespace: ORPHAN_NS, annotations: { 'control-plane.alpha.kubernetes.io/leader': '{"holderIdentity":"x"}' } },
  });
  // The running controller saw them being made, not at its start: they stay.
  await new Promise((r) => setTimeout(r, 500));
  t.truthy(await endpointsOf(ORPHAN_NS, 'orphan'));
  // A controller starting now looks at every Endpoints once.
  const stop = new AbortController();
  const config = await identityConfig(cluster, 'system:kube-controller-manager');
  const running = runControllerManager(config, stop.signal, { controllers: ['endpoint'] });
  try {
    await eventually('the orphaned Endpoints to be deleted', async () => !(await endpointsOf(ORPHAN_NS, 'orphan')));
  } finally {
    stop.abort();
    await running;
  }
  t.truthy(await endpointsOf(ORPHAN_NS, 'old-lock'));
});

test('failures to write are reported as kube reports them', async (t) => {
  const ns = await namespace('ep-events');
  // An address the API server refuses in Endpoints: a pod IP in the loopback range.
  await runningPod(ns, 'a', '127.0.0.5', true);
  await service(ns, 'web', {});
  const event = await eventually('a FailedToCreateEndpoint event', async () => {
    const events = (await client.list(EVENTS, { namespace: ns })).items;
    return events.find((e) => e.reason === 'FailedToCreateEndpoint');
  });
  t.is(event.type, 'Warning');
  t.like(event.involvedObject, { kind: 'Endpoints', name: 'web', namespace: ns });
  t.regex(event.message, new RegExp(`^Failed to create endpoint for service ${ns}/web: `));
  t.is(event.source.component, 'endpoint-controller');
});

test('over capacity, addresses are cut to 1000, ready ones first, each subset keeping its share', (t) => {
  const addresses = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${Math.floor(i / 250)}.${i % 250}` }));
  const readyHeavy: Json[] = [{ addresses: addresses(900, '10.1'), notReadyAddresses: addresses(10, '10.3') }, { addresses: addresses(300, '10.2') }];
  t.false(capacityAnnotationSetCorrectly(undefined, readyHeavy));
  t.true(truncateEndpoints(readyHeavy));
  t.is(readyHeavy[0].addresses.length, 750);
  t.is(readyHeavy[0].notReadyAddresses, undefined);
  t.is(readyHeavy[1].addresses.length, 250);

  const mixed: Json[] = [{ addresses: addresses(600, '10.1'), notReadyAddresses: addresses(300, '10.3') }, { notReadyAddresses: addresses(300, '10.4') }];
  t.true(truncateEndpoints(mixed));
  t.is(mixed[0].addresses.length, 600);
  t.is(mixed[0].notReadyAddresses.length, 200);
  t.is(mixed[1].notReadyAddresses.length, 200);

  const small: Json[] = [{ addresses: addresses(10, '10.1') }];
  t.false(truncateEndpoints(small));
  t.true(capacityAnnotationSetCorrectly(undefined, small));
  t.false(capacityAnnotationSetCorrectly({ [ANNOTATION_OVER_CAPACITY]: 'truncated' }, small));
});
