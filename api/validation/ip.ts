import { invalid, type Cause } from './field-errors.js';

/** A parsed address: 4 bytes for IPv4 (IPv4-mapped IPv6 included), 16 for IPv6. */
export interface ParsedIP {
  family: 4 | 6;
  bytes: number[];
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A dotted IPv4 address as its four bytes (leading zeros allowed, as Go's sloppy parser does). */
export function parseIPv4(s: string): number[] | undefined {
  const m = V4.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

function parseV6(s: string): number[] | undefined {
  if (!s.includes(':') || s.includes('%')) return undefined;
  let tail: number[] = [];
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    // Keep a "::" that ends right before the dotted part; drop a lone ':' separator.
    text = s[lastColon - 1] === ':' ? s.slice(0, lastColon + 1) : s.slice(0, lastColon);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const wantGroups = tail.length ? 6 : 8;
  let words: number[];
  if (halves.length === 2) {
    const head = groups(halves[0]);
    const rest = groups(halves[1]);
    if (!head || !rest || head.length + rest.length > wantGroups - 1) return undefined;
    words = [...head, ...Array(wantGroups - head.length - rest.length).fill(0), ...rest];
  } else {
    const all = groups(text);
    if (!all || all.length !== wantGroups) return undefined;
    words = all;
  }
  const bytes: number[] = [];
  for (const w of words) bytes.push(w >> 8, w & 0xff);
  return [...bytes, ...tail];
}

/** Parses an IP the way Go's sloppy parser does (leading zeros allowed in IPv4). */
export function parseIP(value: string): ParsedIP | undefined {
  const v4 = parseIPv4(value);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseV6(value);
  if (!v6 || v6.length !== 16) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? { family: 4, bytes: v6.slice(12) } : { family: 6, bytes: v6 };
}

export const isValidIP = (value: unknown): boolean => typeof value === 'string' && parseIP(value) !== undefined;

/** 4 or 6, or undefined for something that is not an IP. */
export const ipFamily = (value: string): 4 | 6 | undefined => parseIP(value)?.family;

export function validateIP(field: string, value: unknown): Cause[] {
  return isValidIP(value) ? [] : [invalid(field, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

export function parseCIDR(value: string): { ip: ParsedIP; prefix: number } | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(value.slice(0, slash));
  const bits = value.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  const max = value.slice(0, slash).includes(':') ? 128 : 32;
  return prefix <= max ? { ip, prefix } : undefined;
}

export function validateCIDR(field: string, value: unknown): Cause[] {
  return typeof value === 'string' && parseCIDR(value)
    ? []
    : [invalid(field, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/**
 * Addresses that make no sense as a service or endpoint target: unspecified,
 * loopback and link-local ones.
 */
export function validateNonSpecialIP(field: string, value: string): Cause[] {
  const ip = parseIP(value);
  if (!ip) return [invalid(field, value, 'must be a valid IP address')];
  const b = ip.bytes;
  const causes: Cause[] = [];
  if (b.every((x) => x === 0)) causes.push(invalid(field, value, `may not be unspecified (${value})`));
  const loopback = ip.family === 4 ? b[0] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  if (loopback) causes.push(invalid(field, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  const linkLocal = ip.family === 4 ? b[0] === 169 && b[1] === 254 : b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
  if (linkLocal) causes.push(invalid(field, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  const linkLocalMulticast = ip.family === 4 ? b[0] === 224 && b[1] === 0 && b[2] === 0 : b[0] === 0xff && (b[1] & 0x0f) === 0x02;
  if (linkLocalMulticast) causes.push(invalid(field, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return causes;
}
