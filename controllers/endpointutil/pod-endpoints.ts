import type { KObject } from '../../api/kind.js';
import { isPodTerminal } from '../../api/pod-status.js';
import type { AnyObject } from '../../client/resource.js';

/** The pod's IPs, one per family (the API server keeps podIP and podIPs in step). */
export const podIPs = (pod: AnyObject): string[] => (pod.status?.podIPs ?? []).map((p: KObject) => p?.ip).filter((ip: unknown): ip is string => typeof ip === 'string' && ip !== '');

/**
 * Whether a pod belongs in a Service's endpoints at all: finished pods
 * (Succeeded, Failed) never, pods without an IP not yet, terminating pods
 * only when the caller keeps them.
 */
export function shouldPodBeInEndpoints(pod: AnyObject, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !podIPs(pod).length) return false;
  return includeTerminating || !pod.metadata?.deletionTimestamp;
}

/** A pod gets a DNS name under the Service when it names a hostname and the Service as its subdomain. */
export function shouldSetHostname(pod: AnyObject, service: AnyObject): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace;
}

/**
 * The port a Service port reaches on this pod: a numeric targetPort as is; a
 * named one through the named container ports of the same protocol, in
 * containers and then in sidecars (init containers that always restart).
 * Undefined when the pod has no such port: it is left out for this port.
 */
export function findPort(pod: AnyObject, servicePort: KObject): number | undefined {
  const target = servicePort.targetPort;
  if (typeof target === 'number') return target;
  const sidecars = (pod.spec?.initContainers ?? []).filter((c: KObject) => c?.restartPolicy === 'Always');
  for (const container of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const port of container?.ports ?? []) {
      if (port?.name === target && port?.protocol === servicePort.protocol) return port.containerPort;
    }
  }
  return undefined;
}
