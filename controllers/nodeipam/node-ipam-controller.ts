import { formatCidr, overlaps, parseCidr, type Cidr } from '../../api/net.js';
import { isInvalid, isNotFound } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import { logError } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { NODES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerDescriptor, ControllerManagerOptions } from '../controller.js';
import { recordNodeStatusChange } from '../node-events.js';
import { CidrSet } from './cidr-set.js';

// kube's cidrUpdateWorkers.
const workers = 30;

const podCidrsOf = (node: AnyObject | undefined): string[] => (Array.isArray(node?.spec?.podCIDRs) ? node.spec.podCIDRs : []);

/** --cluster-cidr: one CIDR, or two of different families for a dual-stack cluster. */
export function parseClusterCidrs(text: string): Cidr[] {
  const cidrs = text.split(',').map(parseCidr);
  if (cidrs.length > 2) throw new Error(`--cluster-cidr has ${cidrs.length} CIDRs; at most 2 are allowed (one per IP family, for dual-stack)`);
  if (cidrs.length === 2 && cidrs[0].family === cidrs[1].family) throw new Error('--cluster-cidr with two CIDRs must be dual-stack: one IPv4 and one IPv6');
  return cidrs;
}

/**
 * Node CIDR sizes per cluster CIDR, as kube chooses them: --node-cidr-mask-size
 * for a single-stack cluster (24 for IPv4, 64 for IPv6 when unset), the
 * per-family flags for dual-stack, never both.
 */
export function nodeCidrMaskSizes(opts: Pick<ControllerManagerOptions, 'nodeCidrMaskSize' | 'nodeCidrMaskSizeIpv4' | 'nodeCidrMaskSizeIpv6'>, clusterCidrs: Cidr[]): number[] {
  let ipv4 = 24;
  let ipv6 = 64;
  const sized = () => clusterCidrs.map((c) => (c.family === 6 ? ipv6 : ipv4));
  if (clusterCidrs.length > 1) {
    if (opts.nodeCidrMaskSize !== undefined) throw new Error('usage of --node-cidr-mask-size is not allowed with dual-stack clusters');
    ipv4 = opts.nodeCidrMaskSizeIpv4 ?? ipv4;
    ipv6 = opts.nodeCidrMaskSizeIpv6 ?? ipv6;
    return sized();
  }
  if (opts.nodeCidrMaskSize !== undefined) {
    if (opts.nodeCidrMaskSizeIpv4 !== undefined || opts.nodeCidrMaskSizeIpv6 !== undefined) {
      throw new Error('usage of --node-cidr-mask-size-ipv4 and --node-cidr-mask-size-ipv6 is not allowed if --node-cidr-mask-size is set; for dual-stack clusters unset it and use the IP family specific flags');
    }
    return clusterCidrs.map(() => opts.nodeCidrMaskSize!);
  }
  const singleStackIpv6 = clusterCidrs[0].family === 6;
  if (opts.nodeCidrMaskSizeIpv4 !== undefined) {
    if (singleStackIpv6) throw new Error('usage of --node-cidr-mask-size-ipv4 is not allowed for a single-stack IPv6 cluster');
    ipv4 = opts.nodeCidrMaskSizeIpv4;
  }
  if (opts.nodeCidrMaskSizeIpv6 !== undefined) {
    if (!singleStackIpv6) throw new Error('usage of --node-cidr-mask-size-ipv6 is not allowed for a single-stack IPv4 cluster');
    ipv6 = opts.nodeCidrMaskSizeIpv6;
  }
  return sized();
}

/**
 * kube's range allocator (pkg/controller/nodeipam, --allocate-node-cidrs):
 * every node without spec.podCIDRs gets the next free block of each
 * cluster CIDR, written once. What is in use is rebuilt from the nodes
 * themselves (the cache's first list marks every existing podCIDR used
 * before any allocation runs), and a deleted node's blocks are free again.
 */
export class RangeAllocator {
  readonly queue = new WorkQueue<string>();
  /** Blocks taken for a node whose podCIDRs are not written yet. */
  private readonly reserved = new Map<string, Cidr[]>();

  constructor(private readonly client: RestClient, private readonly recorder: EventRecorder, private readonly nodes: Informer, private readonly sets: CidrSet[]) {
    nodes.addEventHandler({
      onAdd: (node) => this.allocateOrOccupyCIDR(node),
      onUpdate: (_old, node) => this.allocateOrOccupyCIDR(node),
      onDelete: (node) => {
        this.releaseCIDR(node.metadata.name!, podCidrsOf(node));
        this.releaseReserved(node.metadata.name!);
      },
    });
  }

