import { canonicalIP } from '../api/net.js';
import type { Taint } from '../api/taints.js';

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** --node-labels: `key=value,key2=value2`, as the kubelet reads it. */
export function parseNodeLabels(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) throw new Error(`--node-labels: "${item}" is not key=value`);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

/** --register-with-taints: `key=value:Effect` or `key:Effect`, as the kubelet reads it. */
export function parseTaints(items: string[]): Taint[] {
  return items.map((item) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(.+)$/.exec(item);
    if (!m) throw new Error(`--register-with-taints: "${item}" is not key=value:Effect`);
    if (!EFFECTS.includes(m[3])) throw new Error(`--register-with-taints: "${item}": the effect must be one of ${EFFECTS.join(', ')}`);
    return { key: m[1], ...(m[2] ? { value: m[2] } : {}), effect: m[3] } as Taint;
  });
}

/** --cluster-dns: IP addresses, as the kubelet takes them (it writes them as Go prints an IP). */
export function parseClusterDNS(items: string[]): string[] {
  return items.map((item) => {
    const ip = canonicalIP(item);
    if (!ip) throw new Error(`--cluster-dns: "${item}" is not an IP address`);
    return ip.ip;
  });
}
