import type { KObject } from '../../../api/kind.js';

const TOLERATION_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/**
 * What kube-apiserver's Priority and DefaultTolerationSeconds admission
 * plugins add to every new pod: priority 0 with the default preemption
 * policy, and five minutes of tolerance for a not-ready or unreachable node.
 */
export async function podDefaults(pod: KObject): Promise<void> {
  const spec = (pod.spec ??= {});
  if (!spec.priorityClassName) {
    spec.priority ??= 0;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
  }
  const tolerations: KObject[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const covers = (key: string) => tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
  for (const key of [NOT_READY, UNREACHABLE]) {
    if (!covers(key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: TOLERATION_SECONDS });
  }
  spec.tolerations = tolerations;
}
