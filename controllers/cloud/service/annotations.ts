import type { HealthCheck, LoadBalancerListener } from '../../aws/load-balancers.js';
import type { LoadBalancerScheme } from '../../aws/load-balancer-subnets.js';
import type { AnyObject } from '../../../client/resource.js';

/** The AWS cloud-controller-manager's Service annotations, by the part after the prefix. */
export const ANNOTATION_PREFIX = 'service.beta.kubernetes.io/aws-load-balancer-';
const A = (name: string) => `${ANNOTATION_PREFIX}${name}`;
export const ANNOTATION_TYPE = A('type');
export const ANNOTATION_NLB_TARGET_TYPE = A('nlb-target-type');
export const ANNOTATION_INTERNAL = A('internal');
export const ANNOTATION_SUBNETS = A('subnets');
export const ANNOTATION_ADDITIONAL_TAGS = A('additional-resource-tags');
export const ANNOTATION_TARGET_NODE_LABELS = A('target-node-labels');
export const ANNOTATION_CROSS_ZONE = A('cross-zone-load-balancing-enabled');
export const ANNOTATION_HC_PROTOCOL = A('healthcheck-protocol');
export const ANNOTATION_HC_PORT = A('healthcheck-port');
export const ANNOTATION_HC_PATH = A('healthcheck-path');
export const ANNOTATION_HC_INTERVAL = A('healthcheck-interval');
export const ANNOTATION_HC_TIMEOUT = A('healthcheck-timeout');
export const ANNOTATION_HC_HEALTHY = A('healthcheck-healthy-threshold');
export const ANNOTATION_HC_UNHEALTHY = A('healthcheck-unhealthy-threshold');

/** What the Service's annotations and spec ask of its load balancer, before subnets and nodes are known. */
export interface LoadBalancerSettings {
  scheme: LoadBalancerScheme;
  /** Subnet ids or Name tags from the annotation; undefined means found by tags. */
  subnetNames?: string[];
  tags: Record<string, string>;
  /** Labels a node must carry (with these values) to be a target. */
  targetNodeLabels: Record<string, string>;
  crossZone: boolean;
  healthCheck: HealthCheck;
  listeners: LoadBalancerListener[];
  sourceRanges: string[];
}

/** The Service asks for a kind of load balancer this controller does not make: nothing is made, a Warning says so. */
export class UnsupportedLoadBalancerError extends Error {}

/** `k1=v1,k2=v2` as the AWS cloud-controller-manager reads it: a key without `=` has the empty value. */
export function keyValues(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (value ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i < 0) out[part] = '';
    else out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function parseBool(name: string, value: string): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new Error(`annotation ${name}: ${JSON.stringify(value)} is not a boolean`);
}

function parseInteger(annotations: Record<string, string>, name: string, fallback: number): number {
  const value = annotations[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value.trim())) throw new Error(`annotation ${name}: ${JSON.stringify(value)} is not a whole number`);
  return Number(value.trim());
}

/** Throws UnsupportedLoadBalancerError unless the Service asks for a Network Load Balancer with instance targets (or names no type). */
function checkType(annotations: Record<string, string>): void {
  const type = annotations[ANNOTATION_TYPE];
  if (type === undefined || type === 'nlb') return;
  const target = annotations[ANNOTATION_NLB_TARGET_TYPE];
  const what = type === 'external' ? `"external"${target ? ` with ${ANNOTATION_NLB_TARGET_TYPE} "${target}"` : ''} (the AWS Load Balancer Controller's)` : JSON.stringify(type);
  throw new UnsupportedLoadBalancerError(`${ANNOTATION_TYPE} ${what} is not implemented: this cloud-controller-manager makes Network Load Balancers with instance targets ("nlb", the default); no load balancer is made`);
}

/**
 * The health check, as the AWS cloud-controller-manager builds an NLB's:
 * TCP on the traffic port every 30 s with thresholds of 3; with
 * externalTrafficPolicy Local, HTTP on the healthCheckNodePort at /healthz
 * every 10 s with thresholds of 2 (kube-proxy answers there whether the
 * node has endpoints); the annotations override either.
 */
