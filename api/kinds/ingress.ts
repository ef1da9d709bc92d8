import type { Kind, KObject } from '../kind.js';
import { typeMeta } from '../object-meta.js';
import { ageColumn, nameColumn } from '../printers.js';
import { arr, enumOf, int32, named, obj, str, type Schema } from '../schema.js';
import { invalid, notSupported, required, type Cause } from '../validation/field-errors.js';
import { isValidIP, validateIP } from '../validation/ip.js';
import { dns1035Label, dns1123Subdomain, pathSegmentName } from '../validation/names.js';
import { isObject } from '../validation/pod-spec.js';
import { PORT_PROTOCOLS, portNameProblems, validatePortNum } from '../validation/ports.js';

/** The legacy annotation that named an Ingress's class before spec.ingressClassName. */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

const networking = (name: string, schema: Schema): Schema => named(`io.k8s.api.networking.v1.${name}`, schema);

export const typedLocalObjectReference = named('io.k8s.api.core.v1.TypedLocalObjectReference', obj({
  apiGroup: str('Group of the referenced resource; the core group when empty.'),
  kind: str('Kind of the referenced resource.'),
  name: str('Name of the referenced resource.'),
}, { required: ['kind', 'name'], description: 'A reference to an object in the same namespace.' }));

const backend = networking('IngressBackend', obj({
  service: networking('IngressServiceBackend', obj({
    name: str('Name of the Service, in the Ingress\'s namespace.'),
    port: networking('ServiceBackendPort', obj({
      name: str('Name of the Service\'s port; exclusive with number.'),
      number: int32('Number of the Service\'s port; exclusive with name.'),
    }, { description: 'A port of the Service.' })),
  }, { required: ['name'], description: 'A Service as a backend.' })),
  resource: typedLocalObjectReference,
}, { description: 'Where traffic goes: a Service port or another resource.' }));

const rule = networking('IngressRule', obj({
  host: str('The fully qualified domain name of a host, possibly a wildcard "*.example.com"; every host when empty.'),
  http: networking('HTTPIngressRuleValue', obj({
    paths: arr(networking('HTTPIngressPath', obj({
      path: str('Path matched against the request\'s path.'),
      pathType: str('Exact, Prefix or ImplementationSpecific.'),
      backend,
    }, { required: ['pathType', 'backend'], description: 'A path and its backend.' })), { listType: 'atomic', description: 'Paths and their backends.' }),
  }, { required: ['paths'], description: 'HTTP paths of the rule.' })),
}, { description: 'A host and how its paths are routed.' }));

// Shaped as the Service's load balancer status declares it: both publish the one core/v1 definition.
const portStatus = named('io.k8s.api.core.v1.PortStatus', obj({
  port: int32('Port number.'),
  protocol: enumOf(PORT_PROTOCOLS, 'TCP, UDP or SCTP.'),
  error: str('Why the port could not be set up.'),
}, { required: ['port', 'protocol'], description: 'The state of one port.' }));

