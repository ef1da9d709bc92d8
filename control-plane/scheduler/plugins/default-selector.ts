import { getControllerOf } from '../../../api/owner-references.js';
import { LabelSelector, selectorFromSet, tryLabelSelectorFromObject, type Requirement } from '../../../api/selectors/label-selector.js';
import { namespaceIndex } from '../../../client/store.js';
import type { Listers } from '../framework/listers.js';
import type { PodInfo } from '../framework/pod-info.js';

/**
 * helper.DefaultSelector: the pods a pod is spread against when it names no
 * constraints of its own: those selected by the Services that select it and
 * by its controller (ReplicaSet, StatefulSet or ReplicationController).
 * Empty when nothing selects the pod; then it is not spread.
 */
export function defaultSelector(pod: PodInfo, listers: Pick<Listers, 'services' | 'replicaSets' | 'statefulSets' | 'replicationControllers'>): LabelSelector {
  const set: Record<string, string> = {};
  for (const svc of listers.services.byIndex(namespaceIndex, pod.namespace)) {
    const selector: Record<string, string> | undefined = svc.spec?.selector;
    // A Service without a selector selects nothing, not everything.
    if (!selector) continue;
    if (selectorFromSet(selector).matches(pod.labels)) Object.assign(set, selector);
  }
  let requirements: Requirement[] = [...selectorFromSet(set).requirements];
  const owner = getControllerOf(pod.pod);
  if (!owner) return LabelSelector.of(requirements);
  const key = `${pod.namespace}/${owner.name}`;
  if (owner.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
    const rc = listers.replicationControllers?.get(key);
    if (rc?.spec?.selector) requirements = [...selectorFromSet({ ...set, ...rc.spec.selector }).requirements];
  } else if (owner.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
    const controller = (owner.kind === 'ReplicaSet' ? listers.replicaSets : listers.statefulSets)?.get(key);
    // kube ignores a controller selector it cannot parse.
    const selector = controller && tryLabelSelectorFromObject(controller.spec?.selector);
    if (selector) requirements = [...requirements, ...selector.requirements];
  }
  return LabelSelector.of(requirements);
}
