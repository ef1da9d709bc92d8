import { clone, deepEqual } from '../../api/deep-equal.js';
import { selectorFromSet } from '../../api/selectors/label-selector.js';
import { NodeSelector } from '../../api/selectors/node-selector.js';
import { findMatchingUntoleratedTaint, nodeTaints, type Toleration } from '../../api/taints.js';
import {
  TAINT_NODE_DISK_PRESSURE, TAINT_NODE_MEMORY_PRESSURE, TAINT_NODE_NETWORK_UNAVAILABLE, TAINT_NODE_NOT_READY, TAINT_NODE_PID_PRESSURE,
  TAINT_NODE_UNREACHABLE, TAINT_NODE_UNSCHEDULABLE,
} from '../../api/well-known.js';
import type { KObject } from '../../api/kind.js';
import type { AnyObject } from '../../client/resource.js';

/** The label that tells a daemon pod's template revision (apps/v1 DefaultDaemonSetUniqueLabelKey). */
export const DAEMON_SET_REVISION_LABEL = 'controller-revision-hash';

const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });

/**
 * AddOrUpdateDaemonPodTolerations: a daemon pod stays on a node that goes
 * not-ready or unreachable (it is the node's own service: eviction would
 * not help), and lands on nodes under resource pressure or cordoned; a
 * host-network pod also on a node whose pod network is not up yet, since
 * it may be what brings the network up.
 */
export function daemonPodTolerations(spec: KObject): Toleration[] {
  const wanted = [
    exists(TAINT_NODE_NOT_READY, 'NoExecute'),
    exists(TAINT_NODE_UNREACHABLE, 'NoExecute'),
    exists(TAINT_NODE_DISK_PRESSURE, 'NoSchedule'),
    exists(TAINT_NODE_MEMORY_PRESSURE, 'NoSchedule'),
    exists(TAINT_NODE_PID_PRESSURE, 'NoSchedule'),
    exists(TAINT_NODE_UNSCHEDULABLE, 'NoSchedule'),
    ...(spec.hostNetwork ? [exists(TAINT_NODE_NETWORK_UNAVAILABLE, 'NoSchedule')] : []),
  ];
  const tolerations: Toleration[] = [...(spec.tolerations ?? [])];
  // A toleration the template already has (same key, operator, value, effect) is not added twice.
  for (const t of wanted) if (!tolerations.some((have) => have.key === t.key && have.operator === t.operator && have.effect === t.effect && !have.value)) tolerations.push(t);
  return tolerations;
}

// Judged for every node on every node event: computed once per version of the DaemonSet (the cache never changes one in place).
const dsPodSpecs = new WeakMap<AnyObject, KObject>();

/** The pod spec a daemon pod of this DaemonSet would have, tolerations included: what node eligibility is judged on. */
function daemonPodSpec(ds: AnyObject): KObject {
  const cached = dsPodSpecs.get(ds);
  if (cached) return cached;
  const spec = { ...ds.spec.template?.spec, tolerations: daemonPodTolerations(ds.spec.template?.spec ?? {}) };
  dsPodSpecs.set(ds, spec);
  return spec;
}

export interface NodeVerdict {
  /** A daemon pod should be created on the node. */
  shouldRun: boolean;
  /** A daemon pod already there may stay. */
  shouldContinueRunning: boolean;
}

/**
 * NodeShouldRunDaemonPod: the node must be the one the template names (if
 * any) and match its nodeSelector and required node affinity; every
 * NoSchedule and NoExecute taint must be tolerated for a new pod, while a
 * pod already running stays as long as the NoExecute ones are.
 */
export function nodeShouldRunDaemonPod(node: AnyObject, ds: AnyObject): NodeVerdict {
  const spec = daemonPodSpec(ds);
  const name = node.metadata.name!;
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (spec.nodeName && spec.nodeName !== name) return no;
  const labels = node.metadata.labels ?? {};
  if (spec.nodeSelector && Object.keys(spec.nodeSelector).length && !selectorFromSet(spec.nodeSelector).matches(labels)) return no;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !NodeSelector.parse(required).matches(labels, name)) return no;
  const taints = nodeTaints(node);
  const blocking = taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (!findMatchingUntoleratedTaint(blocking, spec.tolerations)) return { shouldRun: true, shouldContinueRunning: true };
  const evicting = taints.filter((t) => t.effect === 'NoExecute');
  return { shouldRun: false, shouldContinueRunning: !findMatchingUntoleratedTaint(evicting, spec.tolerations) };
}

/**
 * The required node affinity that pins a daemon pod to one node, by
 * metadata.name, in place of the template's own terms (already checked
 * against the node): the scheduler then binds it, honouring resources,
 * ports and preemption, as kube's DaemonSets do since 1.12.
 */
export function pinToNode(affinity: KObject | undefined, nodeName: string): KObject {
  const required = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  const copy: KObject = clone(affinity ?? {});
  copy.nodeAffinity = { ...copy.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: required };
  return copy;
}

/** util.GetTargetNodeName: where a daemon pod runs, or is pinned to run before it is bound. */
export function targetNodeName(pod: AnyObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term?.matchFields ?? []) {
      if (f?.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/** CreatePodTemplate: the DaemonSet's template with the daemon tolerations and the revision's hash label. */
export function daemonPodTemplate(ds: AnyObject, hash: string): AnyObject {
  const template: AnyObject = clone(ds.spec.template ?? {});
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [DAEMON_SET_REVISION_LABEL]: hash } };
  template.spec = { ...template.spec, tolerations: daemonPodTolerations(template.spec ?? {}) };
  return template;
}

/** The template for the pod of one node: pinned to it. */
export function daemonPodTemplateFor(template: AnyObject, nodeName: string): AnyObject {
  return { ...template, spec: { ...template.spec, affinity: pinToNode(template.spec?.affinity, nodeName) } };
}

/** IsPodUpdated: the pod runs the DaemonSet's current revision. */
export const isPodUpdated = (pod: AnyObject, hash: string): boolean => !!hash && pod.metadata.labels?.[DAEMON_SET_REVISION_LABEL] === hash;

/** Whether two nodes differ in what daemon pod eligibility reads: name, labels, taints. */
export const eligibilityChanged = (a: AnyObject, b: AnyObject): boolean =>
  !deepEqual(a.metadata.labels ?? {}, b.metadata.labels ?? {}) || !deepEqual(nodeTaints(a), nodeTaints(b));
