import { addressBits, formatAddress, formatCidr, lastAddress, maskTo, nthSubnet, overlaps, type Cidr } from '../../api/net.js';

export const NO_CIDRS_REMAINING = 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';

// kube caps IPv6 at 16 bits of node index (its bitmap is uncompressed); IPv4 is capped here so the bitmap stays a few megabytes.
const maxIndexBits = { 4: 24, 6: 16 } as const;

/**
 * kube's CidrSet: the node-sized blocks of one cluster CIDR, handed out in
 * turn from where the last one was taken (so a released block is reused
 * only after the others), and marked used from existing nodes' podCIDRs.
 */
export class CidrSet {
  readonly maxCidrs: number;
  private readonly used: Uint8Array;
  private allocated = 0;
  private nextCandidate = 0;

  constructor(readonly cluster: Cidr, readonly nodePrefix: number) {
    const indexBits = nodePrefix - cluster.prefix;
    if (indexBits < 0 || nodePrefix > addressBits(cluster.family)) {
      throw new Error(`invalid --cluster-cidr ${formatCidr(cluster)}: its mask size must be less than or equal to the node CIDR mask size (${nodePrefix}) of its family`);
    }
    if (indexBits > maxIndexBits[cluster.family]) {
      throw new Error(`the node CIDR size /${nodePrefix} is too small for cluster CIDR ${formatCidr(cluster)}: at most ${2 ** maxIndexBits[cluster.family]} node CIDRs can be handed out of one range`);
    }
    this.maxCidrs = 2 ** indexBits;
    this.used = new Uint8Array(this.maxCidrs);
  }

  allocateNext(): Cidr {
    if (this.allocated === this.maxCidrs) throw new Error(NO_CIDRS_REMAINING);
    let candidate = this.nextCandidate;
    while (this.used[candidate]) candidate = (candidate + 1) % this.maxCidrs;
    this.nextCandidate = (candidate + 1) % this.maxCidrs;
    this.used[candidate] = 1;
    this.allocated++;
    return this.block(candidate);
  }

  /** Marks every block `cidr` touches as used; marking a used one again changes nothing. */
  occupy(cidr: Cidr): void {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) {
      if (!this.used[i]) {
        this.used[i] = 1;
        this.allocated++;
      }
    }
  }

  release(cidr: Cidr): void {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) {
      if (this.used[i]) {
        this.used[i] = 0;
        this.allocated--;
      }
    }
  }

  private block(index: number): Cidr {
    return nthSubnet(this.cluster, this.nodePrefix, index)!;
  }

  /** The first and last block a CIDR covers: all of them when it holds the whole cluster CIDR. */
  private indices(cidr: Cidr): [number, number] {
    if (!overlaps(this.cluster, cidr)) throw new Error(`cidr ${formatCidr(cidr)} is out the range of cluster cidr ${formatCidr(this.cluster)}`);
    if (cidr.prefix <= this.cluster.prefix) return [0, this.maxCidrs - 1];
    return [this.indexOf(cidr.base), this.indexOf(lastAddress(cidr))];
  }

  private indexOf(address: bigint): number {
    const family = this.cluster.family;
    const index = (maskTo(address, family, this.nodePrefix) ^ this.cluster.base) >> BigInt(addressBits(family) - this.nodePrefix);
    if (index >= BigInt(this.maxCidrs)) throw new Error(`CIDR: ${formatAddress(address, family)}/${this.nodePrefix} is out of the range of CIDR allocator`);
    return Number(index);
  }
}
