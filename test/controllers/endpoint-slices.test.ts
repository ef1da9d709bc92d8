import test from 'ava';
import { rfc3339 } from '../../api/time.js';
import { isNotFound } from '../../client/api-error.js';
import type { AnyObject } from '../../client/resource.js';
import { ENDPOINT_SLICES, ENDPOINTS, EVENTS, NODES, PODS, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { SimulatedNodes } from '../../node-agent/simulator/simulated-nodes.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { endpointFixtures } from './endpoint-fixtures.js';
import { kubectlOk } from '../helpers/kubectl.js';
import { startSimulatedNodes } from '../helpers/simulated-nodes.js';

type Json = Record<string, any>;

let cluster: TestCluster;
let client: RestClient;
let simulated: SimulatedNodes | undefined;
const NODE = 'es-node';
const ZONE = 'zone-a';
const CONTROLLER = 'endpointslice-controller.k8s.io';
const MIRRORING = 'endpointslicemirroring-controller.k8s.io';

const stamp = (ms = Date.now()) => rfc3339(ms);

const { namespace, pod, report, runningPod, service } = endpointFixtures(() => client, NODE);

async function slicesOf(ns: string, svc: string, managedBy = CONTROLLER): Promise<Json[]> {
  const list = await client.list(ENDPOINT_SLICES, { namespace: ns, labelSelector: `kubernetes.io/service-name=${svc},endpointslice.kubernetes.io/managed-by=${managedBy}` });
  return list.items as Json[];
}

const conditionsOf = (ep: Json) => ['ready', 'serving', 'terminating'].filter((c) => ep.conditions?.[c] === true).join('+') || 'none';

/** Every endpoint of the slices as "ip:ports conditions", sorted: the view that stays the same however slices are cut. */
function flatten(slices: Json[]): string[] {
  const out: string[] = [];
  for (const slice of slices) {
    const ports = (slice.ports ?? []).map((p: Json) => `${p.name}=${p.port}`).sort().join(',');
    for (const ep of slice.endpoints ?? []) out.push(`${ep.addresses.join(',')}:${ports} ${conditionsOf(ep)}`);
  }
  return out.sort();
}

function slicesListing(ns: string, svc: string, want: string[], managedBy = CONTROLLER, timeoutMs = 20_000): Promise<Json[]> {
  const sorted = [...want].sort();
  return eventually(`slices of ${ns}/${svc} listing ${sorted.join(' | ')}`, async () => {
    const slices = await slicesOf(ns, svc, managedBy);
    const got = flatten(slices);
    if (JSON.stringify(got) !== JSON.stringify(sorted)) throw new Error(`listing ${got.join(' | ')} in ${slices.length} slices`);
    return slices;
  }, timeoutMs);
}

const endpointOf = (slices: Json[], ip: string): Json | undefined => slices.flatMap((s) => s.endpoints ?? []).find((ep: Json) => ep.addresses.includes(ip));

async function exists(ref: typeof ENDPOINT_SLICES, ns: string, name: string): Promise<boolean> {
  try {
    await client.get(ref, name, { namespace: ns });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['endpoint', 'endpointslice', 'endpointslicemirroring'] } });
  client = adminClient(cluster);
  await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels: { 'topology.kubernetes.io/zone': ZONE } } });
});

test.after.always(async () => {
  await simulated?.stop();
  client?.close();
  await cluster?.stop();
});

