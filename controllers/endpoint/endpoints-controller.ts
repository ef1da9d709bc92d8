import { clone, deepEqual } from '../../api/deep-equal.js';
import type { KObject } from '../../api/kind.js';
import { repackSubsets } from '../../api/kinds/endpoints.js';
import { isPodReady } from '../../api/pod-status.js';
import { ANNOTATION_LAST_CHANGE_TRIGGER_TIME, ANNOTATION_LEADER, LABEL_HEADLESS_SERVICE } from '../../api/well-known.js';
import { rfc3339Nano } from '../../api/time.js';
import { canonicalIP } from '../../api/net.js';
import { ignoreNotFound, isForbidden, isNamespaceTerminating } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { ENDPOINTS, PODS, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { objectKey, splitKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { enqueueFrom, workersFor, type ControllerDescriptor } from '../controller.js';
import { findPort, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from '../endpointutil/pod-endpoints.js';
import { ServiceMembership } from '../endpointutil/service-membership.js';
import { TriggerTimeTracker } from '../endpointutil/trigger-time-tracker.js';
import { ANNOTATION_OVER_CAPACITY, capacityAnnotationSetCorrectly, TRUNCATED, truncateEndpoints } from './over-capacity.js';

export interface EndpointsControllerDeps {
  client: RestClient;
  services: Informer;
  membership: ServiceMembership;
  endpoints: Informer;
  recorder: EventRecorder;
}

/**
 * The family a Service's addresses come in: its first IP family; without
 * families (an API server that does not set them), its cluster IP's, or for
 * a headless Service the pod's own IP's.
 */
function serviceFamily(service: AnyObject, pod: AnyObject): 4 | 6 {
  const first = service.spec?.ipFamilies?.[0];
  if (first) return first === 'IPv6' ? 6 : 4;
  const clusterIP = service.spec?.clusterIP;
  const decider = clusterIP && clusterIP !== 'None' ? clusterIP : pod.status?.podIP ?? '';
  return canonicalIP(decider)?.family === 6 ? 6 : 4;
}

/** The pod as an address of the Service, or undefined when it has no IP of the Service's family. */
function endpointAddress(service: AnyObject, pod: AnyObject): KObject | undefined {
  const family = serviceFamily(service, pod);
  const ip = podIPs(pod).find((candidate) => (canonicalIP(candidate)?.family ?? 4) === family);
  if (!ip) return undefined;
  const address: KObject = { ip };
  if (shouldSetHostname(pod, service)) address.hostname = pod.spec.hostname;
  if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
  address.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  return address;
}

/** The subsets the Service's pods make, before repacking: one per pod and port. */
function desiredSubsets(service: AnyObject, pods: AnyObject[]): KObject[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const servicePorts: KObject[] = service.spec?.ports ?? [];
  const subsets: KObject[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = endpointAddress(service, pod);
    if (!address) continue;
    const field = publishNotReady || isPodReady(pod) ? 'addresses' : 'notReadyAddresses';
    // A headless Service may have no ports: its addresses stand alone.
    if (!servicePorts.length) {
      if (service.spec?.clusterIP === 'None') subsets.push({ [field]: [address] });
      continue;
    }
    for (const servicePort of servicePorts) {
      const port = findPort(pod, servicePort);
      if (port === undefined) continue;
      subsets.push({
        [field]: [address],
        ports: [{
          ...(servicePort.name ? { name: servicePort.name } : {}), port, protocol: servicePort.protocol,
          ...(servicePort.appProtocol !== undefined ? { appProtocol: servicePort.appProtocol } : {}),
        }],
      });
    }
  }
  return repackSubsets(subsets);
}

/** Subsets compared without the pods' resourceVersions, so pod updates that change nothing here write nothing. */
function sameSubsets(a: KObject[] | undefined, b: KObject[]): boolean {
  const strip = (subsets: KObject[] | undefined) => (subsets ?? []).map((ss) => {
    const addresses = (list: KObject[] | undefined) => list?.map((addr) => (addr.targetRef ? { ...addr, targetRef: { ...addr.targetRef, resourceVersion: undefined } } : addr));
    return { ...ss, addresses: addresses(ss.addresses), notReadyAddresses: addresses(ss.notReadyAddresses) };
  });
  return deepEqual(strip(a), strip(b));
}

const withoutLabel = (labels: Record<string, string> | undefined, key: string) => Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => k !== key));
const isServiceIPSet = (service: AnyObject): boolean => !!service.spec?.clusterIP && service.spec.clusterIP !== 'None';

/**
 * kube's endpoints controller: every Service with a selector has an
 * Endpoints object of its name listing the pods it selects, ready ones in
 * addresses and the others in notReadyAddresses, grouped by the ports they
 * serve. Written only when something changed; deleted with the Service.
 * Services without a selector keep whatever Endpoints their users write,
 * and the controller forgets what it remembered of them.
 */
export function endpointsReconciler(deps: EndpointsControllerDeps) {
  const triggerTimes = new TriggerTimeTracker();
  // The resourceVersion each Endpoints had before this controller last changed it:
  // finding it in the cache again means the cache has not caught up yet.
  const staleVersions = new Map<string, string>();
  const forget = (namespace: string, name: string) => {
    triggerTimes.deleteService(namespace, name);
    staleVersions.delete(`${namespace}/${name}`);
  };
  return async function reconcile(key: string): Promise<ReconcileResult> {
    const { namespace = '', name } = splitKey(key);
    const service = deps.services.store.get(key);
    if (!service) {
      try {
        await deps.client.delete(ENDPOINTS, name, { namespace });
      } catch (err) {
        ignoreNotFound(err);
      }
      forget(namespace, name);
      return;
    }
    const selector = service.spec?.type === 'ExternalName' ? undefined : deps.membership.selector(service);
    if (!selector) {
      forget(namespace, name);
      return;
    }

    const pods = deps.membership.podsFor(service, selector);
    // Computed before the sync so the tracker moves on even when nothing is written.
    const triggerTime = triggerTimes.compute(service, pods);
    const subsets = desiredSubsets(service, pods);

    const current = deps.endpoints.store.get(key);
    if (current && staleVersions.get(key) === current.metadata.resourceVersion) {
      throw new Error(`endpoints informer cache is out of date, resource version ${current.metadata.resourceVersion} already processed for endpoints ${key}`);
    }
    const serviceLabels: Record<string, string> = service.metadata.labels ?? {};
    if (current
      && sameSubsets(current.subsets, subsets)
      && deepEqual(withoutLabel(current.metadata.labels, LABEL_HEADLESS_SERVICE), serviceLabels)
      && capacityAnnotationSetCorrectly(current.metadata.annotations, current.subsets)) {
      return;
    }

    const next: AnyObject = current ? clone(current) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.subsets = subsets;
    const labels = { ...serviceLabels };
    if (isServiceIPSet(service)) delete labels[LABEL_HEADLESS_SERVICE];
    else labels[LABEL_HEADLESS_SERVICE] = '';
    next.metadata.labels = labels;
    const annotations = { ...(next.metadata.annotations ?? {}) };
    if (triggerTime) annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME] = rfc3339Nano(triggerTime);
    else delete annotations[ANNOTATION_LAST_CHANGE_TRIGGER_TIME];
    if (truncateEndpoints(next.subsets)) annotations[ANNOTATION_OVER_CAPACITY] = TRUNCATED;
    else delete annotations[ANNOTATION_OVER_CAPACITY];
    next.metadata.annotations = annotations;

    try {
      if (!current) {
        await deps.client.create(ENDPOINTS, next);
        return;
      }
      const updated = await deps.client.update(ENDPOINTS, next);
      if (updated.metadata.resourceVersion !== current.metadata.resourceVersion) staleVersions.set(key, current.metadata.resourceVersion!);
    } catch (err) {
      // Creating in a terminating namespace keeps failing; the namespace takes the Service with it.
      if (!current && isForbidden(err) && isNamespaceTerminating(err)) return;
      const message = (err as Error).message;
      if (!current) deps.recorder.event(next, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${key}: ${message}`);
      else deps.recorder.event(next, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${key}: ${message}`);
      throw err;
    }
  };
}

