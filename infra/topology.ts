import { clusterTagKey, RESOURCE_LIFECYCLE_OWNED, TAG_NAME, TAG_ROLE_ELB, type Tags } from '../controllers/aws/tags.js';

/**
 * The one description of a cluster's network on AWS: names, CIDRs, tags and
 * the rules of its security groups. The SDK engine (infra/sdk/) applies it to
 * the local endpoint for `skiff up`; the Pulumi program applies the same
 * description to AWS.
 */
export interface ClusterTopology {
  clusterName: string;
  region: string;
  vpc: { cidr: string; tags: Tags };
  /** Public subnets, one per zone, tagged for internet-facing load balancers. */
  subnets: { zone: string; cidr: string; tags: Tags }[];
  /** The route table of the subnets, where the route controller writes pod routes. */
  routeTable: { tags: Tags };
  securityGroups: Record<SecurityGroupRole, { name: string; description: string; tags: Tags; ingress: IngressRule[] }>;
}

export type SecurityGroupRole = 'controlPlane' | 'nodes';

/** One inbound rule: from CIDRs, or from a security group of the topology (itself included). */
export interface IngressRule {
  description: string;
  protocol: 'tcp' | 'udp' | 'icmp' | '-1';
  fromPort: number;
  toPort: number;
  cidrs?: string[];
  fromGroup?: SecurityGroupRole;
}

export interface TopologyOptions {
  clusterName: string;
  region: string;
  /** At least two, for load balancers and highly available control planes. */
  zones?: string[];
  vpcCidr?: string;
  /** Who may reach the API server from outside the VPC. */
  adminCidrs?: string[];
}

export const API_SERVER_PORT = 6443;
export const NATS_PORT = 4222;
export const NODE_PORT_RANGE = { from: 30000, to: 32767 };

/** The cluster's topology: a /16 VPC cut into /20 subnets, one per zone. */
export function clusterTopology(opts: TopologyOptions): ClusterTopology {
  const zones = opts.zones ?? [`${opts.region}a`, `${opts.region}b`];
  if (zones.length < 2) throw new Error('a cluster needs subnets in at least two zones');
  const vpcCidr = opts.vpcCidr ?? '10.0.0.0/16';
  const [a, b] = vpcCidr.split('.');
  const owned: Tags = { [clusterTagKey(opts.clusterName)]: RESOURCE_LIFECYCLE_OWNED };
  const named = (name: string, extra: Tags = {}): Tags => ({ ...owned, [TAG_NAME]: `${opts.clusterName}-${name}`, ...extra });
  const admin = opts.adminCidrs ?? ['0.0.0.0/0'];
  return {
    clusterName: opts.clusterName,
    region: opts.region,
    vpc: { cidr: vpcCidr, tags: named('vpc') },
    subnets: zones.map((zone, i) => ({ zone, cidr: `${a}.${b}.${i * 16}.0/20`, tags: named(`public-${zone}`, { [TAG_ROLE_ELB]: '1' }) })),
    routeTable: { tags: named('routes') },
    securityGroups: {
      controlPlane: {
        name: `${opts.clusterName}-control-plane`, description: `Skiff ${opts.clusterName} control plane`, tags: named('control-plane'),
        ingress: [
          { description: 'API server from the admins', protocol: 'tcp', fromPort: API_SERVER_PORT, toPort: API_SERVER_PORT, cidrs: admin },
          { description: 'API server from the nodes', protocol: 'tcp', fromPort: API_SERVER_PORT, toPort: API_SERVER_PORT, fromGroup: 'nodes' },
          { description: 'etcd among the masters', protocol: 'tcp', fromPort: 2379, toPort: 2380, fromGroup: 'controlPlane' },
          { description: 'NATS from the nodes', protocol: 'tcp', fromPort: NATS_PORT, toPort: NATS_PORT, fromGroup: 'nodes' },
          { description: 'NATS cluster among the masters', protocol: 'tcp', fromPort: 6222, toPort: 6222, fromGroup: 'controlPlane' },
        ],
      },
      nodes: {
        name: `${opts.clusterName}-nodes`, description: `Skiff ${opts.clusterName} nodes`, tags: named('nodes'),
        ingress: [
          { description: 'node to node, pod traffic', protocol: '-1', fromPort: -1, toPort: -1, fromGroup: 'nodes' },
          { description: 'NodePorts from the VPC', protocol: 'tcp', fromPort: NODE_PORT_RANGE.from, toPort: NODE_PORT_RANGE.to, cidrs: [vpcCidr] },
          { description: 'NodePorts from the VPC', protocol: 'udp', fromPort: NODE_PORT_RANGE.from, toPort: NODE_PORT_RANGE.to, cidrs: [vpcCidr] },
        ],
      },
    },
  };
}