test('a Service\'s pods become an EndpointSlice it owns, with conditions, node, zone and target that follow readiness', async (t) => {
  const ns = await namespace('es-basic');
  const svc = await service(ns, 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }, { tier: 'front' });
  const a = await runningPod(ns, 'a', '10.11.0.1', true);
  await runningPod(ns, 'b', '10.11.0.2', false);
  await pod(ns, 'no-ip');
  let slices = await slicesListing(ns, 'web', ['10.11.0.1:http=8080 ready+serving', '10.11.0.2:http=8080 none']);
  t.is(slices.length, 1);
  const [slice] = slices;
  t.regex(slice.metadata.name, /^web-[a-z0-9]{5}$/);
  t.is(slice.metadata.generateName, 'web-');
  t.deepEqual(slice.metadata.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': CONTROLLER });
  t.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  t.is(slice.addressType, 'IPv4');
  t.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  t.deepEqual(endpointOf(slices, '10.11.0.1'), {
    addresses: ['10.11.0.1'], conditions: { ready: true, serving: true, terminating: false },
    nodeName: NODE, zone: ZONE, targetRef: { kind: 'Pod', namespace: ns, name: 'a', uid: a.metadata.uid },
  });
  t.truthy(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);

  const flipped = await report(ns, 'b', '10.11.0.2', true);
  slices = await slicesListing(ns, 'web', ['10.11.0.1:http=8080 ready+serving', '10.11.0.2:http=8080 ready+serving']);
  // Updated in place, not replaced.
  t.is(slices[0].metadata.name, slice.metadata.name);
  const readyAt = flipped.status.conditions.find((c: Json) => c.type === 'Ready').lastTransitionTime;
  t.is(slices[0].metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], readyAt);
  await report(ns, 'a', '10.11.0.1', false);
  await slicesListing(ns, 'web', ['10.11.0.1:http=8080 none', '10.11.0.2:http=8080 ready+serving']);
});

test('a terminating pod stays in the slice as terminating, serving while ready but never ready, and leaves the Endpoints', async (t) => {
  const ns = await namespace('es-terminating');
  await service(ns, 'web', {});
  await runningPod(ns, 'a', '10.12.0.1', true);
  await runningPod(ns, 'b', '10.12.0.2', true);
  await runningPod(ns, 'c', '10.12.0.3', false);
  await slicesListing(ns, 'web', ['10.12.0.1:=8080 ready+serving', '10.12.0.2:=8080 ready+serving', '10.12.0.3:=8080 none']);
  await client.delete(PODS, 'b', { namespace: ns, gracePeriodSeconds: 30 });
  await client.delete(PODS, 'c', { namespace: ns, gracePeriodSeconds: 30 });
  await slicesListing(ns, 'web', ['10.12.0.1:=8080 ready+serving', '10.12.0.2:=8080 serving+terminating', '10.12.0.3:=8080 terminating']);
  const ep = await eventually('the Endpoints without the terminating pods', async () => {
    const current = await client.get(ENDPOINTS, 'web', { namespace: ns });
    const ips = (current.subsets ?? []).flatMap((ss: Json) => [...(ss.addresses ?? []), ...(ss.notReadyAddresses ?? [])]).map((a: Json) => a.ip);
    return JSON.stringify(ips) === JSON.stringify(['10.12.0.1']) && current;
  });
  t.truthy(ep);
});

