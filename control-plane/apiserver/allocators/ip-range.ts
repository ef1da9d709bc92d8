/** An IPv4 CIDR as numbers, for allocating Service ClusterIPs. */
export interface Ipv4Range {
  cidr: string;
  base: number;
  size: number;
}

export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseCidr(cidr: string): Ipv4Range {
  const [ip, bitsText] = cidr.split('/');
  const addr = ipToNumber(ip);
  const bits = Number(bitsText);
  if (addr === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) {
    throw new Error(`invalid service IP range ${JSON.stringify(cidr)}: want an IPv4 CIDR with a prefix between /8 and /30`);
  }
  const size = 2 ** (32 - bits);
  return { cidr, base: addr - (addr % size), size };
}

export function inRange(range: Ipv4Range, ip: string): boolean {
  const n = ipToNumber(ip);
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
  return numberToIp(parseCidr(cidr).base + 1);
}
