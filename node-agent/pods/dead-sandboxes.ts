import type { RuntimeClient } from '../cri/runtime-client.js';
import { LABEL_POD_UID } from './cri-config.js';

/**
 * The kubelet's sandbox garbage collection for pods that still live here:
 * a sandbox that is not ready and is not the pod's newest (one a crash or a
 * failed start left behind, replaced since) is removed, unless a container
 * in it ever ran: that one is kept for `kubectl logs --previous` until the
 * pod goes. `sandboxes` are this node's, of pods that live; answers the ids
 * of the ones to remove.
 */
export async function deadSandboxes(runtime: RuntimeClient, sandboxes: Record<string, any>[]): Promise<string[]> {
  const byPod = new Map<string, Record<string, any>[]>();
  for (const s of sandboxes) {
    const uid = s.labels[LABEL_POD_UID] as string;
    byPod.set(uid, [...(byPod.get(uid) ?? []), s]);
  }
  const candidates = [...byPod.values()].flatMap((list) => {
    const newest = list.reduce((a, b) => (BigInt(b.createdAt ?? 0) > BigInt(a.createdAt ?? 0) ? b : a));
    return list.filter((s) => s !== newest && s.state !== 'SANDBOX_READY');
  });
  const dead: string[] = [];
  for (const s of candidates) {
    const { containers } = await runtime.runtimeCall('ListContainers', { filter: { podSandboxId: s.id } });
    let everRan = false;
    for (const c of containers ?? []) {
      const status = (await runtime.runtimeCall('ContainerStatus', { containerId: c.id })).status;
      everRan ||= status.state === 'CONTAINER_RUNNING' || (status.startedAt ?? '0') !== '0';
    }
    if (!everRan) dead.push(s.id);
  }
  return dead;
}