test('more than 100 endpoints are split across slices of at most 100, zoned by their simulated nodes; removing pods shrinks them', async (t) => {
  const ns = await namespace('es-many');
  simulated = await startSimulatedNodes(cluster, { count: 3, zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], namePrefix: 'es-sim-' });
  await service(ns, 'big', { selector: { app: 'big' } });
  const nodeZones = new Map(simulated.nodes.map((n) => [n.name, n.zone]));
  const names = Array.from({ length: 120 }, (_, i) => `big-${i}`);
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(names.slice(i, i + 20).map((name, j) => pod(ns, name, { labels: { app: 'big' }, node: simulated!.nodes[(i + j) % 3].name })));
  }
  const slices = await eventually('120 ready endpoints in slices', async () => {
    const current = await slicesOf(ns, 'big');
    const endpoints = current.flatMap((s) => s.endpoints ?? []);
    return endpoints.length === 120 && endpoints.every((ep: Json) => ep.conditions.ready) && current;
  }, 60_000);
  // How they are cut depends on how the pods arrived (existing slices are filled, never repacked), but 2 always do.
  t.is(slices.length, 2);
  t.true(slices.every((s) => s.endpoints.length <= 100));
  for (const ep of slices.flatMap((s) => s.endpoints)) t.is(ep.zone, nodeZones.get(ep.nodeName));
  // The Endpoints controller is a separate controller: it catches up on its own time.
  const endpoints = await eventually('120 addresses in the Endpoints', async () => {
    const current = await client.get(ENDPOINTS, 'big', { namespace: ns });
    return current.subsets?.[0]?.addresses?.length === 120 && current;
  }, 30_000);
  t.is(endpoints.subsets.length, 1);

  await Promise.all(names.slice(0, 30).map((name) => client.delete(PODS, name, { namespace: ns, gracePeriodSeconds: 0 })));
  const shrunk = await eventually('90 endpoints left', async () => {
    const current = await slicesOf(ns, 'big');
    return current.flatMap((s) => s.endpoints ?? []).length === 90 && current;
  }, 30_000);
  t.true(shrunk.every((s) => s.endpoints.length <= 100));
  t.true(shrunk.length <= 2);
});

test('a Service selecting no pods has one empty placeholder slice', async (t) => {
  const ns = await namespace('es-empty');
  const svc = await service(ns, 'lonely', { selector: { app: 'nobody' } });
  const slices = await eventually('a placeholder slice', async () => {
    const current = await slicesOf(ns, 'lonely');
    return current.length === 1 && current;
  });
  t.is(slices[0].endpoints, null);
  t.is(slices[0].ports, null);
  t.is(slices[0].metadata.ownerReferences[0].uid, svc.metadata.uid);
  // It stays as it is: no churn while nothing changes.
  await new Promise((r) => setTimeout(r, 1500));
  const again = await slicesOf(ns, 'lonely');
  t.deepEqual(again.map((s) => [s.metadata.name, s.metadata.resourceVersion]), slices.map((s) => [s.metadata.name, s.metadata.resourceVersion]));
});