  readonly reconcile = async (name: string): Promise<ReconcileResult> => {
    const node = this.nodes.store.get(name);
    if (!node) return this.releaseReserved(name);
    if (podCidrsOf(node).length) return this.occupyCIDRs(name, podCidrsOf(node));
    let cidrs = this.reserved.get(name);
    if (!cidrs) {
      cidrs = [];
      for (const set of this.sets) {
        try {
          cidrs.push(set.allocateNext());
        } catch (err) {
          cidrs.forEach((c, i) => this.sets[i].release(c));
          recordNodeStatusChange(this.recorder, node, 'CIDRNotAvailable');
          throw new Error(`failed to allocate cidr from cluster cidr ${formatCidr(set.cluster)} for node ${name}: ${(err as Error).message}`);
        }
      }
      this.reserved.set(name, cidrs);
    }
    const text = cidrs.map(formatCidr);
    try {
      await this.client.patch(NODES, name, 'merge', { spec: { podCIDR: text[0], podCIDRs: text } });
    } catch (err) {
      // Gone, or its podCIDRs were set meanwhile (they are set once): the reservation is not needed.
      if (isNotFound(err) || isInvalid(err)) return this.releaseReserved(name);
      throw err;
    }
    // The reservation stays until the cache shows the podCIDRs: a sync on the stale node meanwhile writes the same ones again.
  };

  /** kube's AllocateOrOccupyCIDR: a node with podCIDRs holds them; one without waits for an allocation. */
  private allocateOrOccupyCIDR(node: AnyObject): void {
    const cidrs = podCidrsOf(node);
    if (cidrs.length) this.occupyCIDRs(node.metadata.name!, cidrs);
    else this.queue.add(node.metadata.name!);
  }

  /**
   * kube's occupyCIDRs: the node's podCIDRs are what it holds; a reservation
   * for it (the same blocks, or others when someone else set them first) is dropped.
   */
  private occupyCIDRs(name: string, cidrs: string[]): void {
    this.releaseReserved(name);
    this.forEachBlock(name, cidrs, 'occupy', (set, cidr) => set.occupy(cidr));
  }

  /** kube's ReleaseCIDR: a deleted node's blocks are free again. */
  private releaseCIDR(name: string, cidrs: string[]): void {
    this.forEachBlock(name, cidrs, 'release', (set, cidr) => set.release(cidr));
  }

  private releaseReserved(name: string): void {
    this.reserved.get(name)?.forEach((c, i) => this.sets[i].release(c));
    this.reserved.delete(name);
  }

  /** podCIDRs[i] belongs to cluster CIDR i; one that fits nowhere (the cluster CIDR changed) is reported, never fatal. */
  private forEachBlock(name: string, cidrs: string[], what: string, fn: (set: CidrSet, cidr: Cidr) => void): void {
    cidrs.forEach((text, i) => {
      try {
        const set = this.sets[i];
        if (!set) throw new Error(`node ${name} has podCIDR ${text} at index ${i}, which no cluster CIDR covers`);
        fn(set, parseCidr(text));
      } catch (err) {
        logError(err, { controller: 'node-ipam', node: name, phase: `${what} podCIDR ${text}` });
      }
    });
  }
}

export const nodeIpamController: ControllerDescriptor = {
  name: 'node-ipam-controller', aliases: ['nodeipam'], enabledByDefault: true,
  create(ctx) {
    const opts = ctx.options;
    if (!opts.allocateNodeCidrs || !opts.clusterCidr) return [];
    const clusterCidrs = parseClusterCidrs(opts.clusterCidr);
    const masks = nodeCidrMaskSizes(opts, clusterCidrs);
    const sets = clusterCidrs.map((c, i) => new CidrSet(c, masks[i]));
    // Service ClusterIPs never double as pod IPs: blocks a service range touches are never handed out.
    for (const service of (opts.serviceClusterIpRange ?? '').split(',').filter((s) => s.trim()).map(parseCidr)) {
      for (const set of sets) if (overlaps(set.cluster, service)) set.occupy(service);
    }
    const allocator = new RangeAllocator(ctx.client, ctx.recorder('cidrAllocator'), ctx.informers.for(NODES), sets);
    return [{ name: 'node-ipam', queue: allocator.queue, reconcile: allocator.reconcile, workers }];
  },
};
