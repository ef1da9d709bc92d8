import type { KObject } from '../../../api/kind.js';

/**
 * What kube-apiserver's ServiceAccount admission fills in on a new pod: it
 * runs as the namespace's `default` account unless it names another.
 */
export async function serviceAccountDefaults(pod: KObject): Promise<void> {
  const spec = (pod.spec ??= {});
  spec.serviceAccountName ||= spec.serviceAccount || 'default';
  spec.serviceAccount = spec.serviceAccountName;
}