test('pods resolving the Service\'s ports differently get a slice per set of ports', async (t) => {
  const ns = await namespace('es-ports');
  await service(ns, 'web', {
    ports: [
      { name: 'http', port: 80, targetPort: 'web' },
      { name: 'metrics', port: 9090, targetPort: 9090, appProtocol: 'http' },
    ],
  });
  await runningPod(ns, 'a', '10.13.0.1', true, { ports: [{ name: 'web', containerPort: 8080 }] });
  await runningPod(ns, 'b', '10.13.0.2', true, { ports: [{ name: 'web', containerPort: 8080 }] });
  await runningPod(ns, 'c', '10.13.0.3', true, { ports: [{ name: 'web', containerPort: 8081 }] });
  await runningPod(ns, 'd', '10.13.0.4', true);
  const slices = await slicesListing(ns, 'web', [
    '10.13.0.1:http=8080,metrics=9090 ready+serving', '10.13.0.2:http=8080,metrics=9090 ready+serving',
    '10.13.0.3:http=8081,metrics=9090 ready+serving', '10.13.0.4:metrics=9090 ready+serving',
  ]);
  t.is(slices.length, 3);
  const metrics = slices[0].ports.find((p: Json) => p.name === 'metrics');
  t.deepEqual(metrics, { name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' });
});

test('a headless Service\'s slices carry hostnames and the headless label; publishNotReadyAddresses makes every endpoint ready', async (t) => {
  const ns = await namespace('es-headless');
  await service(ns, 'db', { clusterIP: 'None', ports: [], publishNotReadyAddresses: true }, { app: 'db' });
  await runningPod(ns, 'db-0', '10.14.0.1', true, { hostname: 'db-0', subdomain: 'db' });
  await runningPod(ns, 'db-1', '10.14.0.2', false, { hostname: 'db-1', subdomain: 'db' });
  const slices = await slicesListing(ns, 'db', ['10.14.0.1: ready+serving', '10.14.0.2: ready']);
  t.deepEqual(slices[0].metadata.labels, {
    app: 'db', 'service.kubernetes.io/headless': '', 'kubernetes.io/service-name': 'db', 'endpointslice.kubernetes.io/managed-by': CONTROLLER,
  });
  t.is(endpointOf(slices, '10.14.0.1')!.hostname, 'db-0');
  t.is(endpointOf(slices, '10.14.0.2')!.hostname, 'db-1');
  t.is(slices[0].ports, null);
});

test('the controller keeps to its own slices: others are left alone, its deleted ones come back, stray ones go', async (t) => {
  const ns = await namespace('es-ownership');
  const svc = await service(ns, 'web', {});
  await runningPod(ns, 'a', '10.15.0.1', true);
  const [ours] = await slicesListing(ns, 'web', ['10.15.0.1:=8080 ready+serving']);
  const foreign = await client.create(ENDPOINT_SLICES, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'web-custom', namespace: ns, labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'someone-else' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['192.0.2.7'] }], ports: [{ port: 8080 }],
  });
  // Claims to be the controller's, but no Service owns it.
  await client.create(ENDPOINT_SLICES, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'web-stray', namespace: ns, labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': CONTROLLER } },
    addressType: 'IPv4', endpoints: [{ addresses: ['192.0.2.8'] }], ports: [{ name: '', port: 8080, protocol: 'TCP' }],
  });
  await eventually('the stray slice to go', async () => !(await exists(ENDPOINT_SLICES, ns, 'web-stray')));
  await client.delete(ENDPOINT_SLICES, ours.metadata.name, { namespace: ns });
  const [back] = await eventually('the slice to come back', async () => {
    const current = await slicesOf(ns, 'web');
    return current.length === 1 && current[0].metadata.name !== ours.metadata.name && current;
  });
  t.deepEqual(flatten([back]), ['10.15.0.1:=8080 ready+serving']);
  t.is(back.metadata.ownerReferences[0].uid, svc.metadata.uid);
  const untouched = await client.get(ENDPOINT_SLICES, 'web-custom', { namespace: ns });
  t.is(untouched.metadata.resourceVersion, (foreign as AnyObject).metadata.resourceVersion);
});

test('a deleted Service\'s slices are left to the garbage collector through their owner; a new Service of the same name replaces them', async (t) => {
  const ns = await namespace('es-recreate');
  const first = await service(ns, 'web', {});
  await runningPod(ns, 'a', '10.16.0.1', true);
  const [old] = await slicesListing(ns, 'web', ['10.16.0.1:=8080 ready+serving']);
  await client.delete(SERVICES, 'web', { namespace: ns });
  await eventually('the Endpoints to go', async () => !(await exists(ENDPOINTS, ns, 'web')));
  // The controller itself does not delete them (kube leaves that to the garbage collector, which is not running here).
  const orphaned: Json = await client.get(ENDPOINT_SLICES, old.metadata.name, { namespace: ns });
  t.is(orphaned.metadata.ownerReferences[0].uid, first.metadata.uid);

  const second = await service(ns, 'web', {});
  const slices = await eventually('slices owned by the new Service only', async () => {
    const current = await slicesOf(ns, 'web');
    return current.length === 1 && current[0].metadata.ownerReferences[0].uid === second.metadata.uid && current;
  });
  t.deepEqual(flatten(slices), ['10.16.0.1:=8080 ready+serving']);
  t.false(await exists(ENDPOINT_SLICES, ns, old.metadata.name));
});