const ingressSchema = networking('Ingress', obj({
  ...typeMeta,
  spec: networking('IngressSpec', obj({
    ingressClassName: str('Name of the IngressClass whose controller implements this Ingress.'),
    defaultBackend: backend,
    tls: arr(networking('IngressTLS', obj({
      hosts: arr(str(), { listType: 'atomic', description: 'Hosts the certificate covers.' }),
      secretName: str('The Secret holding the certificate and key.'),
    }, { description: 'TLS for some hosts.' })), { listType: 'atomic', description: 'TLS configuration.' }),
    rules: arr(rule, { listType: 'atomic', description: 'Host rules; without any, everything goes to the default backend.' }),
  }, { description: 'The desired state of an Ingress.' })),
  status: networking('IngressStatus', obj({
    loadBalancer: networking('IngressLoadBalancerStatus', obj({
      ingress: arr(networking('IngressLoadBalancerIngress', obj({
        ip: str('IP of the ingress point.'),
        hostname: str('DNS name of the ingress point.'),
        ports: arr(portStatus, { listType: 'atomic', description: 'Ports of the ingress point.' }),
      }, { description: 'One ingress point.' })), { listType: 'atomic', description: 'Ingress points of the load balancer.' }),
    }, { description: 'The load balancer in front of the Ingress.' })),
  }, { description: 'The observed state of an Ingress.' })),
}, { description: 'Rules routing HTTP(S) traffic from outside the cluster to Services.', gvk: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' } }));

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const WILDCARD_SUBDOMAIN = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const WILDCARD_SUBDOMAIN_MESSAGE = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** A host with a "*" must be one leading wildcard label; any other, a DNS subdomain. */
function validateHost(field: string, host: string): Cause[] {
  if (!host.includes('*')) return dns1123Subdomain(field, host);
  const causes: Cause[] = [];
  if (host.length > 253) causes.push(invalid(field, host, 'must be no more than 253 characters'));
  if (!WILDCARD_SUBDOMAIN.test(host)) causes.push(invalid(field, host, WILDCARD_SUBDOMAIN_MESSAGE));
  return causes;
}

/** A TypedLocalObjectReference as Ingress backends and IngressClass parameters name it. */
export function validateTypedReference(ref: KObject, field: string): Cause[] {
  const causes: Cause[] = [];
  if (typeof ref.apiGroup === 'string') causes.push(...dns1123Subdomain(`${field}.apiGroup`, ref.apiGroup));
  if (!ref.kind) causes.push(required(`${field}.kind`, 'kind is required'));
  else causes.push(...pathSegmentName(`${field}.kind`, ref.kind));
  if (!ref.name) causes.push(required(`${field}.name`, 'name is required'));
  else causes.push(...pathSegmentName(`${field}.name`, ref.name));
  return causes;
}

function validateBackend(b: KObject, field: string): Cause[] {
  const hasResource = isObject(b.resource);
  const service = b.service;
  if (hasResource && isObject(service)) return [invalid(field, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedReference(b.resource, `${field}.resource`);
  if (!isObject(service)) return [invalid(field, '', 'resource or service backend is required')];
  const causes: Cause[] = service.name ? dns1035Label(`${field}.service.name`, service.name) : [required(`${field}.service.name`)];
  const port = isObject(service.port) ? service.port : {};
  if (port.name && port.number) causes.push(invalid(field, '', 'cannot set both port name & port number'));
  else if (port.name) causes.push(...portNameProblems(port.name).map((p) => invalid(`${field}.service.port.name`, port.name, p)));
  else if (port.number) causes.push(...validatePortNum(`${field}.service.port.number`, port.number));
  else causes.push(required(field, 'port name or number is required'));
  return causes;
}

function validatePath(p: KObject, field: string): Cause[] {
  if (!p.pathType) return [required(`${field}.pathType`, 'pathType must be specified')];
  const causes: Cause[] = [];
  const path: string = p.path ?? '';
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!path.startsWith('/')) causes.push(invalid(`${field}.path`, path, 'must be an absolute path'));
    for (const seq of INVALID_PATH_SEQUENCES) if (path.includes(seq)) causes.push(invalid(`${field}.path`, path, `must not contain '${seq}'`));
    for (const suffix of INVALID_PATH_SUFFIXES) if (path.endsWith(suffix)) causes.push(invalid(`${field}.path`, path, `cannot end with '${suffix}'`));
  } else if (p.pathType === 'ImplementationSpecific') {
    if (path && !path.startsWith('/')) causes.push(invalid(`${field}.path`, path, 'must be an absolute path'));
  } else {
    causes.push(notSupported(`${field}.pathType`, p.pathType, PATH_TYPES));
  }
  causes.push(...validateBackend(isObject(p.backend) ? p.backend : {}, `${field}.backend`));
  return causes;
}

/** What an update may keep although a create would refuse it (kube's IngressValidationOptions). */
interface Allowances {
  invalidSecretName: boolean;
  invalidWildcardHostRule: boolean;
}

function validateRules(rules: KObject[], allow: Allowances): Cause[] {
  const causes: Cause[] = [];
  rules.forEach((r, i) => {
    const field = `spec.rules[${i}]`;
    const host: string = r.host ?? '';
    const wildcard = host.includes('*');
    if (host) {
      if (isValidIP(host)) causes.push(invalid(`${field}.host`, host, 'must be a DNS name, not an IP address'));
      causes.push(...validateHost(`${field}.host`, host));
    }
    if (!wildcard || !allow.invalidWildcardHostRule) causes.push(...validateRuleValue(r, field));
  });
  return causes;
}

function validateRuleValue(r: KObject, field: string): Cause[] {
  if (!isObject(r.http)) return [];
  const paths: KObject[] = Array.isArray(r.http.paths) ? r.http.paths : [];
  const causes: Cause[] = paths.length ? [] : [required(`${field}.http.paths`)];
  paths.forEach((p, j) => causes.push(...validatePath(isObject(p) ? p : {}, `${field}.http.paths[${j}]`)));
  return causes;
}

function validateTLS(tls: KObject[], allow: Allowances): Cause[] {
  const causes: Cause[] = [];
  tls.forEach((t, i) => {
    const hosts: string[] = Array.isArray(t.hosts) ? t.hosts : [];
    hosts.forEach((h, j) => causes.push(...validateHost(`spec.tls[${i}].hosts[${j}]`, h)));
    if (t.secretName && !allow.invalidSecretName) causes.push(...dns1123Subdomain(`spec.tls[${i}].secretName`, t.secretName));
  });
  return causes;
}

function validateSpec(spec: KObject, allow: Allowances): Cause[] {
  const causes: Cause[] = [];
  const rules: KObject[] = Array.isArray(spec.rules) ? spec.rules : [];
  if (!rules.length && !isObject(spec.defaultBackend)) causes.push(invalid('spec', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
  if (isObject(spec.defaultBackend)) causes.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  causes.push(...validateRules(rules, allow));
  if (Array.isArray(spec.tls)) causes.push(...validateTLS(spec.tls, allow));
  if (typeof spec.ingressClassName === 'string') causes.push(...dns1123Subdomain('spec.ingressClassName', spec.ingressClassName));
  return causes;
}

/** What an ingress controller reports: IPs, and hostnames that are DNS names rather than IPs. */
function validateStatus(ing: KObject): Cause[] {
  const causes: Cause[] = [];
  const points: KObject[] = ing.status?.loadBalancer?.ingress ?? [];
  points.forEach((p, i) => {
    const field = `status.loadBalancer.ingress[${i}]`;
    if (p.ip) causes.push(...validateIP(`${field}.ip`, p.ip));
    if (p.hostname) {
      causes.push(...dns1123Subdomain(`${field}.hostname`, p.hostname));
      if (isValidIP(p.hostname)) causes.push(invalid(`${field}.hostname`, p.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return causes;
}

const hasInvalidSecretName = (spec: KObject | undefined): boolean =>
  (spec?.tls ?? []).some((t: KObject) => t.secretName && dns1123Subdomain('', t.secretName).length > 0);
/** A wildcard rule stored before its paths were checked keeps being accepted. */
const hasInvalidWildcardHostRule = (spec: KObject | undefined): boolean =>
  (spec?.rules ?? []).some((r: KObject) => typeof r.host === 'string' && r.host.includes('*') && validateRuleValue(r, '').length > 0);

/** ADDRESS: the load balancer's IPs, or hostnames, sorted and joined, cut short as kubectl does without -o wide. */
function address(o: KObject): string {
  const points = new Set<string>();
  for (const p of o.status?.loadBalancer?.ingress ?? []) {
    if (p.ip) points.add(p.ip);
    else if (p.hostname) points.add(p.hostname);
  }
  const joined = [...points].sort().join(',');
  return joined.length > 16 ? `${joined.slice(0, 13)}...` : joined;
}

/** HOSTS: the first three rule hosts, "*" when no rule names one. */
function hosts(o: KObject): string {
  const rules: KObject[] = o.spec?.rules ?? [];
  const shown = rules.slice(0, 3).map((r) => r.host).filter(Boolean);
  if (!shown.length) return '*';
  return rules.length > 3 ? `${shown.join(',')} + ${rules.length - 3} more...` : shown.join(',');
}

/**
 * The networking.k8s.io/v1 Ingress. Skiff runs no ingress controller: an
 * Ingress is stored, validated and listed, and its status stays empty
 * until some controller fills it in.
 */
export const ingress: Kind = {
  group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', singular: 'ingress',
  shortNames: ['ing'], namespaced: true,
  subresources: { status: true },
  hasGeneration: true,
  schema: ingressSchema,

  prepareForCreate(ing) {
    ing.status = {};
  },

  validate(ing, old) {
    const spec: KObject = isObject(ing.spec) ? ing.spec : {};
    const allow = { invalidSecretName: !!old && hasInvalidSecretName(old.spec), invalidWildcardHostRule: !!old && hasInvalidWildcardHostRule(old.spec) };
    const causes = [...validateSpec(spec, allow), ...validateStatus(ing)];
    const annotated = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
    if (!old && annotated !== undefined && typeof spec.ingressClassName === 'string' && annotated !== spec.ingressClassName) {
      causes.push(invalid(`metadata.annotations.${INGRESS_CLASS_ANNOTATION}`, annotated, 'must match `ingressClassName` when both are specified'));
    }
    return causes;
  },

  columns: [
    nameColumn,
    { name: 'Class', type: 'string', priority: 0, description: 'The IngressClass of the Ingress.', cell: (o) => o.spec?.ingressClassName ?? '<none>' },
    { name: 'Hosts', type: 'string', priority: 0, description: 'Hosts the Ingress routes.', cell: hosts },
    { name: 'Address', type: 'string', priority: 0, description: 'Where the load balancer in front of the Ingress is reached.', cell: address },
    { name: 'Ports', type: 'string', priority: 0, description: 'Ports the Ingress serves: 80, and 443 with TLS.', cell: (o) => (o.spec?.tls?.length ? '80, 443' : '80') },
    ageColumn,
  ],
};
