import { parseCIDR, parseIP, parseIPv4 } from './validation/ip.js';

/**
 * IP and CIDR arithmetic, as Go's net package and kube's netutils do it:
 * addresses as numbers, networks as a base address and a prefix, printed
 * as Go prints them. Parsing itself is validation/ip.ts's.
 */

export type IPFamily = 4 | 6;

/** A network: its family, its first address as a number, and its prefix length. */
export interface Cidr {
  family: IPFamily;
  base: bigint;
  prefix: number;
}

export const addressBits = (family: IPFamily): number => (family === 4 ? 32 : 128);

const toNumber = (bytes: number[]): bigint => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);

/** An address as a number, with its family (an IPv4-mapped IPv6 address is IPv4); undefined for anything else. */
export function parseAddress(text: string): { family: IPFamily; value: bigint } | undefined {
  const ip = parseIP(text);
  return ip && { family: ip.family, value: toNumber(ip.bytes) };
}

/** A dotted IPv4 address (no IPv6 form of one) as a 32-bit number; undefined for anything else. */
export function ipv4ToNumber(text: string): number | undefined {
  const bytes = parseIPv4(text);
  return bytes && ((bytes[0] * 256 + bytes[1]) * 256 + bytes[2]) * 256 + bytes[3];
}

export function numberToIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Parses a CIDR the way Go's ParseCIDR does: the host bits are dropped (10.1.2.3/16 is 10.1.0.0/16). Undefined when it is not one. */
export function tryParseCidr(text: string): Cidr | undefined {
  const parsed = parseCIDR(text.trim());
  if (!parsed) return undefined;
  const { family, bytes } = parsed.ip;
  return { family, base: maskTo(toNumber(bytes), family, parsed.prefix), prefix: parsed.prefix };
}

/** tryParseCidr, failing with Go's words. */
export function parseCidr(text: string): Cidr {
  const cidr = tryParseCidr(text);
  if (!cidr) throw new Error(`invalid CIDR address: ${text}`);
  return cidr;
}

export function maskTo(address: bigint, family: IPFamily, prefix: number): bigint {
  const hostBits = BigInt(addressBits(family) - prefix);
  return (address >> hostBits) << hostBits;
}

/** The last address of the network. */
export const lastAddress = (c: Cidr): bigint => c.base | ((1n << BigInt(addressBits(c.family) - c.prefix)) - 1n);

/** Whether the network holds `address` (of the same family). */
export const containsAddress = (c: Cidr, address: bigint, family: IPFamily): boolean => family === c.family && maskTo(address, family, c.prefix) === c.base;

/** Whether two networks share any address: one of them holds the other's first address. */
export const overlaps = (a: Cidr, b: Cidr): boolean => containsAddress(a, b.base, b.family) || containsAddress(b, a.base, a.family);

/** The n-th (from 0) subnet of `prefix` bits of the network; undefined when it has fewer. */
export function nthSubnet(c: Cidr, prefix: number, n: number): Cidr | undefined {
  if (prefix < c.prefix || prefix > addressBits(c.family) || !Number.isInteger(n) || n < 0 || n >= 2 ** (prefix - c.prefix)) return undefined;
  return { family: c.family, base: c.base | (BigInt(n) << BigInt(addressBits(c.family) - prefix)), prefix };
}

/** Formats as Go's IPNet.String: dotted IPv4, RFC 5952 IPv6. */
export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.base, c.family)}/${c.prefix}`;
}

/** Formats as Go's IP.String: dotted IPv4, RFC 5952 IPv6 (lower case, the first longest run of two or more zero groups as ::). */
export function formatAddress(address: bigint, family: IPFamily): string {
  if (family === 4) return numberToIPv4(Number(address));
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

/** An IP as Go prints a parsed one (formatAddress of parseAddress), with its family; undefined for anything that is not an IP. */
export function canonicalIP(value: string): { ip: string; family: IPFamily } | undefined {
  const parsed = parseAddress(value);
  return parsed && { ip: formatAddress(parsed.value, parsed.family), family: parsed.family };
}
