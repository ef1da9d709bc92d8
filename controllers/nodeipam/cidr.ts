import { parseCIDR } from '../../api/validation/ip.js';

/** A network: its family, its first address as a number, and its prefix length. */
export interface Cidr {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

export const addressBits = (family: 4 | 6): number => (family === 4 ? 32 : 128);

/** Parses a CIDR the way Go's ParseCIDR does: the host bits are dropped (10.1.2.3/16 is 10.1.0.0/16). */
export function parseCidr(text: string): Cidr {
  const parsed = parseCIDR(text.trim());
  if (!parsed) throw new Error(`invalid CIDR address: ${text}`);
  const { family, bytes } = parsed.ip;
  const value = bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  return { family, base: maskTo(value, family, parsed.prefix), prefix: parsed.prefix };
}

export function maskTo(address: bigint, family: 4 | 6, prefix: number): bigint {
  const hostBits = BigInt(addressBits(family) - prefix);
  return (address >> hostBits) << hostBits;
}

/** The last address of the network. */
export const lastAddress = (c: Cidr): bigint => c.base | ((1n << BigInt(addressBits(c.family) - c.prefix)) - 1n);

/** Whether the network holds `address` (of the same family). */
export const containsAddress = (c: Cidr, address: bigint, family: 4 | 6): boolean => family === c.family && maskTo(address, family, c.prefix) === c.base;

/** Whether two networks share any address: one of them holds the other's first address. */
export const overlaps = (a: Cidr, b: Cidr): boolean => containsAddress(a, b.base, b.family) || containsAddress(b, a.base, a.family);

/** Formats as Go's IPNet.String: dotted IPv4, RFC 5952 IPv6 (the longest run of two or more zero groups as ::). */
export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.base, c.family)}/${c.prefix}`;
}

export function formatAddress(address: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((address >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((address >> BigInt(112 - 16 * i)) & 0xffffn));
  let runStart = -1;
  let runLength = 0;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > runLength) {
      runStart = i;
      runLength = j - i;
    }
    i = j > i ? j : i + 1;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (runLength < 2) return hex(groups);
  return `${hex(groups.slice(0, runStart))}::${hex(groups.slice(runStart + runLength))}`;
}
