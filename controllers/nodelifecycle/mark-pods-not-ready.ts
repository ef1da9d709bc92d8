import { changedCondition, podCondition } from '../../api/pod-status.js';
import { isNotFound } from '../../client/api-error.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { patchPodStatus } from '../../client/patch-pod-status.js';
import type { AnyObject } from '../../client/resource.js';
import type { RestClient } from '../../client/rest-client.js';

/**
 * kube's MarkPodsNotReady: the pods on a node that is no longer Ready stop
 * being Ready too (so Services stop sending them traffic), with a
 * NodeNotReady warning on each. Every pod is tried; failures are thrown
 * together at the end so the caller retries.
 */
export async function markPodsNotReady(client: RestClient, recorder: EventRecorder, pods: AnyObject[], nodeName: string): Promise<void> {
  const failures: string[] = [];
  for (const pod of pods) {
    if (pod.spec?.nodeName !== nodeName) continue;
    const ready = podCondition(pod, 'Ready');
    if (!ready) continue;
    const condition = changedCondition(pod, { ...ready, status: 'False' });
    if (!condition) continue;
    try {
      await patchPodStatus(client, pod, { conditions: [condition] });
    } catch (err) {
      if (isNotFound(err)) continue;
      failures.push(`${pod.metadata.namespace}/${pod.metadata.name}: ${(err as Error).message}`);
      continue;
    }
    recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
  }
  if (failures.length) throw new Error(`could not mark pods on node ${nodeName} not ready: ${failures.join('; ')}`);
}
