import type { Kind, KObject } from '../kind.js';
import { ageColumn, nameColumn } from '../printers.js';
import { arr, bool, enumOf, int32, int64, intOrString, keyedList, map, named, obj, str, time } from '../schema.js';
import { typeMeta } from '../object-meta.js';
import { deepEqual } from '../deep-equal.js';
import { duplicate, forbidden, invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { dns1035Label, dns1123Label, dns1123Subdomain, labels, qualifiedName } from '../validation/names.js';
import { ipFamily, parseIP, validateCIDR, validateIP, validateNonSpecialIP } from '../validation/ip.js';
import { PORT_PROTOCOLS, validatePortNum, validatePortNumOrName, validateProtocol } from '../validation/ports.js';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const LB_IP_MODES = ['Proxy', 'VIP'];
const TRAFFIC_DISTRIBUTIONS = ['PreferClose'];
/** ClientIP affinity lasts three hours unless told otherwise, and at most a day. */
export const DEFAULT_AFFINITY_SECONDS = 10800;
const MAX_AFFINITY_SECONDS = 86400;
const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

/** metav1.Condition, shared by several status types. */
export const condition = named('io.k8s.apimachinery.pkg.apis.meta.v1.Condition', obj({
  type: str('The kind of condition, in CamelCase (e.g. Available).'),
  status: enumOf(['True', 'False', 'Unknown'], 'Whether the condition holds: True, False or Unknown.'),
  observedGeneration: int64('The metadata.generation the condition was computed from.'),
  lastTransitionTime: time('When the condition last changed status.'),
  reason: str('A CamelCase machine-readable word explaining the last transition.'),
  message: str('A human-readable account of the last transition.'),
}, { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'], description: 'One aspect of an object\'s current state.' }));

const servicePort = named('io.k8s.api.core.v1.ServicePort', obj({
  name: str('Name of this port inside the service; a DNS label, required when the service has several ports. Endpoints ports carry the same name.'),
  protocol: enumOf(PORT_PROTOCOLS, 'IP protocol of the port: TCP (default), UDP or SCTP.'),
  appProtocol: str('Application protocol spoken on the port, as a hint for implementations (an IANA name or a prefixed name such as example.com/proto).'),
  port: int32('Port the service exposes.'),
  targetPort: intOrString('Port number or named container port the traffic is sent to on the selected pods; defaults to `port`.'),
  nodePort: int32('Port opened on every node for NodePort and LoadBalancer services; picked by the system from the node port range when left empty.'),
}, { required: ['port'], description: 'One port a service exposes.' }));

const sessionAffinityConfig = named('io.k8s.api.core.v1.SessionAffinityConfig', obj({
  clientIP: named('io.k8s.api.core.v1.ClientIPConfig', obj({
    timeoutSeconds: int32('How long, in seconds, a client sticks to the same backend: 1 to 86400, 10800 by default.'),
  }, { description: 'Settings of ClientIP session affinity.' })),
}, { description: 'Settings of session affinity.' }));

const serviceSpec = named('io.k8s.api.core.v1.ServiceSpec', obj({
  ports: keyedList(servicePort, 'port', 'Ports the service exposes.', ['port', 'protocol']),
  selector: map(str(), 'Label query over pods; traffic goes to the pods whose labels match. Without a selector the endpoints are managed by hand.'),
  clusterIP: str('Virtual IP of the service, normally allocated by the system. "None" makes the service headless. Immutable once set, except when switching to or from ExternalName.'),
  clusterIPs: arr(str(), { listType: 'atomic', description: 'The virtual IPs of the service, one per IP family; the first one equals clusterIP.' }),
  type: enumOf(SERVICE_TYPES, 'How the service is exposed: ClusterIP (default, inside the cluster), NodePort (also on a port of every node), LoadBalancer (also through an external load balancer) or ExternalName (a DNS alias).'),
  externalIPs: arr(str(), { listType: 'atomic', description: 'Extra IPs, not managed by Kubernetes, on which nodes accept traffic for the service.' }),
  sessionAffinity: enumOf(SESSION_AFFINITIES, 'ClientIP keeps a client on the same backend; None (default) does not.'),
  loadBalancerIP: str('Deprecated: an IP the load balancer should use, where the provider supports it.'),
  loadBalancerSourceRanges: arr(str(), { listType: 'atomic', description: 'CIDRs allowed to reach a LoadBalancer service, where the provider supports it.' }),
  externalName: str('DNS name the service is an alias for (a CNAME); requires type ExternalName.'),
  externalTrafficPolicy: enumOf(TRAFFIC_POLICIES, 'How traffic from outside reaches the endpoints: Cluster (default, any endpoint) or Local (only endpoints on the receiving node, keeping the client IP).'),
  healthCheckNodePort: int32('Node port answering health checks for LoadBalancer services with externalTrafficPolicy Local; allocated when left empty.'),
  publishNotReadyAddresses: bool('List endpoints of pods that are not ready, too.'),
  sessionAffinityConfig,
  ipFamilies: arr(enumOf(IP_FAMILIES), { listType: 'atomic', description: 'IP families (IPv4, IPv6) of the service, in the order of clusterIPs.' }),
  ipFamilyPolicy: enumOf(IP_FAMILY_POLICIES, 'SingleStack, PreferDualStack or RequireDualStack.'),
  allocateLoadBalancerNodePorts: bool('Whether LoadBalancer services get node ports allocated automatically (default true).'),
  loadBalancerClass: str('Which load balancer implementation handles this LoadBalancer service; immutable once set.'),
  internalTrafficPolicy: enumOf(TRAFFIC_POLICIES, 'How traffic from inside the cluster reaches the endpoints: Cluster (default) or Local (only endpoints on the same node).'),
  trafficDistribution: str('A preference for how traffic is spread over the endpoints, e.g. PreferClose.'),
}, { description: 'The desired behaviour of a service.' }));

const loadBalancerIngress = named('io.k8s.api.core.v1.LoadBalancerIngress', obj({
  ip: str('IP of a load-balancer ingress point.'),
  hostname: str('DNS name of a load-balancer ingress point.'),
  ipMode: enumOf(LB_IP_MODES, 'VIP: traffic arrives at the node addressed to the load balancer IP; Proxy: addressed to the node.'),
  ports: arr(named('io.k8s.api.core.v1.PortStatus', obj({
    port: int32('Port number of the service port.'),
    protocol: enumOf(PORT_PROTOCOLS, 'Protocol of the service port.'),
    error: str('Why the port could not be set up, as a CamelCase reason, if it failed.'),
  }, { required: ['port', 'protocol'], description: 'Status of one service port.' })), { listType: 'atomic', description: 'Status of each service port on this ingress point.' }),
}, { description: 'An ingress point of a load balancer.' }));

export const loadBalancerStatus = named('io.k8s.api.core.v1.LoadBalancerStatus', obj({
  ingress: arr(loadBalancerIngress, { listType: 'atomic', description: 'Ingress points of the load balancer.' }),
}, { description: 'Status of a load balancer.' }));

const serviceStatus = named('io.k8s.api.core.v1.ServiceStatus', obj({
  loadBalancer: loadBalancerStatus,
  conditions: keyedList(condition, 'type', 'Current conditions of the service.'),
}, { description: 'The observed state of a service.' }));

// ---- helpers the API server needs ----------------------------------------

const specOf = (svc: KObject): KObject => svc.spec ?? {};

/** Whether the service needs a cluster IP allocated: not ExternalName, not headless. */
export function wantsClusterIP(svc: KObject): boolean {
  const spec = specOf(svc);
  return spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
}

/** Whether the server should allocate node ports for ports that have none. */
export function wantsNodePorts(svc: KObject): boolean {
  const spec = specOf(svc);
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** Whether the service needs a health check node port (LoadBalancer with externalTrafficPolicy Local). */
export function needsHealthCheckNodePort(svc: KObject): boolean {
  const spec = specOf(svc);
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

/** Reachable from outside the cluster: NodePort, LoadBalancer, or ClusterIP with externalIPs. */
export function externallyAccessible(svc: KObject): boolean {
  const spec = specOf(svc);
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
}

const isHeadless = (svc: KObject): boolean => {
  const ips = specOf(svc).clusterIPs;
  return Array.isArray(ips) && ips.length === 1 && ips[0] === 'None';
};

const hasClusterIPSlot = (svc: KObject): boolean => specOf(svc).type !== 'ExternalName';
const hasNodePortSlot = (svc: KObject): boolean => ['NodePort', 'LoadBalancer'].includes(specOf(svc).type);

/**
 * The parts of Kubernetes' service update strategy that come before
 * validation: values the client left out are carried over from the stored
 * object (cluster IPs, node ports, health check port), and fields the new
 * type no longer uses are dropped when the client did not touch them.
 * The store runs it on every update before defaults and validation; it is idempotent.
 */
export function prepareServiceUpdate(svc: KObject, old: KObject): void {
  svc.spec ??= {};
  const spec = svc.spec;
  const oldSpec = specOf(old);
  // A changed clusterIP with untouched clusterIPs means the client meant the primary IP.
  if (spec.type !== 'ExternalName' && (spec.clusterIP ?? '') !== (oldSpec.clusterIP ?? '') && deepEqual(spec.clusterIPs ?? [], oldSpec.clusterIPs ?? [])) {
    if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
    else delete spec.clusterIPs;
  }
  // Carry over what the server allocated.
  if (hasClusterIPSlot(old) && hasClusterIPSlot(svc)) {
    if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if (!spec.clusterIPs?.length && oldSpec.clusterIPs?.length) spec.clusterIPs = [...oldSpec.clusterIPs];
  }
  if (hasNodePortSlot(old) && hasNodePortSlot(svc)) {
    const usedByNew = new Set((spec.ports ?? []).map((p: KObject) => p.nodePort).filter(Boolean));
    const byName = new Map<string, number>((oldSpec.ports ?? []).map((p: KObject) => [p.name ?? '', p.nodePort]));
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const previous = byName.get(p.name ?? '');
      if (previous && !usedByNew.has(previous)) {
        p.nodePort = previous;
        usedByNew.add(previous);
      }
    }
  }
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(svc) && !spec.healthCheckNodePort && oldSpec.healthCheckNodePort) {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
  // Drop what the new type no longer uses, unless the client changed it too.
  if (hasClusterIPSlot(old) && !hasClusterIPSlot(svc)) {
    if (deepEqual(spec.clusterIP ?? '', oldSpec.clusterIP ?? '') && deepEqual(spec.clusterIPs ?? [], oldSpec.clusterIPs ?? [])) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (deepEqual(spec.ipFamilies ?? [], oldSpec.ipFamilies ?? [])) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === oldSpec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (hasNodePortSlot(old) && !hasNodePortSlot(svc)) {
    const oldPorts = new Set((oldSpec.ports ?? []).map((p: KObject) => p.nodePort).filter(Boolean));
    if ((spec.ports ?? []).every((p: KObject) => !p.nodePort || oldPorts.has(p.nodePort))) {
      for (const p of spec.ports ?? []) delete p.nodePort;
    }
  }
  if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (spec.loadBalancerClass === oldSpec.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(svc) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) {
    delete spec.healthCheckNodePort;
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) {
    delete spec.externalTrafficPolicy;
  }
  if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer' && svc.status) svc.status.loadBalancer = {};
}

// ---- validation ------------------------------------------------------------

function validatePort(port: KObject, i: number, requireName: boolean, names: Set<string>): Cause[] {
  const path = `spec.ports[${i}]`;
  const causes: Cause[] = [];
  if (requireName && !port.name) causes.push(required(`${path}.name`));
  else if (port.name) {
    causes.push(...dns1123Label(`${path}.name`, port.name));
    if (names.has(port.name)) causes.push(duplicate(`${path}.name`, port.name));
    names.add(port.name);
  }
  causes.push(...validatePortNum(`${path}.port`, port.port ?? 0));
  causes.push(...validateProtocol(`${path}.protocol`, port.protocol));
  causes.push(...validatePortNumOrName(`${path}.targetPort`, port.targetPort));
  if (port.appProtocol !== undefined) causes.push(...qualifiedName(`${path}.appProtocol`, port.appProtocol));
  return causes;
}

function validateClusterIPs(svc: KObject): Cause[] {
  const spec = specOf(svc);
  if (spec.type === 'ExternalName') return [];
  const causes: Cause[] = [];
  const ips: string[] = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (!ips.length) causes.push(required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) causes.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length) {
    causes.push(invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f: string, i: number) => {
    if (!IP_FAMILIES.includes(f)) causes.push(notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    if (seen.has(f)) causes.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy !== undefined && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    causes.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        causes.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      }
      return;
    }
    const bad = validateIP(`spec.clusterIPs[${i}]`, ip);
    if (bad.length) badIPs = true;
    causes.push(...bad);
  });
  if (ips.length > 2) causes.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (badIPs) return causes;
  if (ips.length > 1 && new Set(ips.map(ipFamily)).size !== ips.length) {
    causes.push(invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(svc) && ips.length && spec.ipFamilies?.length) {
    ips.forEach((ip, i) => {
      const fam = spec.ipFamilies[i];
      if (fam === 'IPv4' && ipFamily(ip) === 6) causes.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fam === 'IPv6' && ipFamily(ip) !== 6) causes.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return causes;
}

function validateUpgradeDowngrade(svc: KObject, old: KObject): Cause[] {
  const spec = specOf(svc);
  const oldSpec = specOf(old);
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  const causes: Cause[] = [];
  const headless = isHeadless(svc);
  const oldHeadless = isHeadless(old);
  const ips: string[] = spec.clusterIPs ?? [];
  const oldIPs: string[] = oldSpec.clusterIPs ?? [];
  if (!(headless && oldHeadless)) {
    if (ips.length === oldIPs.length) {
      oldIPs.forEach((ip, i) => {
        if (ip !== ips[i]) causes.push(invalid(`spec.clusterIPs[${i}]`, ips, 'may not change once set'));
      });
    } else if (oldIPs.length > ips.length) {
      if (!ips.length) causes.push(invalid('spec.clusterIPs[0]', ips, 'primary clusterIP can not be unset'));
      if (ips.length && ips[0] !== oldIPs[0]) causes.push(invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
      if (ips.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
        causes.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (oldIPs.length && ips[0] !== oldIPs[0]) {
      causes.push(invalid('spec.clusterIPs[0]', ips, 'may not change once set'));
    }
  }
  if (headless === oldHeadless && !headless) {
    const fams: string[] = spec.ipFamilies ?? [];
    const oldFams: string[] = oldSpec.ipFamilies ?? [];
    if (fams.length === oldFams.length) {
      if (oldFams.some((f, i) => f !== fams[i])) causes.push(invalid('spec.ipFamilies[0]', fams, 'may not change once set'));
    } else if (oldFams.length > fams.length) {
      if (!ips.length) causes.push(invalid('spec.ipFamilies[0]', fams, 'primary ipFamily can not be unset'));
      if (fams.length && fams[0] !== oldFams[0]) causes.push(invalid('spec.ipFamilies[0]', ips, 'may not change once set'));
      if (fams.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
        causes.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
      }
    } else if (oldFams.length && fams.length && fams[0] !== oldFams[0]) {
      causes.push(invalid('spec.ipFamilies[0]', ips, 'may not change once set'));
    }
  }
  return causes;
}

function validateLoadBalancerStatus(svc: KObject): Cause[] {
  const ingress: KObject[] = svc.status?.loadBalancer?.ingress ?? [];
  if (!ingress.length) return [];
  if (specOf(svc).type !== 'LoadBalancer') return [forbidden('status.loadBalancer.ingress', "may only be used when `spec.type` is 'LoadBalancer'")];
  const causes: Cause[] = [];
  ingress.forEach((ing, i) => {
    const path = `status.loadBalancer.ingress[${i}]`;
    if (ing.ip) causes.push(...validateIP(`${path}.ip`, ing.ip));
    if (ing.ipMode !== undefined && !ing.ip) causes.push(forbidden(`${path}.ipMode`, 'must not be specified when `ip` is not'));
    else if (ing.ipMode !== undefined && !LB_IP_MODES.includes(ing.ipMode)) causes.push(notSupported(`${path}.ipMode`, ing.ipMode, LB_IP_MODES));
    else if (ing.ipMode === undefined && ing.ip) causes.push(required(`${path}.ipMode`, 'must be specified when `ip` is set'));
    if (ing.hostname) {
      causes.push(...dns1123Subdomain(`${path}.hostname`, ing.hostname));
      if (parseIP(ing.hostname)) causes.push(invalid(`${path}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return causes;
}

function validateService(svc: KObject, old?: KObject): Cause[] {
  const spec = specOf(svc);
  const ports: KObject[] = spec.ports ?? [];
  const causes: Cause[] = [];
  const headless = isHeadless(svc);

  if (old) {
    causes.push(...validateUpgradeDowngrade(svc, old));
    const oldSpec = specOf(old);
    if (oldSpec.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && spec.loadBalancerClass !== oldSpec.loadBalancerClass) {
      causes.push(invalid('spec.loadBalancerClass', spec.loadBalancerClass ?? null, 'may not change once set'));
    }
    if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(svc) && spec.healthCheckNodePort !== oldSpec.healthCheckNodePort) {
      causes.push(forbidden('spec.healthCheckNodePort', 'field is immutable'));
    }
  }

  if (!ports.length && !headless && spec.type !== 'ExternalName') causes.push(required('spec.ports'));
  switch (spec.type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (headless) causes.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
      break;
    case 'ExternalName': {
      if (spec.clusterIPs?.length) causes.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if (spec.ipFamilies?.length) causes.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined) causes.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = typeof spec.externalName === 'string' ? spec.externalName.replace(/\.$/, '') : '';
      causes.push(...(cname ? dns1123Subdomain('spec.externalName', cname) : [required('spec.externalName')]));
      break;
    }
  }

  const names = new Set<string>();
  ports.forEach((p, i) => causes.push(...validatePort(p, i, ports.length > 1, names)));
  if (spec.selector) causes.push(...labels('spec.selector', spec.selector));

  if (!spec.sessionAffinity) causes.push(required('spec.sessionAffinity'));
  else if (!SESSION_AFFINITIES.includes(spec.sessionAffinity)) causes.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, SESSION_AFFINITIES));
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = spec.sessionAffinityConfig;
    const why = 'when session affinity type is ClientIP';
    if (!cfg) causes.push(required('spec.sessionAffinityConfig', why));
    else if (!cfg.clientIP) causes.push(required('spec.sessionAffinityConfig.clientIP', why));
    else if (cfg.clientIP.timeoutSeconds === undefined) causes.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', why));
    else if (!(cfg.clientIP.timeoutSeconds > 0 && cfg.clientIP.timeoutSeconds <= MAX_AFFINITY_SECONDS)) {
      causes.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', cfg.clientIP.timeoutSeconds, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`));
    }
  } else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    causes.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }

  causes.push(...validateClusterIPs(svc));

  (spec.externalIPs ?? []).forEach((ip: string, i: number) => {
    const bad = validateIP(`spec.externalIPs[${i}]`, ip);
    causes.push(...(bad.length ? bad : validateNonSpecialIP(`spec.externalIPs[${i}]`, ip)));
  });

  if (!spec.type) causes.push(required('spec.type'));
  else if (!SERVICE_TYPES.includes(spec.type)) causes.push(notSupported('spec.type', spec.type, SERVICE_TYPES));

  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p.nodePort) causes.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) causes.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (portKeys.has(key)) causes.push(duplicate(`spec.ports[${i}]`, { port: p.port, protocol: p.protocol }));
    portKeys.add(key);
  });

  const ranges: string[] = spec.loadBalancerSourceRanges ?? [];
  const rangesAnnotation = svc.metadata?.annotations?.[SOURCE_RANGES_ANNOTATION];
  if (ranges.length) {
    // Kubernetes reports these under this capitalised path.
    if (spec.type !== 'LoadBalancer') causes.push(forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => causes.push(...validateCIDR(`spec.LoadBalancerSourceRanges[${i}]`, String(r).trim())));
  } else if (rangesAnnotation !== undefined) {
    const path = `metadata.annotations[${SOURCE_RANGES_ANNOTATION}]`;
    if (spec.type !== 'LoadBalancer') causes.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    const value = String(rangesAnnotation).trim();
    if (value) for (const r of value.split(',')) causes.push(...validateCIDR(path, r.trim()));
  }

  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.type !== 'LoadBalancer') {
    causes.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined) causes.push(required('allocateLoadBalancerNodePorts'));

  if (spec.type === 'LoadBalancer') {
    if (spec.loadBalancerClass !== undefined) causes.push(...qualifiedName('spec.loadBalancerClass', spec.loadBalancerClass));
  } else if (spec.loadBalancerClass !== undefined) {
    causes.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }

  if (!externallyAccessible(svc)) {
    if (spec.externalTrafficPolicy) causes.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!spec.externalTrafficPolicy) {
    causes.push(required('spec.externalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) {
    causes.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (!needsHealthCheckNodePort(svc)) {
    if (spec.healthCheckNodePort) {
      causes.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (spec.healthCheckNodePort) {
    // Left empty, the API server allocates one after validation.
    causes.push(...validatePortNum('spec.healthCheckNodePort', spec.healthCheckNodePort));
  }

  if (spec.internalTrafficPolicy === undefined) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) causes.push(required('spec.internalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) {
    causes.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.trafficDistribution !== undefined && !TRAFFIC_DISTRIBUTIONS.includes(spec.trafficDistribution)) {
    causes.push(notSupported('spec.trafficDistribution', spec.trafficDistribution, TRAFFIC_DISTRIBUTIONS));
  }

  causes.push(...validateLoadBalancerStatus(svc));
  return causes;
}

// ---- defaults --------------------------------------------------------------

function defaultService(svc: KObject): void {
  svc.spec ??= {};
  const spec = svc.spec;
  if (!spec.type) spec.type = 'ClusterIP';
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_AFFINITY_SECONDS } };
  }
  for (const p of spec.ports ?? []) {
    if (!p || typeof p !== 'object') continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(svc) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  // clusterIP and clusterIPs travel together; a client may set either one.
  if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
  else if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
  if (spec.type !== 'ExternalName') {
    if (!spec.ipFamilies?.length) spec.ipFamilies = [ipFamily(spec.clusterIP ?? '') === 6 ? 'IPv6' : 'IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (spec.type === 'LoadBalancer') {
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
      if (ing?.ip && ing.ipMode === undefined) ing.ipMode = 'VIP';
    }
  }
}

// ---- printing --------------------------------------------------------------

function externalIPCell(svc: KObject): string {
  const spec = specOf(svc);
  const externalIPs: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      // Server-side tables are built wide, so nothing is clipped here.
      const lb = [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i: KObject) => i.ip || i.hostname).filter(Boolean) as string[])].sort();
      if (externalIPs.length) return [...lb, ...externalIPs].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** kubectl's PORT(S) cell: `80/TCP`, `80:30080/TCP`, comma separated. */
export function portsCell(ports: KObject[] | undefined): string {
  const cells = (ports ?? []).map((p) => (p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`));
  return cells.length ? cells.join(',') : '<none>';
}

/** A label map as kubectl prints it: sorted `k=v` pairs, or `<none>`. */
export function formatLabels(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${m![k]}`).join(',') : '<none>';
}

export const service: Kind = {
  group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service',
  shortNames: ['svc'], categories: ['all'], namespaced: true,
  subresources: { status: true },
  schema: named('io.k8s.api.core.v1.Service', obj({
    ...typeMeta,
    spec: serviceSpec,
    status: serviceStatus,
  }, { description: 'A named, stable address for a set of pods (or an external name), with its ports and how traffic reaches the backends.', gvk: { group: '', version: 'v1', kind: 'Service' } })),
  defaults: defaultService,
  nameRule: dns1035Label,
  prepareForCreate(svc) {
    svc.status = { loadBalancer: {} };
  },
  prepareForUpdate: prepareServiceUpdate,
  validate: validateService,
  returnDeletedObject: true,
  columns: [
    nameColumn,
    { name: 'Type', type: 'string', priority: 0, description: 'How the service is exposed.', cell: (o) => specOf(o).type ?? '' },
    { name: 'Cluster-IP', type: 'string', priority: 0, description: 'The virtual IP of the service inside the cluster.', cell: (o) => specOf(o).clusterIPs?.[0] ?? (specOf(o).clusterIP || '<none>') },
    { name: 'External-IP', type: 'string', priority: 0, description: 'Addresses the service is reachable at from outside the cluster.', cell: externalIPCell },
    { name: 'Port(s)', type: 'string', priority: 0, description: 'Ports the service exposes.', cell: (o) => portsCell(specOf(o).ports) },
    ageColumn,
    { name: 'Selector', type: 'string', priority: 1, description: 'Labels of the pods traffic is sent to.', cell: (o) => formatLabels(specOf(o).selector) },
  ],
  fields: {
    'spec.clusterIP': (o) => specOf(o).clusterIP ?? '',
    'spec.type': (o) => specOf(o).type ?? '',
  },
};