test('a selector change moves the slices\' endpoints to the newly selected pods', async (t) => {
  const ns = await namespace('es-selector');
  await service(ns, 'web', {});
  await runningPod(ns, 'a', '10.17.0.1', true);
  await runningPod(ns, 'b', '10.17.0.2', true, { labels: { app: 'api' } });
  const [before] = await slicesListing(ns, 'web', ['10.17.0.1:=8080 ready+serving']);
  await client.patch(SERVICES, 'web', 'merge', { spec: { selector: { app: 'api' } } }, { namespace: ns });
  const [after] = await slicesListing(ns, 'web', ['10.17.0.2:=8080 ready+serving']);
  // The emptied slice is reused rather than deleted and created anew.
  t.is(after.metadata.name, before.metadata.name);
});

test('a pod on a Node that does not exist is left out and reported on the Service', async (t) => {
  const ns = await namespace('es-ghost');
  await service(ns, 'web', {});
  await runningPod(ns, 'a', '10.18.0.1', true);
  await runningPod(ns, 'lost', '10.18.0.2', true, { node: 'ghost-node' });
  await slicesListing(ns, 'web', ['10.18.0.1:=8080 ready+serving']);
  const event = await eventually('a FailedToUpdateEndpointSlices event', async () => {
    const events = (await client.list(EVENTS, { namespace: ns })).items;
    return events.find((e) => e.reason === 'FailedToUpdateEndpointSlices');
  });
  t.is(event.type, 'Warning');
  t.like(event.involvedObject, { kind: 'Service', name: 'web', namespace: ns });
  t.is(event.message, `Error updating Endpoint Slices for Service ${ns}/web: skipping Pod lost for Service ${ns}/web: Node ghost-node Not Found`);
  t.is(event.source.component, 'endpoint-slice-controller');
});

test('trafficDistribution PreferClose hints every ready endpoint for its own zone', async (t) => {
  const ns = await namespace('es-hints');
  await service(ns, 'web', {});
  await runningPod(ns, 'a', '10.19.0.1', true);
  await runningPod(ns, 'b', '10.19.0.2', false);
  await slicesListing(ns, 'web', ['10.19.0.1:=8080 ready+serving', '10.19.0.2:=8080 none']);
  await client.patch(SERVICES, 'web', 'merge', { spec: { trafficDistribution: 'PreferClose' } }, { namespace: ns });
  const slices = await eventually('hints', async () => {
    const current = await slicesOf(ns, 'web');
    return endpointOf(current, '10.19.0.1')?.hints && current;
  });
  t.deepEqual(endpointOf(slices, '10.19.0.1')!.hints, { forZones: [{ name: ZONE }] });
  t.is(endpointOf(slices, '10.19.0.2')!.hints, undefined);
  await client.patch(SERVICES, 'web', 'merge', { spec: { trafficDistribution: null } }, { namespace: ns });
  await eventually('hints removed', async () => !endpointOf(await slicesOf(ns, 'web'), '10.19.0.1')?.hints);
});

