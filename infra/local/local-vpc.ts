import { createHash } from 'node:crypto';
import { formatAddress, lastAddress, nthSubnet, parseCidr } from '../../api/net.js';
import { deleteNetns, ensureNetns, ip, ipJson, linkExists, netnsSysctl } from './ip.js';

/**
 * The VPC of a local cluster: a network namespace holding one bridge that
 * the master and every worker namespace are plugged into, the way instances
 * share a VPC. The namespace is the VPC's router: it holds the first
 * address of each subnet (where AWS puts the router) and the routes of the
 * cluster's route table, so pod traffic between workers takes the path it
 * takes on AWS. Nothing is added to the host's firewall; the host only gets
 * its own link into the bridge, with the master's address, a route to the
 * VPC through it, and a routing rule that sends whatever leaves from the
 * master's address to the VPC's router, as an instance's default route
 * does: answers to pods (an in-cluster client of the API server) then take
 * the route table's routes back to the pod's worker.
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
  /** The host's routing table for what leaves from the master's address: its default route is the router. */
  masterRouteTable: number;
}

export interface LocalVpcSpec {
  /** A short name (letters and digits, at most 8) that tells this VPC's namespaces and links apart from another's. */
  id: string;
  vpcCidr: string;
  /** The subnets' CIDRs. */
  subnets: string[];
}

const BRIDGE = 'vpc0';
/** Where the host's rules for local VPCs sit: after the `local` table's, before `main`'s (32766). */
const MASTER_RULE_PRIORITY = 30000;

/** A routing table number of the VPC's own, from its id: 10000 to 59999, clear of the reserved ones (253-255) and of small numbers others use. */
function masterRouteTableOf(id: string): number {
  return 10000 + (createHash('sha256').update(id).digest().readUInt32BE(0) % 50000);
}

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
    masterAddress: formatAddress(controlPlane.base + 10n, 4), controlPlaneCidr, subnets: spec.subnets, masterRouteTable: masterRouteTableOf(spec.id),
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
  ip(['route', 'replace', 'default', 'via', routerAddress(vpc.controlPlaneCidr), 'dev', vpc.hostLink, 'table', String(vpc.masterRouteTable)]);
  if (!masterRules(vpc).length) ip(['rule', 'add', 'from', vpc.masterAddress, 'table', String(vpc.masterRouteTable), 'priority', String(MASTER_RULE_PRIORITY)]);
  return vpc;
}

/** The host's rules that send the master's traffic to this VPC's table. */
function masterRules(vpc: LocalVpc): unknown[] {
  return ipJson<{ src?: string; table?: string }[]>(['rule', 'show', 'priority', String(MASTER_RULE_PRIORITY)])
    .filter((r) => r.src === vpc.masterAddress && r.table === String(vpc.masterRouteTable));
}

/** Removes the VPC: the host's rule, its link (and the link's routes with it) and the router's namespace. */
export function deleteLocalVpc(vpc: LocalVpc): void {
  for (let i = masterRules(vpc).length; i > 0; i--) ip(['rule', 'delete', 'from', vpc.masterAddress, 'table', String(vpc.masterRouteTable), 'priority', String(MASTER_RULE_PRIORITY)]);
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
