import type { AnyObject } from './resource.js';
import { PODS } from './resources.js';
import type { RestClient } from './rest-client.js';

/**
 * kube's PatchPodStatus: writes conditions (merged by type) and other status
 * fields through pods/status, for the pod with this uid only.
 */
export async function patchPodStatus(
  client: RestClient,
  pod: AnyObject,
  status: { phase?: string; conditions?: object[] },
): Promise<AnyObject> {
  return client.patch(PODS, pod.metadata.name!, 'strategic', { metadata: { uid: pod.metadata.uid }, status }, { namespace: pod.metadata.namespace, subresource: 'status' });
}
