import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { deepEqual } from '../api/deep-equal.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, NAMESPACE_SYSTEM } from '../api/well-known.js';
import { isAlreadyExists, isNotFound } from '../client/api-error.js';
import type { ReconcileResult } from '../client/controller-loop.js';
import type { Informer } from '../client/informer.js';
import type { AnyObject } from '../client/resource.js';
import { ENDPOINT_SLICES, SERVICES } from '../client/resources.js';
import type { RestClient } from '../client/rest-client.js';

/** The Service clients' resolv.conf points at, by the name every Kubernetes cluster gives it. */
export const KUBE_DNS_SERVICE = 'kube-dns';
/** The managed-by value of the servers' own slices: the endpoint controllers leave slices of other managers alone. */
export const DNS_MANAGED_BY = 'dns.skiff.dev';

export interface SelfRegistration {
  /** The address clients reach this server at: its endpoint in the Service. */
  advertiseAddress: string;
  /** The Service's cluster IP (by convention the tenth of the service range, 10.96.0.10). */
  serviceIP: string;
  /** The port DNS is served on, UDP and TCP. */
  dnsPort: number;
  /** The port /metrics is served on, if it is. */
  metricsPort?: number;
}

/**
 * The kube-dns Service as kubeadm makes it for CoreDNS, but without a
 * selector: its endpoints are the DNS servers' own slices.
 */
export function kubeDnsService(serviceIP: string): AnyObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: {
      name: KUBE_DNS_SERVICE, namespace: NAMESPACE_SYSTEM,
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    },
    spec: {
      clusterIP: serviceIP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    },
  };
}

/** One slice per server, named by its address, so servers (one per master) never write each other's. */
export function kubeDnsSliceName(advertiseAddress: string): string {
  return `${KUBE_DNS_SERVICE}-${createHash('sha256').update(advertiseAddress).digest('hex').slice(0, 10)}`;
}

/**
 * This server's EndpointSlice of kube-dns: its address, ready, with the
 * ports it really listens on, which the Service's ports map to by name
 * (so the server may listen on a port other than 53).
 */
export function kubeDnsSlice(reg: SelfRegistration): AnyObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      name: kubeDnsSliceName(reg.advertiseAddress), namespace: NAMESPACE_SYSTEM,
      labels: { [LABEL_SERVICE_NAME]: KUBE_DNS_SERVICE, [LABEL_MANAGED_BY]: DNS_MANAGED_BY },
    },
    addressType: isIP(reg.advertiseAddress) === 6 ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [reg.advertiseAddress], conditions: { ready: true, serving: true, terminating: false } }],
    ports: [
      { name: 'dns', port: reg.dnsPort, protocol: 'UDP' },
      { name: 'dns-tcp', port: reg.dnsPort, protocol: 'TCP' },
      ...(reg.metricsPort ? [{ name: 'metrics', port: reg.metricsPort, protocol: 'TCP' }] : []),
    ],
  };
}

/** What of a slice this server decides; anything else the API server or others add is left as it is. */
const sliceSpec = (slice: AnyObject) => ({
  labels: { [LABEL_SERVICE_NAME]: slice.metadata.labels?.[LABEL_SERVICE_NAME], [LABEL_MANAGED_BY]: slice.metadata.labels?.[LABEL_MANAGED_BY] },
  endpoints: (slice.endpoints ?? []).map((ep: AnyObject) => ({ addresses: ep.addresses, conditions: ep.conditions })),
  ports: (slice.ports ?? []).map((p: AnyObject) => ({ name: p.name, port: p.port, protocol: p.protocol })),
});

/**
 * Self-registration, read from the informers' caches: kube-system/kube-dns
 * is created when missing (an existing one is the cluster's to edit, and
 * stays as it is), and this server's slice is created, or put back when
 * someone changed it. One key, reconciled on every change of either.
 */
export function kubeDnsReconciler(client: RestClient, services: Informer, slices: Informer, reg: SelfRegistration) {
  const desired = kubeDnsSlice(reg);
  const sliceName = kubeDnsSliceName(reg.advertiseAddress);
  const sliceKey = `${NAMESPACE_SYSTEM}/${sliceName}`;
  return async function reconcile(): Promise<ReconcileResult> {
    if (!services.store.get(`${NAMESPACE_SYSTEM}/${KUBE_DNS_SERVICE}`)) {
      await client.create(SERVICES, kubeDnsService(reg.serviceIP)).catch((err) => {
        if (!isAlreadyExists(err)) throw err;
      });
    }
    const current = slices.store.get(sliceKey);
    if (!current) {
      await client.create(ENDPOINT_SLICES, desired).catch((err) => {
        if (!isAlreadyExists(err)) throw err;
      });
      return;
    }
    if (current.addressType !== desired.addressType) {
      // The address type cannot change: the slice is made again, by the event its deletion brings.
      await client.delete(ENDPOINT_SLICES, sliceName, { namespace: NAMESPACE_SYSTEM, preconditions: { uid: current.metadata.uid } });
      return;
    }
    if (deepEqual(sliceSpec(current), sliceSpec(desired))) return;
    await client.update(ENDPOINT_SLICES, {
      ...current,
      metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...desired.metadata.labels } },
      endpoints: desired.endpoints, ports: desired.ports,
    });
  };
}

/** Removes this server's slice, so clients stop being sent to it; gone already is fine. */
export async function removeKubeDnsSlice(client: RestClient, reg: SelfRegistration): Promise<void> {
  await client.delete(ENDPOINT_SLICES, kubeDnsSliceName(reg.advertiseAddress), { namespace: NAMESPACE_SYSTEM }).catch((err) => {
    if (!isNotFound(err)) throw err;
  });
}
