import type { KObject } from '../../api/kind.js';
import type { AnyObject } from '../../client/resource.js';
import { findPort } from './pod-endpoints.js';

/**
 * The EndpointSlice ports a pod serves for a Service: each Service port whose
 * targetPort resolves on the pod, under the Service port's name and protocol.
 * A headless Service may have no ports at all.
 */
export function endpointPortsFor(service: AnyObject, pod: AnyObject): KObject[] {
  const ports: KObject[] = [];
  for (const servicePort of service.spec?.ports ?? []) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    ports.push({
      name: servicePort.name ?? '', port, protocol: servicePort.protocol,
      ...(servicePort.appProtocol !== undefined ? { appProtocol: servicePort.appProtocol } : {}),
    });
  }
  return ports;
}

/**
 * Identifies a set of ports whatever their order and however the server
 * wrote them back (it defaults names and protocols): endpoints with the same
 * key share slices.
 */
export function portMapKey(ports: KObject[] | null | undefined): string {
  return (ports ?? []).map((p) => JSON.stringify([p.name ?? '', p.port ?? null, p.protocol ?? 'TCP', p.appProtocol ?? null])).sort().join(',');
}
