import { randomInt } from 'node:crypto';
import type { KObject } from '../../../api/kind.js';
import { ipv4ToNumber, numberToIPv4 } from '../../../api/net.js';
import { needsHealthCheckNodePort, wantsClusterIP, wantsNodePorts } from '../../../api/kinds/service.js';
import { invalid } from '../../../api/status.js';
import type { Cause } from '../../../api/validation/field-errors.js';
import { absent, deleteOp, putOp, type EtcdKV } from '../storage/etcd-kv.js';
import type { HookResult, WriteHooks } from '../registry/write-hooks.js';
import { inRange, type Ipv4Range, type PortRange } from './ip-range.js';

export const IP_PREFIX = '/registry/ranges/serviceips/';
export const NODE_PORT_PREFIX = '/registry/ranges/servicenodeports/';

const ipKey = (ip: string) => `${IP_PREFIX}${ip}`;
const portKey = (port: number) => `${NODE_PORT_PREFIX}${port}`;
const owner = (svc: KObject) => `${svc.metadata.namespace}/${svc.metadata.name}`;

interface Claim { key: string; chosen: boolean; cause?: Cause }

/**
 * The size of a range's lower band, kept for values users ask for (KEP-3070
 * for ClusterIPs, KEP-3668 for NodePorts): a `step`th of the range, at least
 * `min` and at most `max`, none for a range of `min` or fewer.
 */
function staticBand(size: number, min: number, max: number, step: number): number {
  if (size <= min) return 0;
  return Math.min(max, Math.max(min, Math.floor(size / step)));
}

/** Where picking looks, as offsets [from, to) into the range: the upper band first, then the lower one. */
function bandsOf(offset: number, first: number, end: number): Array<[number, number]> {
  return [[Math.max(first, offset), end] as [number, number], [first, Math.max(first, offset)] as [number, number]].filter(([from, to]) => to > from);
}

/**
 * ClusterIPs and NodePorts are claimed as etcd keys in the same transaction
 * that writes the Service, so a crash can neither lose nor leak one, and the
 * claims outlive an API server restart.
 */
