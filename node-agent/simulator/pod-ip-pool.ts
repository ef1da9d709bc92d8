import { ipv4ToNumber, numberToIPv4, tryParseCidr } from '../../api/net.js';

/**
 * Pod IPs of one node's range, as the host-local CNI plugin hands them out:
 * the first free address after the gateway (.1), remembered per pod uid.
 */
export class PodIpPool {
  private readonly base: number;
  private readonly size: number;
  private readonly byPod = new Map<string, string>();
  private readonly used = new Set<number>();
  private next = 2;

  constructor(readonly cidr: string) {
    const range = tryParseCidr(cidr);
    if (!range || range.family !== 4 || range.prefix < 8 || range.prefix > 30) throw new Error(`invalid pod CIDR ${JSON.stringify(cidr)}: want IPv4 between /8 and /30`);
    this.size = 2 ** (32 - range.prefix);
    this.base = Number(range.base);
  }

  /** The pod's address, allocating one if it has none yet; undefined when the range is full. */
  assign(podUid: string): string | undefined {
    const known = this.byPod.get(podUid);
    if (known) return known;
    for (let tries = 0; tries < this.size - 3; tries++) {
      const offset = this.next;
      this.next = this.next + 1 >= this.size - 1 ? 2 : this.next + 1;
      if (this.used.has(offset)) continue;
      this.used.add(offset);
      const ip = numberToIPv4(this.base + offset);
      this.byPod.set(podUid, ip);
      return ip;
    }
    return undefined;
  }

  /** Records an address a pod already has (after a restart of the simulator). */
  adopt(podUid: string, ip: string): void {
    const n = ipv4ToNumber(ip);
    if (n === undefined || n <= this.base || n >= this.base + this.size - 1) return;
    this.used.add(n - this.base);
    this.byPod.set(podUid, ip);
  }

  release(podUid: string): void {
    const ip = this.byPod.get(podUid);
    if (!ip) return;
    this.byPod.delete(podUid);
    this.used.delete(ipv4ToNumber(ip)! - this.base);
  }
}
