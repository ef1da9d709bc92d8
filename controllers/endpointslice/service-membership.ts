import { selectorFromSet } from '../../api/selectors/label-selector.js';
import { deepEqual } from '../../api/deep-equal.js';
import type { Informer } from '../../client/informer.js';
import type { WorkQueue } from '../../client/workqueue.js';
import type { AnyObject } from '../../client/resource.js';
import { namespaceIndex, objectKey } from '../../client/store.js';
import { isPodReady } from './pod-endpoints.js';

/**
 * A Service's selector, or undefined when it has none. Kube stores an empty
 * selector as none (the empty map does not survive serialisation), so `{}`
 * selects nothing here either.
 */
export function serviceSelector(service: AnyObject): Record<string, string> | undefined {
  const selector = service.spec?.selector;
  return selector && typeof selector === 'object' && Object.keys(selector).length ? selector : undefined;
}

/** The pods of the Service's namespace its selector matches (the caller checked it has one). */
export function podsForService(pods: Informer, service: AnyObject, selector: Record<string, string>): AnyObject[] {
  const match = selectorFromSet(selector);
  return pods.store.byIndex(namespaceIndex, service.metadata.namespace ?? '').filter((p) => match.matches(p.metadata.labels));
}

/** Keys of the Services in `namespace` whose selectors match these labels. */
export function servicesForLabels(services: Informer, namespace: string, labels: Record<string, string> | undefined): Set<string> {
  const keys = new Set<string>();
  for (const service of services.store.byIndex(namespaceIndex, namespace)) {
    const selector = serviceSelector(service);
    if (selector && selectorFromSet(selector).matches(labels)) keys.add(objectKey(service));
  }
  return keys;
}

export const servicesForPod = (services: Informer, pod: AnyObject): Set<string> => servicesForLabels(services, pod.metadata.namespace ?? '', pod.metadata.labels);

/**
 * What a pod update means for the Services' endpoints: whether the pod
 * changed in a way its endpoints show (deletion started, readiness, IPs),
 * and whether it may now match other Services (labels, hostname, subdomain).
 */
function podEndpointsChanged(old: AnyObject, cur: AnyObject): { podChanged: boolean; labelsChanged: boolean } {
  const labelsChanged = !deepEqual(old.metadata.labels ?? {}, cur.metadata.labels ?? {})
    || old.spec?.hostname !== cur.spec?.hostname || old.spec?.subdomain !== cur.spec?.subdomain;
  // Name, namespace and uid never change, and nodeName is set before the pod has an IP.
  const podChanged = !!(old.metadata.deletionTimestamp || cur.metadata.deletionTimestamp)
    || isPodReady(old) !== isPodReady(cur)
    || !deepEqual((old.status?.podIPs ?? []).map((p: { ip?: string }) => p?.ip), (cur.status?.podIPs ?? []).map((p: { ip?: string }) => p?.ip));
  return { podChanged, labelsChanged };
}

/**
 * The Services to sync after a pod update: none for a resync; those it
 * matches when it changed; when its labels changed, also those it matched
 * before (all of both sets if the pod changed too, else only the ones it
 * joined or left).
 */
export function servicesToUpdateOnPodChange(services: Informer, old: AnyObject, cur: AnyObject): Set<string> {
  if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return new Set();
  const { podChanged, labelsChanged } = podEndpointsChanged(old, cur);
  if (!podChanged && !labelsChanged) return new Set();
  const now = servicesForPod(services, cur);
  if (!labelsChanged) return now;
  const before = servicesForPod(services, old);
  if (podChanged) return new Set([...now, ...before]);
  return new Set([...[...now].filter((k) => !before.has(k)), ...[...before].filter((k) => !now.has(k))]);
}

/** Queues the Services a pod event concerns: those it matches, and on update those it stopped matching. */
export function enqueueServicesOfPods(pods: Informer, services: Informer, queue: WorkQueue<string>): void {
  const add = (keys: Set<string>) => keys.forEach((k) => queue.add(k));
  pods.addEventHandler({
    onAdd: (pod) => add(servicesForPod(services, pod)),
    onUpdate: (old, pod) => add(servicesToUpdateOnPodChange(services, old, pod)),
    onDelete: (pod) => add(servicesForPod(services, pod)),
  });
}