// Serial, so that it runs before the simulated nodes join: the hints depend on every node's zone and CPU.
test.serial('topology-mode Auto hints endpoints by each zone\'s share of CPU, moving some across zones to balance them', async (t) => {
  const ns = await namespace('es-topology');
  for (const [name, zone] of [['topo-x', 'zone-x'], ['topo-y', 'zone-y']]) {
    const node = await client.create<AnyObject>(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } } });
    await client.updateStatus(NODES, {
      ...node,
      status: { allocatable: { cpu: '4' }, capacity: { cpu: '4' }, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: stamp(), lastTransitionTime: stamp() }] },
    });
  }
  const events = async (reason: string) => (await client.list(EVENTS, { namespace: ns })).items.filter((e) => e.reason === reason);
  const hintsOf = (slices: Json[]) => Object.fromEntries(slices.flatMap((s) => s.endpoints ?? []).map((ep: Json) => [ep.addresses[0], ep.hints?.forZones?.map((z: Json) => z.name).join(',')]));

  await runningPod(ns, 'x1', '10.22.0.1', true, { node: 'topo-x' });
  await service(ns, 'web', {});
  await client.patch(SERVICES, 'web', 'merge', { metadata: { annotations: { 'service.kubernetes.io/topology-mode': 'Auto' } } }, { namespace: ns });
  const tooFew = await eventually('hints refused for one endpoint in two zones', async () => (await events('TopologyAwareHintsDisabled'))[0]);
  t.is(tooFew.type, 'Warning');
  t.is(tooFew.message, 'Insufficient number of endpoints (1 endpoints, 2 zones), addressType: IPv4');

  await runningPod(ns, 'x2', '10.22.0.2', true, { node: 'topo-x' });
  await runningPod(ns, 'x3', '10.22.0.3', true, { node: 'topo-x' });
  await runningPod(ns, 'y1', '10.22.0.4', true, { node: 'topo-y' });
  // Equal CPU in both zones: two endpoints each, so one of zone-x's serves zone-y.
  const slices = await eventually('hints for four endpoints', async () => {
    const current = await slicesOf(ns, 'web');
    const hints = Object.values(hintsOf(current));
    return hints.length === 4 && hints.every(Boolean) && current;
  });
  const hints = hintsOf(slices);
  t.is(hints['10.22.0.4'], 'zone-y');
  t.deepEqual(Object.values(hints).sort(), ['zone-x', 'zone-x', 'zone-y', 'zone-y']);
  const enabled = await eventually('an enabled event', async () => (await events('TopologyAwareHintsEnabled'))[0]);
  t.is(enabled.type, 'Normal');
  t.is(enabled.message, 'Topology Aware Hints has been enabled, addressType: IPv4');

  await client.patch(SERVICES, 'web', 'merge', { metadata: { annotations: { 'service.kubernetes.io/topology-mode': null } } }, { namespace: ns });
  await eventually('hints removed', async () => Object.values(hintsOf(await slicesOf(ns, 'web'))).every((h) => !h));
  const off = await eventually('a disabled event', async () => (await events('TopologyAwareHintsDisabled')).find((e) => e.message.startsWith('Topology Aware Hints has been disabled')));
  t.is(off.message, 'Topology Aware Hints has been disabled, addressType: IPv4');
});

test('the Endpoints of a Service without a selector are mirrored into slices until they are marked skip-mirror or deleted', async (t) => {
  const ns = await namespace('es-mirror');
  await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: ns }, spec: { ports: [{ name: 'sql', port: 5432 }] } });
  const endpoints = await client.create<AnyObject>(ENDPOINTS, {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'db', namespace: ns, labels: { team: 'data' }, annotations: { owner: 'dba', 'endpoints.kubernetes.io/last-change-trigger-time': '2024-01-01T00:00:00Z' } },
    subsets: [{
      addresses: [{ ip: '192.0.2.10', nodeName: NODE, hostname: 'primary' }],
      notReadyAddresses: [{ ip: '192.0.2.11' }],
      ports: [{ name: 'sql', port: 5432, protocol: 'TCP' }],
    }],
  });
  const slices = await slicesListing(ns, 'db', ['192.0.2.10:sql=5432 ready', '192.0.2.11:sql=5432 none'], MIRRORING);
  t.is(slices.length, 1);
  const [slice] = slices;
  t.regex(slice.metadata.name, /^db-[a-z0-9]{5}$/);
  t.deepEqual(slice.metadata.labels, { team: 'data', 'kubernetes.io/service-name': 'db', 'endpointslice.kubernetes.io/managed-by': MIRRORING });
  t.deepEqual(slice.metadata.annotations, { owner: 'dba' });
  t.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'db', uid: endpoints.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  t.deepEqual(endpointOf(slices, '192.0.2.10'), { addresses: ['192.0.2.10'], conditions: { ready: true }, nodeName: NODE, hostname: 'primary' });
  // The endpointslice controller leaves selectorless Services alone.
  t.deepEqual(await slicesOf(ns, 'db'), []);

  await client.patch(ENDPOINTS, 'db', 'merge', { subsets: [{ addresses: [{ ip: '192.0.2.12' }], ports: [{ name: 'sql', port: 5433 }] }] }, { namespace: ns });
  const [updated] = await slicesListing(ns, 'db', ['192.0.2.12:sql=5433 ready'], MIRRORING);
  t.is(updated.metadata.name, slice.metadata.name);

  await client.patch(ENDPOINTS, 'db', 'merge', { metadata: { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } }, { namespace: ns });
  await slicesListing(ns, 'db', [], MIRRORING);
  await client.patch(ENDPOINTS, 'db', 'merge', { metadata: { labels: { 'endpointslice.kubernetes.io/skip-mirror': null } } }, { namespace: ns });
  await slicesListing(ns, 'db', ['192.0.2.12:sql=5433 ready'], MIRRORING);
  await client.delete(ENDPOINTS, 'db', { namespace: ns });
  await slicesListing(ns, 'db', [], MIRRORING);
});

