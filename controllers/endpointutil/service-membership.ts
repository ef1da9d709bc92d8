import { deepEqual } from '../../api/deep-equal.js';
import { isPodReady } from '../../api/pod-status.js';
import { selectorFromSet, type LabelSelector } from '../../api/selectors/label-selector.js';
import type { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { namespaceIndex, objectKey } from '../../client/store.js';
import type { WorkQueue } from '../../client/workqueue.js';
import { SelectorCache } from '../selector-cache.js';

/**
 * A Service's selector, or undefined when it has none. Kube stores an empty
 * selector as none (the empty map does not survive serialisation), so `{}`
 * selects nothing here either.
 */
export function serviceSelector(service: AnyObject): Record<string, string> | undefined {
  const selector = service.spec?.selector;
  return selector && typeof selector === 'object' && Object.keys(selector).length ? selector : undefined;
}

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

// One membership per pair of informers: the controllers of one controller-manager share them.
const shared = new WeakMap<Informer, WeakMap<Informer, ServiceMembership>>();

/**
 * Which Services select which pods, for the controllers that keep
 * endpoints (Endpoints and EndpointSlices). Each Service's selector is
 * parsed once per version of the Service (kube's ServiceSelectorCache), and
 * the Services a pod event concerns are worked out once, for every queue
 * subscribed, by the one pod handler of the pair of informers.
 */
export class ServiceMembership {
  private readonly selectors = new SelectorCache<AnyObject>((service) => {
    const selector = serviceSelector(service);
    return selector ? selectorFromSet(selector) : undefined;
  });
  private readonly queues = new Set<WorkQueue<string>>();

  /** The membership of these informers, made (with its handlers) on first use. */
  static of(pods: Informer, services: Informer): ServiceMembership {
    let byPods = shared.get(services);
    if (!byPods) shared.set(services, (byPods = new WeakMap()));
    let membership = byPods.get(pods);
    if (!membership) byPods.set(pods, (membership = new ServiceMembership(pods, services)));
    return membership;
  }

  private constructor(private readonly pods: Informer, private readonly services: Informer) {
    this.selectors.forgetDeleted(services);
    const add = (keys: Set<string>) => {
      for (const queue of this.queues) for (const key of keys) queue.add(key);
    };
    pods.addEventHandler({
      onAdd: (pod) => add(this.servicesForPod(pod)),
      onUpdate: (old, pod) => add(this.servicesToUpdateOnPodChange(old, pod)),
      onDelete: (pod) => add(this.servicesForPod(pod)),
    });
  }

  /** Queues the Services each pod event concerns: those the pod matches, and on update those it stopped matching. */
  subscribe(queue: WorkQueue<string>): void {
    this.queues.add(queue);
  }

  /** The Service's selector, undefined when it has none. */
  selector(service: AnyObject): LabelSelector | undefined {
    return this.selectors.get(service);
  }

  /** The pods of the Service's namespace its selector matches. */
  podsFor(service: AnyObject, selector: LabelSelector): AnyObject[] {
    return this.pods.store.byIndex(namespaceIndex, service.metadata.namespace ?? '').filter((p) => selector.matches(p.metadata.labels));
  }

  /** Keys of the Services in the pod's namespace whose selectors match its labels. */
  servicesForPod(pod: AnyObject): Set<string> {
    const keys = new Set<string>();
    for (const service of this.services.store.byIndex(namespaceIndex, pod.metadata.namespace ?? '')) {
      if (this.selector(service)?.matches(pod.metadata.labels)) keys.add(objectKey(service));
    }
    return keys;
  }

  /**
   * The Services to sync after a pod update: none for a resync; those it
   * matches when it changed; when its labels changed, also those it matched
   * before (all of both sets if the pod changed too, else only the ones it
   * joined or left).
   */
  servicesToUpdateOnPodChange(old: AnyObject, cur: AnyObject): Set<string> {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return new Set();
    const { podChanged, labelsChanged } = podEndpointsChanged(old, cur);
    if (!podChanged && !labelsChanged) return new Set();
    const now = this.servicesForPod(cur);
    if (!labelsChanged) return now;
    const before = this.servicesForPod(old);
    if (podChanged) return new Set([...now, ...before]);
    return new Set([...[...now].filter((k) => !before.has(k)), ...[...before].filter((k) => !now.has(k))]);
  }
}