export const endpointsController: ControllerDescriptor = {
  name: 'endpoints-controller', aliases: ['endpoint'], enabledByDefault: true,
  create(ctx) {
    const services = ctx.informers.for(SERVICES);
    const pods = ctx.informers.for(PODS);
    const endpoints = ctx.informers.for(ENDPOINTS);
    const queue = new WorkQueue<string>();
    const membership = ServiceMembership.of(pods, services);
    enqueueFrom(services, queue);
    membership.subscribe(queue);
    endpoints.addEventHandler({
      // Once at start, every Endpoints is looked at: those whose Service went
      // while the controller was away are deleted. Leader election records are no Service's.
      onAdd: (ep) => {
        if (!endpoints.hasSynced() && ep.metadata.annotations?.[ANNOTATION_LEADER] === undefined) queue.add(objectKey(ep));
      },
      // Deleted by someone else while its Service selects pods: made again.
      onDelete: (ep) => queue.add(objectKey(ep)),
    });
    const recorder = ctx.recorder('endpoint-controller');
    return [{
      // The queue keeps kube's name, which labels its workqueue metrics; its workers
      // are --concurrent-endpoint-syncs, which the command line files under 'endpoints'.
      name: 'endpoint', queue, workers: workersFor(ctx, 'endpoints', 5),
      reconcile: endpointsReconciler({ client: ctx.client, services, membership, endpoints, recorder }),
    }];
  },
};