test('a mirrored Service that gains a selector trades its mirrored slices for the endpointslice controller\'s', async (t) => {
  const ns = await namespace('es-mirror-selector');
  await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { ports: [{ port: 80, targetPort: 8080 }] } });
  await client.create(ENDPOINTS, {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: ns },
    subsets: [{ addresses: [{ ip: '192.0.2.20' }], ports: [{ port: 8080 }] }],
  });
  await slicesListing(ns, 'web', ['192.0.2.20:=8080 ready'], MIRRORING);
  await runningPod(ns, 'a', '10.20.0.1', true);
  await client.patch(SERVICES, 'web', 'merge', { spec: { selector: { app: 'web' } } }, { namespace: ns });
  await slicesListing(ns, 'web', [], MIRRORING);
  await slicesListing(ns, 'web', ['10.20.0.1:=8080 ready+serving']);
  t.pass();
});

test('at most 1000 addresses of an Endpoints subset are mirrored, with a warning for the rest', async (t) => {
  const ns = await namespace('es-mirror-many');
  await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'wide', namespace: ns }, spec: { ports: [{ port: 80 }] } });
  const addresses = Array.from({ length: 1003 }, (_, i) => ({ ip: `10.30.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
  await client.create(ENDPOINTS, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'wide', namespace: ns }, subsets: [{ addresses, ports: [{ port: 80 }] }] });
  const slices = await eventually('a mirrored slice', async () => {
    const current = await slicesOf(ns, 'wide', MIRRORING);
    return current.length === 1 && current;
  });
  t.is(slices[0].endpoints.length, 1000);
  const event = await eventually('a TooManyAddressesToMirror event', async () => {
    const events = (await client.list(EVENTS, { namespace: ns })).items;
    return events.find((e) => e.reason === 'TooManyAddressesToMirror');
  });
  t.is(event.type, 'Warning');
  t.like(event.involvedObject, { kind: 'Endpoints', name: 'wide', namespace: ns });
  t.is(event.message, 'A max of 1000 addresses can be mirrored to EndpointSlices per Endpoints subset. 3 addresses were skipped');
  t.is(event.source.component, 'endpoint-slice-mirroring-controller');
});

test('kubectl get endpointslices shows the controller\'s slices', async (t) => {
  const ns = await namespace('es-kubectl');
  await service(ns, 'web', {});
  await runningPod(ns, 'a', '10.21.0.1', true);
  const [slice] = await slicesListing(ns, 'web', ['10.21.0.1:=8080 ready+serving']);
  const printed = await kubectlOk(cluster, ['get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web']);
  t.regex(printed, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n/);
  t.regex(printed, new RegExp(`\\n${slice.metadata.name}\\s+IPv4\\s+8080\\s+10\\.21\\.0\\.1\\s+\\d+s\\n`));
});
