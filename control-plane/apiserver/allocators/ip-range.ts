import { ipv4ToNumber, numberToIPv4, tryParseCidr } from '../../../api/net.js';

/** An IPv4 CIDR as numbers, for allocating Service ClusterIPs. */
export interface Ipv4Range {
  cidr: string;
  base: number;
  size: number;
}

/** --service-cluster-ip-range: an IPv4 CIDR between /8 and /30. */
export function parseCidr(cidr: string): Ipv4Range {
  const range = tryParseCidr(cidr);
  if (!range || range.family !== 4 || range.prefix < 8 || range.prefix > 30) {
    throw new Error(`invalid service IP range ${JSON.stringify(cidr)}: want an IPv4 CIDR with a prefix between /8 and /30`);
  }
  return { cidr, base: Number(range.base), size: 2 ** (32 - range.prefix) };
}

/** An address of the range that may be handed out: neither its network nor its broadcast address. */
export function inRange(range: Ipv4Range, ip: string): boolean {
  const n = ipv4ToNumber(ip);
  return n !== undefined && n > range.base && n < range.base + range.size - 1;
}

export interface PortRange {
  text: string;
  min: number;
  max: number;
}

export function parsePortRange(text: string): PortRange {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min < 1 || max > 65535 || min > max) throw new Error(`invalid service node port range ${JSON.stringify(text)}: want MIN-MAX within 1-65535`);
  return { text, min, max };
}

/** The range's first address, which the `kubernetes` Service takes. */
export function firstServiceIp(cidr: string): string {
  return numberToIPv4(parseCidr(cidr).base + 1);
}
