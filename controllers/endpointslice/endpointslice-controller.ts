import { isNodeReady } from '../../api/node-status.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_TOPOLOGY_ZONE } from '../../api/well-known.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import { defaultControllerRateLimiter } from '../../client/rate-limiter.js';
import type { AnyObject } from '../../client/resource.js';
import { ENDPOINT_SLICES, NODES, PODS, SERVICES } from '../../client/resources.js';
import { splitKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { enqueueFrom, workersFor, type ControllerDescriptor } from '../controller.js';
import { EndpointSliceTracker } from '../endpointutil/endpoint-slice-tracker.js';
import { EndpointSliceReconciler } from './reconciler.js';
import { TopologyCache } from './topology-cache.js';
import { ServiceMembership } from '../endpointutil/service-membership.js';
import { SLICES_BY_SERVICE, slicesByService, slicesOfService } from '../endpointutil/slices-by-service.js';
import { TriggerTimeTracker } from '../endpointutil/trigger-time-tracker.js';

/** The managed-by value of the slices this controller writes. */
export const ENDPOINTSLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** kube's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
/** Slice events are batched at least this long: one sync often writes several slices. */
const SLICE_CHANGE_MIN_SYNC_DELAY_MS = 1000;
/** The topology queue's only key: any node change means looking at all nodes again. */
const TOPOLOGY_KEY = 'topology';

export interface EndpointSliceControllerDeps {
  services: Informer;
  membership: ServiceMembership;
  slices: Informer;
  reconciler: EndpointSliceReconciler;
  tracker: EndpointSliceTracker;
  recorder: EventRecorder;
}

/**
 * kube's endpointslice controller: every Service with a selector has
 * EndpointSlices listing the pods it selects. A deleted Service's slices go
 * with it through their owner reference (the garbage collector); a Service
 * that loses its selector keeps the slices it had, as in kube. What the
 * controller remembers of a Service (trigger times, topology hints) goes
 * once it no longer makes slices for it.
 */
export function endpointSliceReconciler(deps: EndpointSliceControllerDeps) {
  const triggerTimes = new TriggerTimeTracker();
  return async function reconcile(key: string): Promise<ReconcileResult> {
    const { namespace = '', name } = splitKey(key);
    const service = deps.services.store.get(key);
    if (!service) {
      triggerTimes.deleteService(namespace, name);
      deps.reconciler.deleteService(namespace, name);
      deps.tracker.deleteService(namespace, name);
      return;
    }
    const selector = service.spec?.type === 'ExternalName' ? undefined : deps.membership.selector(service);
    if (!selector) {
      triggerTimes.deleteService(namespace, name);
      deps.reconciler.deleteService(namespace, name);
      return;
    }

    const pods = deps.membership.podsFor(service, selector);
    const slices = slicesOfService(deps.slices, namespace, name, ENDPOINTSLICE_CONTROLLER_NAME).filter((s) => !s.metadata.deletionTimestamp);
    if (deps.tracker.staleSlices(service, slices)) throw new Error('EndpointSlice informer cache is out of date');
    // Computed before the sync so the tracker moves on even when nothing is written.
    const triggerTime = triggerTimes.compute(service, pods);
    try {
      await deps.reconciler.reconcile(service, pods, slices, triggerTime);
    } catch (err) {
      deps.recorder.event(service, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${(err as Error).message}`);
      throw err;
    }
  };
}

/**
 * After node changes, the topology cache takes in the nodes again and the
 * Services whose hints now overload a zone are synced again.
 */
export function topologyReconciler(nodes: Informer, cache: TopologyCache, services: WorkQueue<string>) {
  return async function reconcile(): Promise<ReconcileResult> {
    cache.setNodes(nodes.store.list());
    for (const key of cache.overloadedServices()) services.add(key);
  };
}

const managedByUs = (slice: AnyObject) => slice.metadata.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER_NAME;
const serviceKeyOf = (slice: AnyObject) => {
  const service = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return service ? `${slice.metadata.namespace}/${service}` : undefined;
};

export const endpointSliceController: ControllerDescriptor = {
  name: 'endpointslice-controller', aliases: ['endpointslice'], enabledByDefault: true,
  create(ctx) {
    const services = ctx.informers.for(SERVICES);
    const pods = ctx.informers.for(PODS);
    const nodes = ctx.informers.for(NODES);
    const slices = ctx.informers.for(ENDPOINT_SLICES);
    ctx.informers.index(slices, SLICES_BY_SERVICE, slicesByService);
    // Slow retries (1 s doubling): a failed sync can mean many slice writes.
    const queue = new WorkQueue<string>({ rateLimiter: defaultControllerRateLimiter({ baseDelayMs: 1000 }) });
    const tracker = new EndpointSliceTracker();

    const membership = ServiceMembership.of(pods, services);
    enqueueFrom(services, queue);
    membership.subscribe(queue);
    const queueService = (slice: AnyObject) => {
      const key = serviceKeyOf(slice);
      if (key) queue.addAfter(key, SLICE_CHANGE_MIN_SYNC_DELAY_MS);
    };
    // Only changes this controller did not make itself bring its Service back.
    slices.addEventHandler(tracker.sliceHandlers(managedByUs, queueService));

    const topologyCache = new TopologyCache();
    const topologyQueue = new WorkQueue<string>();
    nodes.addEventHandler({
      onAdd: () => topologyQueue.add(TOPOLOGY_KEY),
      // Zones may be labelled (by a cloud provider) after the Node registers.
      onUpdate: (old, node) => {
        if (isNodeReady(old) !== isNodeReady(node) || old.metadata.labels?.[LABEL_TOPOLOGY_ZONE] !== node.metadata.labels?.[LABEL_TOPOLOGY_ZONE]) topologyQueue.add(TOPOLOGY_KEY);
      },
      onDelete: () => topologyQueue.add(TOPOLOGY_KEY),
    });

    const recorder = ctx.recorder('endpoint-slice-controller');
    const reconciler = new EndpointSliceReconciler({
      client: ctx.client, nodes, maxEndpointsPerSlice: MAX_ENDPOINTS_PER_SLICE, tracker, controllerName: ENDPOINTSLICE_CONTROLLER_NAME, topologyCache, recorder,
    });
    return [
      {
        name: 'endpoint_slice', queue, workers: workersFor(ctx, 'endpointslice', 5),
        reconcile: endpointSliceReconciler({ services, membership, slices, reconciler, tracker, recorder }),
      },
      { name: 'endpoint_slice_topology', queue: topologyQueue, workers: 1, reconcile: topologyReconciler(nodes, topologyCache, queue) },
    ];
  },
};
