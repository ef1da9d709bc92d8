import { parseIP } from '../../api/validation/ip.js';

/**
 * An IP as Go prints a parsed one: IPv4 dotted without leading zeros (an
 * IPv4-mapped IPv6 address included), IPv6 in lower case with the longest
 * run of two or more zero groups shortened to "::". Undefined for anything
 * that is not an IP.
 */
export function canonicalIP(value: string): { ip: string; family: 4 | 6 } | undefined {
  const parsed = parseIP(value);
  if (!parsed) return undefined;
  if (parsed.family === 4) return { ip: parsed.bytes.join('.'), family: 4 };
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((parsed.bytes[i] << 8) | parsed.bytes[i + 1]);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return { ip: hex(groups), family: 6 };
  return { ip: `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`, family: 6 };
}
