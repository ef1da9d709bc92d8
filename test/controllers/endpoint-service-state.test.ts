import test from 'ava';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { EventHandlers, Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';
import { byNamespace, namespaceIndex, Store } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { EndpointSliceTracker } from '../../controllers/endpointutil/endpoint-slice-tracker.js';
import { endpointSliceReconciler } from '../../controllers/endpointslice/endpointslice-controller.js';
import { EndpointSliceReconciler } from '../../controllers/endpointslice/reconciler.js';
import { ServiceMembership } from '../../controllers/endpointutil/service-membership.js';
import { SLICES_BY_SERVICE, slicesByService } from '../../controllers/endpointutil/slices-by-service.js';
import { TopologyCache } from '../../controllers/endpointslice/topology-cache.js';

// What the endpoint controllers keep per Service, against stand-in informers
// whose caches the tests fill and whose events they deliver.

/** An informer stand-in: a real store, and handlers the test calls itself. */
function fakeInformer(indexers: Record<string, (obj: AnyObject) => string[]> = {}) {
  const handlers: EventHandlers<AnyObject>[] = [];
  const store = new Store<AnyObject>({ [namespaceIndex]: byNamespace, ...indexers });
  const informer = {
    store,
    addEventHandler(h: EventHandlers<AnyObject>) {
      handlers.push(h);
      return () => undefined;
    },
  } as unknown as Informer;
  return { informer, store, handlers };
}

const noEvents = { event() {} } as unknown as EventRecorder;

function service(name: string, selector?: Record<string, string>, resourceVersion = '1'): AnyObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion },
    spec: { clusterIP: '10.0.0.10', ipFamilies: ['IPv4'], ...(selector ? { selector } : {}), ports: [{ port: 80, protocol: 'TCP' }] },
  };
}

function zoneNode(name: string, zone: string): AnyObject {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } },
    status: { allocatable: { cpu: '2' }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

/** Gives the Service hints for both address types, as a sync with topology mode Auto does. */
function hint(cache: TopologyCache, serviceKey: string): void {
  for (const addressType of ['IPv4', 'IPv6']) {
    const endpoints = ['a', 'b'].map((zone, i) => ({ addresses: [`10.1.0.${i}`], zone, conditions: { ready: true } }));
    cache.addHints({ serviceKey, addressType, toCreate: [{ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: {}, addressType, endpoints }], toUpdate: [], unchanged: [] });
  }
}

test('a Service gone, or left without a selector, loses its topology hints for every address type: node changes stop bringing it back', async (t) => {
  const services = fakeInformer();
  const pods = fakeInformer();
  const slices = fakeInformer({ [SLICES_BY_SERVICE]: slicesByService });
  const nodes = fakeInformer();
  const topologyCache = new TopologyCache();
  topologyCache.setNodes([zoneNode('n1', 'a'), zoneNode('n2', 'b')]);
  const tracker = new EndpointSliceTracker();
  const reconciler = new EndpointSliceReconciler({
    client: {} as RestClient, nodes: nodes.informer, maxEndpointsPerSlice: 100, tracker, controllerName: 'endpointslice-controller.k8s.io', topologyCache, recorder: noEvents,
  });
  const reconcile = endpointSliceReconciler({
    services: services.informer, membership: ServiceMembership.of(pods.informer, services.informer), slices: slices.informer, reconciler, tracker, recorder: noEvents,
  });
  hint(topologyCache, 'ns/gone');
  hint(topologyCache, 'ns/manual');
  services.store.set(service('manual'));
  // One zone left: every hinted Service overloads it.
  topologyCache.setNodes([zoneNode('n1', 'a')]);
  t.deepEqual(topologyCache.overloadedServices().sort(), ['ns/gone', 'ns/manual']);

  await reconcile('ns/gone');
  await reconcile('ns/manual');
  t.deepEqual(topologyCache.overloadedServices(), []);
  t.false(topologyCache.hasPopulatedHints('ns/gone'));
  t.false(topologyCache.hasPopulatedHints('ns/manual'));
});

test('the Endpoints and EndpointSlice controllers share one pod handler, which queues each Service a pod event concerns for both', (t) => {
  const services = fakeInformer();
  const pods = fakeInformer();
  const endpointsQueue = new WorkQueue<string>();
  const slicesQueue = new WorkQueue<string>();
  ServiceMembership.of(pods.informer, services.informer).subscribe(endpointsQueue);
  ServiceMembership.of(pods.informer, services.informer).subscribe(slicesQueue);
  t.is(pods.handlers.length, 1);
  services.store.set(service('web', { app: 'web' }));
  services.store.set(service('db', { app: 'db' }));
  services.store.set(service('manual'));
  pods.handlers[0].onAdd!({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'p', resourceVersion: '5', labels: { app: 'web' } } });
  t.is(endpointsQueue.length, 1);
  t.is(slicesQueue.length, 1);
  t.teardown(() => {
    endpointsQueue.shutDown();
    slicesQueue.shutDown();
  });
});

test('a Service\'s selector is parsed once per version of the Service', (t) => {
  const membership = ServiceMembership.of(fakeInformer().informer, fakeInformer().informer);
  const v1 = service('web', { app: 'web' }, '1');
  const selector = membership.selector(v1);
  t.true(selector!.matches({ app: 'web' }));
  t.is(membership.selector(structuredClone(v1)), selector, 'the same version: the selector parsed before');
  const v2 = service('web', { app: 'web2' }, '2');
  t.not(membership.selector(v2), selector);
  t.true(membership.selector(v2)!.matches({ app: 'web2' }));
  t.is(membership.selector(service('manual')), undefined);
});