function healthCheck(svc: AnyObject, annotations: Record<string, string>): HealthCheck {
  const local = svc.spec?.externalTrafficPolicy === 'Local';
  if (local && !svc.spec?.healthCheckNodePort) throw new Error('externalTrafficPolicy is Local but the Service has no healthCheckNodePort');
  const base: HealthCheck = local
    ? { protocol: 'HTTP', port: svc.spec.healthCheckNodePort, path: '/healthz', intervalSeconds: 10, timeoutSeconds: 10, healthyThreshold: 2, unhealthyThreshold: 2 }
    : { protocol: 'TCP', port: 'traffic-port', intervalSeconds: 30, timeoutSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3 };
  const protocol = (annotations[ANNOTATION_HC_PROTOCOL] ?? base.protocol).toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'HTTP' && protocol !== 'HTTPS') throw new Error(`annotation ${ANNOTATION_HC_PROTOCOL}: unsupported health check protocol ${JSON.stringify(annotations[ANNOTATION_HC_PROTOCOL])}`);
  const portValue = annotations[ANNOTATION_HC_PORT];
  let port = base.port;
  if (portValue !== undefined && portValue !== '') {
    if (portValue === 'traffic-port') port = 'traffic-port';
    else if (/^\d+$/.test(portValue) && Number(portValue) >= 1 && Number(portValue) <= 65535) port = Number(portValue);
    else throw new Error(`annotation ${ANNOTATION_HC_PORT}: invalid health check port ${JSON.stringify(portValue)}`);
  }
  return {
    protocol,
    port,
    ...(protocol === 'TCP' ? {} : { path: annotations[ANNOTATION_HC_PATH] || base.path || '/' }),
    intervalSeconds: parseInteger(annotations, ANNOTATION_HC_INTERVAL, base.intervalSeconds),
    timeoutSeconds: parseInteger(annotations, ANNOTATION_HC_TIMEOUT, base.timeoutSeconds),
    healthyThreshold: parseInteger(annotations, ANNOTATION_HC_HEALTHY, base.healthyThreshold),
    unhealthyThreshold: parseInteger(annotations, ANNOTATION_HC_UNHEALTHY, base.unhealthyThreshold),
  };
}

/** One listener per Service port, to its NodePort; protocols an NLB listener of this controller cannot carry fail loudly. */
function listeners(svc: AnyObject): LoadBalancerListener[] {
  const out: LoadBalancerListener[] = [];
  for (const p of svc.spec?.ports ?? []) {
    const protocol = p.protocol ?? 'TCP';
    if (protocol !== 'TCP' && protocol !== 'UDP') throw new Error(`port ${p.port}: protocol ${protocol} is not implemented for Network Load Balancers (TCP and UDP are)`);
    if (!p.nodePort) throw new Error(`port ${p.port} has no nodePort (allocateLoadBalancerNodePorts is false?): instance targets need one`);
    if (out.some((l) => l.port === p.port)) throw new Error(`port ${p.port} is given for both TCP and UDP: a TCP_UDP listener is not implemented`);
    out.push({ port: p.port, protocol, nodePort: p.nodePort });
  }
  return out;
}

/** Reads the Service's load balancer settings; throws for values it cannot use (a Warning event carries the message). */
export function loadBalancerSettings(svc: AnyObject): LoadBalancerSettings {
  const annotations: Record<string, string> = svc.metadata?.annotations ?? {};
  checkType(annotations);
  // As the AWS cloud-controller-manager reads it: anything but "false" (or empty) makes the load balancer internal.
  const internal = annotations[ANNOTATION_INTERNAL];
  const subnets = (annotations[ANNOTATION_SUBNETS] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const crossZone = annotations[ANNOTATION_CROSS_ZONE];
  return {
    scheme: internal !== undefined && internal !== '' && internal !== 'false' ? 'internal' : 'internet-facing',
    subnetNames: subnets.length ? subnets : undefined,
    tags: keyValues(annotations[ANNOTATION_ADDITIONAL_TAGS]),
    targetNodeLabels: keyValues(annotations[ANNOTATION_TARGET_NODE_LABELS]),
    crossZone: crossZone ? parseBool(ANNOTATION_CROSS_ZONE, crossZone) : false,
    healthCheck: healthCheck(svc, annotations),
    listeners: listeners(svc),
    sourceRanges: [...(svc.spec?.loadBalancerSourceRanges ?? [])].map((r: string) => r.trim()).sort(),
  };
}
