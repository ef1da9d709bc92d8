import { ANNOTATION_LEADER, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_SKIP_MIRROR } from '../../api/well-known.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { Informer } from '../../client/informer.js';
import { defaultControllerRateLimiter } from '../../client/rate-limiter.js';
import type { AnyObject } from '../../client/resource.js';
import { ENDPOINT_SLICES, ENDPOINTS, SERVICES } from '../../client/resources.js';
import { objectKey, splitKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { workersFor, type ControllerDescriptor } from '../controller.js';
import { EndpointSliceTracker } from '../endpointutil/endpoint-slice-tracker.js';
import { serviceSelector } from '../endpointutil/service-membership.js';
import { SLICES_BY_SERVICE, slicesByService, slicesOfService } from '../endpointutil/slices-by-service.js';
import { MIRRORING_CONTROLLER_NAME, MirroringReconciler } from './mirroring-reconciler.js';

/** kube's --mirroring-max-endpoints-per-subset default. */
export const MAX_ENDPOINTS_PER_SUBSET = 1000;

export interface MirroringControllerDeps {
  endpoints: Informer;
  services: Informer;
  slices: Informer;
  reconciler: MirroringReconciler;
  tracker: EndpointSliceTracker;
}

/**
 * Endpoints worth mirroring: not marked skip-mirror (the API server marks
 * the `kubernetes` Service's that way), not a leader election record.
 */
const shouldMirror = (endpoints: AnyObject): boolean =>
  endpoints.metadata.labels?.[LABEL_SKIP_MIRROR] !== 'true' && endpoints.metadata.annotations?.[ANNOTATION_LEADER] === undefined;

/**
 * kube's endpointslice mirroring controller: the Endpoints a user writes for
 * a Service without a selector are mirrored into EndpointSlices, so that
 * slice consumers see them too. The mirrored slices go as soon as the
 * Endpoints or its Service goes, the Service gains a selector, or the
 * Endpoints is marked skip-mirror.
 */
export function mirroringReconciler(deps: MirroringControllerDeps) {
  return async function reconcile(key: string): Promise<ReconcileResult> {
    const { namespace = '', name } = splitKey(key);
    const mirrored = () => slicesOfService(deps.slices, namespace, name, MIRRORING_CONTROLLER_NAME);
    const endpoints = deps.endpoints.store.get(key);
    const service = deps.services.store.get(key);
    if (!endpoints || !shouldMirror(endpoints) || !service || serviceSelector(service)) {
      deps.tracker.deleteService(namespace, name);
      await deps.reconciler.deleteMirrored(namespace, name, mirrored());
      return;
    }
    const slices = mirrored();
    if (deps.tracker.staleSlices(service, slices)) throw new Error('EndpointSlice informer cache is out of date');
    await deps.reconciler.reconcile(endpoints, slices);
  };
}

const managedByUs = (slice: AnyObject) => slice.metadata.labels?.[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER_NAME;
const endpointsKeyOf = (slice: AnyObject) => {
  const service = slice.metadata.labels?.[LABEL_SERVICE_NAME];
  return service ? `${slice.metadata.namespace}/${service}` : undefined;
};

export const endpointSliceMirroringController: ControllerDescriptor = {
  name: 'endpointslice-mirroring-controller', aliases: ['endpointslicemirroring'], enabledByDefault: true,
  create(ctx) {
    const endpoints = ctx.informers.for(ENDPOINTS);
    const services = ctx.informers.for(SERVICES);
    const slices = ctx.informers.for(ENDPOINT_SLICES);
    ctx.informers.index(slices, SLICES_BY_SERVICE, slicesByService);
    // Slow retries (1 s doubling up to 100 s), as kube's.
    const queue = new WorkQueue<string>({ rateLimiter: defaultControllerRateLimiter({ baseDelayMs: 1000, maxDelayMs: 100_000 }) });
    const tracker = new EndpointSliceTracker();
    const add = (obj: AnyObject) => queue.add(objectKey(obj));

    endpoints.addEventHandler({
      onAdd: (ep) => shouldMirror(ep) && add(ep),
      onUpdate: (old, ep) => (shouldMirror(ep) || shouldMirror(old)) && add(ep),
      onDelete: (ep) => shouldMirror(ep) && add(ep),
    });
    services.addEventHandler({
      onAdd: (svc) => !serviceSelector(svc) && add(svc),
      onUpdate: (old, svc) => !serviceSelector(svc) !== !serviceSelector(old) && add(svc),
      onDelete: (svc) => !serviceSelector(svc) && add(svc),
    });
    const queueEndpoints = (slice: AnyObject) => {
      const key = endpointsKeyOf(slice);
      if (key) queue.add(key);
    };
    slices.addEventHandler(tracker.sliceHandlers(managedByUs, queueEndpoints));

    const reconciler = new MirroringReconciler({ client: ctx.client, tracker, recorder: ctx.recorder('endpoint-slice-mirroring-controller'), maxEndpointsPerSubset: MAX_ENDPOINTS_PER_SUBSET });
    return [{
      name: 'endpoint_slice_mirroring', queue, workers: workersFor(ctx, 'endpointslicemirroring', 5),
      reconcile: mirroringReconciler({ endpoints, services, slices, reconciler, tracker }),
    }];
  },
};
