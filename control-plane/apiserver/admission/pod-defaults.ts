import type { KObject } from '../../../api/kind.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from '../../../api/well-known.js';

const TOLERATION_SECONDS = 300;

/**
 * What kube-apiserver's DefaultTolerationSeconds admission plugin adds to
 * every new pod: five minutes of tolerance for a not-ready or unreachable node.
 */
export async function podDefaults(pod: KObject): Promise<void> {
  const spec = (pod.spec ??= {});
  const tolerations: KObject[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const covers = (key: string) => tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
  for (const key of [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]) {
    if (!covers(key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: TOLERATION_SECONDS });
  }
  spec.tolerations = tolerations;
}
