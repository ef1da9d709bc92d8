import { formatAddress, lastAddress, nthSubnet, parseCidr } from '../../api/net.js';
import { deleteNetns, ensureNetns, ip, linkExists, netnsSysctl } from './ip.js';

/**
 * The VPC of a local cluster: a network namespace holding one bridge that
 * the master and every worker namespace are plugged into, the way instances
 * share a VPC. The namespace is the VPC's router: it holds the first
 * address of each subnet (where AWS puts the router) and the routes of the
 * cluster's route table, so pod traffic between workers takes the path it
 * takes on AWS. Nothing is added to the host's firewall; the host only gets
 * its own link into the bridge, with the master's address, and a route to
 * the VPC through it.
 */
export interface LocalVpc {
  /** The router's namespace. */
  netns: string;
  /** The host's end of its link into the bridge. */
  hostLink: string;
  vpcCidr: string;
  /** Where the control plane (this host) is reached from the workers. */
  masterAddress: string;
  /** The range the master's link is on: the VPC's last /24, which no subnet of the topology uses. */
  controlPlaneCidr: string;
  subnets: string[];
}

export interface LocalVpcSpec {
  /** A short name (letters and digits, at most 8) that tells this VPC's namespaces and links apart from another's. */
  id: string;
  vpcCidr: string;
  /** The subnets' CIDRs. */
  subnets: string[];
}

const BRIDGE = 'vpc0';

/** The router's address in a subnet: its first host address, as AWS reserves it. */
export function routerAddress(cidr: string): string {
  const c = parseCidr(cidr);
  return formatAddress(c.base + 1n, c.family);
}

export function localVpcOf(spec: LocalVpcSpec): LocalVpc {
  if (!/^[a-z0-9]{1,8}$/.test(spec.id)) throw new Error(`local VPC id ${JSON.stringify(spec.id)} must be 1-8 lower-case letters or digits`);
  const vpc = parseCidr(spec.vpcCidr);
  if (vpc.family !== 4 || vpc.prefix > 22) throw new Error(`local VPC ${spec.vpcCidr}: an IPv4 range of /22 or wider is needed`);
  const controlPlane = nthSubnet(vpc, 24, 2 ** (24 - vpc.prefix) - 1)!;
  const controlPlaneCidr = `${formatAddress(controlPlane.base, 4)}/24`;
  for (const s of spec.subnets) {
    const c = parseCidr(s);
    if (lastAddress(c) >= controlPlane.base) throw new Error(`subnet ${s} reaches into ${controlPlaneCidr}, the range the local master's link is on`);
  }
  return {
    netns: `skiff-vpc-${spec.id}`, hostLink: `skiff-${spec.id}`, vpcCidr: spec.vpcCidr,
    masterAddress: formatAddress(controlPlane.base + 10n, 4), controlPlaneCidr, subnets: spec.subnets,
  };
}

/** Makes the VPC's namespace, bridge, router addresses and the host's link; what exists already is kept. */
export function ensureLocalVpc(spec: LocalVpcSpec): LocalVpc {
  const vpc = localVpcOf(spec);
  ensureNetns(vpc.netns);
  netnsSysctl(vpc.netns, 'net.ipv4.ip_forward', '1');
  if (!linkExists(BRIDGE, vpc.netns)) ip(['link', 'add', BRIDGE, 'type', 'bridge'], vpc.netns);
  ip(['link', 'set', BRIDGE, 'up'], vpc.netns);
  for (const cidr of [...vpc.subnets, vpc.controlPlaneCidr]) {
    ip(['addr', 'replace', `${routerAddress(cidr)}/${parseCidr(cidr).prefix}`, 'dev', BRIDGE], vpc.netns);
  }
  const peer = 'cp0';
  if (!linkExists(vpc.hostLink)) ip(['link', 'add', vpc.hostLink, 'type', 'veth', 'peer', 'name', peer, 'netns', vpc.netns]);
  ip(['link', 'set', peer, 'master', BRIDGE, 'up'], vpc.netns);
  ip(['addr', 'replace', `${vpc.masterAddress}/24`, 'dev', vpc.hostLink]);
  ip(['link', 'set', vpc.hostLink, 'up']);
  ip(['route', 'replace', vpc.vpcCidr, 'via', routerAddress(vpc.controlPlaneCidr), 'dev', vpc.hostLink]);
  return vpc;
}

/** Removes the VPC: the host's link (and its route with it) and the router's namespace. */
export function deleteLocalVpc(vpc: LocalVpc): void {
  if (linkExists(vpc.hostLink)) ip(['link', 'delete', vpc.hostLink]);
  deleteNetns(vpc.netns);
}

/**
 * Plugs a worker's namespace into the VPC: a veth whose worker end is eth0
 * with the instance's private address, a default route through the
 * subnet's router, forwarding on (its pods' traffic passes through it) and
 * route_localnet (NodePorts on 127.0.0.1, as kube-proxy allows them).
 */
export function plugWorker(vpc: LocalVpc, worker: { netns: string; address: string; subnetCidr: string; linkName: string }): void {
  ensureNetns(worker.netns);
  if (!/^[a-z0-9-]{1,15}$/.test(worker.linkName)) throw new Error(`link name ${JSON.stringify(worker.linkName)} must be 1-15 lower-case letters, digits or '-'`);
  if (!linkExists(worker.linkName, vpc.netns)) ip(['link', 'add', worker.linkName, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', worker.netns], vpc.netns);
  ip(['link', 'set', worker.linkName, 'master', BRIDGE, 'up'], vpc.netns);
  ip(['addr', 'replace', `${worker.address}/${parseCidr(worker.subnetCidr).prefix}`, 'dev', 'eth0'], worker.netns);
  ip(['link', 'set', 'eth0', 'up'], worker.netns);
  ip(['route', 'replace', 'default', 'via', routerAddress(worker.subnetCidr)], worker.netns);
  netnsSysctl(worker.netns, 'net.ipv4.ip_forward', '1');
  netnsSysctl(worker.netns, 'net.ipv4.conf.all.route_localnet', '1');
}

/** Unplugs a worker: its namespace goes, and the veth with it. */
export function unplugWorker(vpc: LocalVpc, worker: { netns: string; linkName: string }): void {
  deleteNetns(worker.netns);
  // The router's end usually goes with the namespace, a moment later: only one still there after that is removed.
  try {
    if (linkExists(worker.linkName, vpc.netns)) ip(['link', 'delete', worker.linkName], vpc.netns);
  } catch (err) {
    if (linkExists(worker.linkName, vpc.netns)) throw err;
  }
}