export function serviceAllocations(kv: EtcdKV, ipRange: Ipv4Range, ports: PortRange): WriteHooks {
  /** Values the user asked for, remembered across retries of one write. */
  const requested = new WeakMap<KObject, { ip?: string; nodePorts: Array<number | undefined>; healthCheckNodePort?: number }>();

  const remember = (svc: KObject) => {
    if (!requested.has(svc)) {
      requested.set(svc, {
        ip: svc.spec?.clusterIP || undefined,
        nodePorts: (svc.spec?.ports ?? []).map((p: KObject) => p.nodePort || undefined),
        healthCheckNodePort: svc.spec?.healthCheckNodePort || undefined,
      });
    }
    return requested.get(svc)!;
  };

  async function pickIp(): Promise<string> {
    // Offsets 2 to size-2: the network address, the kubernetes Service's first address and the broadcast one are never picked.
    const offset = staticBand(ipRange.size, 16, 256, 16);
    for (const [from, to] of bandsOf(Math.max(2, offset), 2, ipRange.size - 1)) {
      for (let i = 0; i < 64; i++) {
        const ip = numberToIPv4(ipRange.base + from + randomInt(to - from));
        if (!(await kv.get(ipKey(ip)))) return ip;
      }
    }
    throw invalid('Service', '', '', [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `spec.clusterIPs: Internal error: failed to allocate a serviceIP: range is full` }]);
  }

  async function pickPort(taken: Set<number>): Promise<number> {
    const size = ports.max - ports.min + 1;
    for (const [from, to] of bandsOf(staticBand(size, 16, 128, 32), 0, size)) {
      for (let i = 0; i < 128; i++) {
        const port = ports.min + from + randomInt(to - from);
        if (!taken.has(port) && !(await kv.get(portKey(port)))) return port;
      }
    }
    throw invalid('Service', '', '', [{ reason: 'FieldValueInvalid', field: 'spec.ports', message: `spec.ports: Internal error: failed to allocate a nodePort: range is full` }]);
  }

  async function claimIp(svc: KObject, wanted: string | undefined): Promise<Claim> {
    if (wanted) {
      if (ipv4ToNumber(wanted) !== undefined && !inRange(ipRange, wanted)) {
        return { key: ipKey(wanted), chosen: false, cause: { reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `spec.clusterIPs: Invalid value: [${JSON.stringify(wanted)}]: failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${ipRange.cidr}` } };
      }
      return { key: ipKey(wanted), chosen: false, cause: { reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `spec.clusterIPs: Invalid value: [${JSON.stringify(wanted)}]: failed to allocate IP ${wanted}: provided IP is already allocated` } };
    }
    const ip = await pickIp();
    svc.spec.clusterIP = ip;
    svc.spec.clusterIPs = [ip];
    return { key: ipKey(ip), chosen: true };
  }

  /** Node ports for the Service's ports: `keep` are already its own; `avoid` (a health check port asked for) are never picked. */
  async function claimPorts(svc: KObject, wanted: Array<number | undefined>, keep: Set<number>, avoid: Set<number>): Promise<Claim[]> {
    const claims: Claim[] = [];
    const taken = new Set<number>([...keep, ...avoid]);
    for (const [i, port] of (svc.spec.ports ?? []).entries()) {
      const asked = wanted[i];
      if (asked && keep.has(asked)) {
        port.nodePort = asked;
        continue;
      }
      if (asked) {
        const field = `spec.ports[${i}].nodePort`;
        const cause = asked < ports.min || asked > ports.max
          ? { reason: 'FieldValueInvalid', field, message: `${field}: Invalid value: ${asked}: provided port is not in the valid range. The range of valid ports is ${ports.text}` }
          : { reason: 'FieldValueInvalid', field, message: `${field}: Invalid value: ${asked}: provided port is already allocated` };
        claims.push({ key: portKey(asked), chosen: false, cause });
        taken.add(asked);
        port.nodePort = asked;
      } else {
        const picked = await pickPort(taken);
        taken.add(picked);
        port.nodePort = picked;
        claims.push({ key: portKey(picked), chosen: true });
      }
    }
    return claims;
  }

  /**
   * The health check node port of a LoadBalancer Service with
   * externalTrafficPolicy Local, from the node port range as kube-apiserver
   * takes it: the one asked for, else a free one the Service's own node ports
   * do not use.
   */
  async function claimHealthCheckPort(svc: KObject, asked: number | undefined): Promise<Claim> {
    if (asked) {
      const field = 'spec.healthCheckNodePort';
      svc.spec.healthCheckNodePort = asked;
      const cause = asked < ports.min || asked > ports.max
        ? { reason: 'FieldValueInvalid', field, message: `${field}: Invalid value: ${asked}: provided port is not in the valid range. The range of valid ports is ${ports.text}` }
        : { reason: 'FieldValueInvalid', field, message: `${field}: Invalid value: ${asked}: provided port is already allocated` };
      return { key: portKey(asked), chosen: false, cause };
    }
    const picked = await pickPort(new Set(heldPorts(svc)));
    svc.spec.healthCheckNodePort = picked;
    return { key: portKey(picked), chosen: true };
  }

  /**
   * Immediate errors for out-of-range requests and for one port asked twice
   * (a node port and the health check port); guards and puts for the rest. A
   * port released and claimed again in one write stays the Service's.
   */
  function toExtras(svc: KObject, allClaims: Claim[], allReleases: string[]): HookResult {
    const outOfRange = allClaims.filter((c) => c.cause && /not in the valid range/.test(c.cause.message));
    if (outOfRange.length) throw invalid('Service', '', svc.metadata.name, outOfRange.map((c) => c.cause!));
    const seen = new Set<string>();
    const twice = new Set(allClaims.filter((c) => (seen.has(c.key) ? true : (seen.add(c.key), false))).map((c) => c.key));
    if (twice.size) throw invalid('Service', '', svc.metadata.name, allClaims.filter((c) => twice.has(c.key) && c.cause).map((c) => c.cause!));
    const kept = new Set(allReleases.filter((k) => seen.has(k)));
    const claims = allClaims.filter((c) => !kept.has(c.key));
    const releases = allReleases.filter((k) => !kept.has(k));
    const fixed = claims.filter((c) => !c.chosen);
    return {
      compares: claims.map((c) => absent(c.key)),
      ops: [...claims.map((c) => putOp(c.key, owner(svc))), ...releases.map(deleteOp)],
      conflict: fixed.length ? () => invalid('Service', '', svc.metadata.name, fixed.map((c) => c.cause!)) : undefined,
    };
  }

  const heldPorts = (svc: KObject): number[] =>
    wantsNodePorts(svc) ? (svc.spec?.ports ?? []).map((p: KObject) => p.nodePort).filter((p: unknown): p is number => typeof p === 'number' && p > 0) : [];
  const heldHealthCheckPort = (svc: KObject): number | undefined =>
    needsHealthCheckNodePort(svc) && typeof svc.spec?.healthCheckNodePort === 'number' && svc.spec.healthCheckNodePort > 0 ? svc.spec.healthCheckNodePort : undefined;
  const heldIp = (svc: KObject): string | undefined =>
    wantsClusterIP(svc) && ipv4ToNumber(svc.spec?.clusterIP ?? '') !== undefined ? svc.spec.clusterIP : undefined;

  return {
    async create(svc) {
      const asked = remember(svc);
      const claims: Claim[] = [];
      if (wantsClusterIP(svc)) claims.push(await claimIp(svc, asked.ip));
      else if (svc.spec?.clusterIP === 'None') svc.spec.clusterIPs = ['None'];
      const avoid = new Set(needsHealthCheckNodePort(svc) && asked.healthCheckNodePort ? [asked.healthCheckNodePort] : []);
      if (wantsNodePorts(svc)) claims.push(...(await claimPorts(svc, asked.nodePorts, new Set(), avoid)));
      else for (const p of svc.spec?.ports ?? []) delete p.nodePort;
      if (needsHealthCheckNodePort(svc)) claims.push(await claimHealthCheckPort(svc, asked.healthCheckNodePort));
      return toExtras(svc, claims, []);
    },

    async update(svc, old) {
      const asked = remember(svc);
      const claims: Claim[] = [];
      const releases: string[] = [];
      const oldIp = heldIp(old);
      if (wantsClusterIP(svc)) {
        if (!svc.spec.clusterIP && oldIp) {
          svc.spec.clusterIP = oldIp;
          svc.spec.clusterIPs = [oldIp];
        } else if (!oldIp || svc.spec.clusterIP !== oldIp) {
          claims.push(await claimIp(svc, asked.ip && asked.ip !== oldIp ? asked.ip : undefined));
        }
      }
      const newIp = heldIp(svc);
      if (oldIp && oldIp !== newIp) releases.push(ipKey(oldIp));
      const oldPorts = new Set(heldPorts(old));
      if (wantsNodePorts(svc)) {
        // A port that names no nodePort keeps the one it had, as Kubernetes does.
        const wanted = (svc.spec.ports ?? []).map((p: KObject, i: number) =>
          asked.nodePorts[i] ?? (old.spec?.ports ?? []).find((o: KObject) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort);
        const healthPorts = [heldHealthCheckPort(old), needsHealthCheckNodePort(svc) ? asked.healthCheckNodePort : undefined];
        claims.push(...(await claimPorts(svc, wanted, oldPorts, new Set(healthPorts.filter((p): p is number => !!p)))));
      } else {
        for (const p of svc.spec?.ports ?? []) delete p.nodePort;
      }
      const newPorts = new Set(heldPorts(svc));
      for (const p of oldPorts) if (!newPorts.has(p)) releases.push(portKey(p));
      // Validation keeps a held health check port unchanged; one newly needed is claimed.
      const oldHealthCheckPort = heldHealthCheckPort(old);
      if (needsHealthCheckNodePort(svc) && !oldHealthCheckPort) claims.push(await claimHealthCheckPort(svc, asked.healthCheckNodePort));
      if (oldHealthCheckPort && heldHealthCheckPort(svc) !== oldHealthCheckPort) releases.push(portKey(oldHealthCheckPort));
      return toExtras(svc, claims, releases);
    },

    async delete(old) {
      const healthCheckPort = heldHealthCheckPort(old);
      const keys = [...(heldIp(old) ? [ipKey(heldIp(old)!)] : []), ...heldPorts(old).map(portKey), ...(healthCheckPort ? [portKey(healthCheckPort)] : [])];
      return { ops: keys.map(deleteOp) };
    },
  };
}
