import { canonicalIP } from '../../../api/net.js';
import type { AnyObject } from '../../../client/resource.js';
import type { Instance } from '../../aws/instances.js';

export interface NodeAddress {
  type: string;
  address: string;
}

/** The kubelet's record of its --node-ip when it runs with an external cloud provider. */
export const ANNOTATION_PROVIDED_NODE_IP = 'alpha.kubernetes.io/provided-node-ip';

/**
 * An instance's addresses as the AWS cloud-controller-manager reports them:
 * every private IP (InternalIP), the public IP (ExternalIP), the private DNS
 * name (InternalDNS and Hostname), the public DNS name (ExternalDNS).
 */
export function instanceAddresses(instance: Instance): NodeAddress[] {
  const out: NodeAddress[] = instance.privateIps.map((address) => ({ type: 'InternalIP', address }));
  if (instance.publicIp) out.push({ type: 'ExternalIP', address: instance.publicIp });
  if (instance.privateDnsName) out.push({ type: 'InternalDNS', address: instance.privateDnsName }, { type: 'Hostname', address: instance.privateDnsName });
  if (instance.publicDnsName) out.push({ type: 'ExternalDNS', address: instance.publicDnsName });
  return out;
}

/**
 * The node's addresses from the cloud, with kube's rules for what the agent
 * reported (cloud-provider's updateNodeAddress): its Hostname is kept when
 * the cloud names none, and the IP it was told to use (--node-ip, in the
 * provided-node-ip annotation) comes first, with the cloud's addresses of
 * other types after it. An agent's IP the cloud does not know is an error,
 * as in kube, rather than an address made up.
 */
export function nodeAddresses(node: AnyObject, instance: Instance): NodeAddress[] {
  let addresses = instanceAddresses(instance);
  if (!addresses.some((a) => a.type === 'Hostname')) {
    addresses.push(...((node.status?.addresses ?? []) as NodeAddress[]).filter((a) => a.type === 'Hostname'));
  }
  const provided: string | undefined = node.metadata.annotations?.[ANNOTATION_PROVIDED_NODE_IP];
  if (provided) addresses = preferProvidedIps(provided, addresses);
  return addresses;
}

function preferProvidedIps(provided: string, addresses: NodeAddress[]): NodeAddress[] {
  const ips = provided.split(',').map((text) => {
    const ip = canonicalIP(text.trim());
    if (!ip) throw new Error(`annotation ${ANNOTATION_PROVIDED_NODE_IP} holds ${JSON.stringify(provided)}, which is not a list of IPs`);
    return ip.ip;
  });
  const matching = addresses.filter((a) => ips.includes(canonicalIP(a.address)?.ip ?? ''));
  for (const ip of ips) {
    if (!matching.some((a) => canonicalIP(a.address)?.ip === ip)) throw new Error(`failed to get node address from cloud provider that matches ip: ${ip}`);
  }
  const types = new Set(matching.map((a) => a.type));
  return [...matching, ...addresses.filter((a) => !types.has(a.type))];
}

/** kube's nodeAddressesChangeDetected: the same addresses, whatever their order. */
export function addressesChanged(current: NodeAddress[] | undefined, wanted: NodeAddress[]): boolean {
  const have = current ?? [];
  if (have.length !== wanted.length) return true;
  const key = (a: NodeAddress) => `${a.type}\u0000${a.address}`;
  const set = new Set(have.map(key));
  return wanted.some((a) => !set.has(key(a)));
}
