import { canonicalIP, formatAddress, parseAddress, type IPFamily } from '../api/net.js';

/**
 * How cluster DNS spells addresses inside names, as kube's DNS
 * specification does: an address as one label with dashes for its dots
 * (10-0-0-1) or colons (fd00--1), and the reverse names under in-addr.arpa
 * and ip6.arpa that PTR queries ask for.
 */

/** Lower case, without the leading or trailing dots a name may be written with. */
export const normalizeName = (name: string): string => name.toLowerCase().replace(/^\.+|\.+$/g, '');

/** An address as a single DNS label: dots or colons become dashes. */
export const dashedLabel = (ip: string): string => ip.replace(/[.:]/g, '-');

/** The address a dashed label spells, canonical, with its family; undefined when it spells none. */
export function parseDashedLabel(label: string): { ip: string; family: IPFamily } | undefined {
  if (/^\d{1,3}(-\d{1,3}){3}$/.test(label)) return canonicalIP(label.replace(/-/g, '.'));
  if (!/^[0-9a-f-]+$/.test(label) || !label.includes('-')) return undefined;
  const ip = canonicalIP(label.replace(/-/g, ':'));
  return ip?.family === 6 ? ip : undefined;
}

const IPV4_REVERSE = 'in-addr.arpa';
const IPV6_REVERSE = 'ip6.arpa';

/** Whether a (normalized) name lies under one of the reverse zones. */
export const isReverseName = (name: string): boolean =>
  name === IPV4_REVERSE || name.endsWith(`.${IPV4_REVERSE}`) || name === IPV6_REVERSE || name.endsWith(`.${IPV6_REVERSE}`);

/**
 * The canonical address a complete reverse name stands for (4.3.2.1.in-addr.arpa
 * is 1.2.3.4; ip6.arpa takes all 32 nibbles); undefined for anything else,
 * a partial name (a network) among them.
 */
export function parseReverseName(name: string): string | undefined {
  if (name.endsWith(`.${IPV4_REVERSE}`)) {
    const octets = name.slice(0, -IPV4_REVERSE.length - 1).split('.');
    if (octets.length !== 4 || !octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o))) return undefined;
    return canonicalIP(octets.reverse().join('.'))?.ip;
  }
  if (name.endsWith(`.${IPV6_REVERSE}`)) {
    const nibbles = name.slice(0, -IPV6_REVERSE.length - 1).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    const address = parseAddress(hex.match(/.{4}/g)!.join(':'));
    return address && formatAddress(address.value, address.family);
  }
  return undefined;
}
