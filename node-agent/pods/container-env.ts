import { quantityMilliValue, quantityValue } from '../../api/validation/quantity.js';
import type { AnyObject } from '../../client/resource.js';

/** What the environment reads from the API: config maps and secrets of the pod's namespace, its Services. */
export interface EnvSources {
  configMap(namespace: string, name: string): Promise<AnyObject | undefined>;
  secret(namespace: string, name: string): Promise<AnyObject | undefined>;
  services(namespace: string): Promise<AnyObject[]>;
}

/** What the downward API reads of the node and the pod's runtime state. */
export interface NodeFacts {
  podIP: string;
  hostIP: string;
  allocatable: Record<string, string>;
}

/** A container cannot start until what its environment names exists (kube's CreateContainerConfigError). */
export class ContainerConfigError extends Error {}

/**
 * A container's environment as the kubelet builds it: the Service variables
 * first (unless enableServiceLinks is false; the `kubernetes` Service's
 * always), then envFrom, then env, later ones winning; `$(VAR)` in values
 * expands from what came before.
 */
export async function containerEnv(pod: AnyObject, container: AnyObject, sources: EnvSources, node: NodeFacts): Promise<[string, string][]> {
  const ns = pod.metadata.namespace!;
  const env = new Map<string, string>();
  const links = pod.spec?.enableServiceLinks !== false;
  const services = [...(links ? await sources.services(ns) : []), ...(ns !== 'default' || !links ? (await sources.services('default')).filter((s) => s.metadata.name === 'kubernetes') : [])];
  for (const [k, v] of serviceEnv(services)) env.set(k, v);
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const obj = from.configMapRef ? await sources.configMap(ns, ref.name) : await sources.secret(ns, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${from.configMapRef ? 'configmap' : 'secret'} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(dataOf(obj, !!from.secretRef))) env.set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom === undefined) {
      env.set(e.name, expand(e.value ?? '', env));
      continue;
    }
    const value = await valueFrom(pod, container, e.valueFrom, sources, node);
    if (value !== undefined) env.set(e.name, value);
  }
  return [...env];
}

async function valueFrom(pod: AnyObject, container: AnyObject, from: AnyObject, sources: EnvSources, node: NodeFacts): Promise<string | undefined> {
  const ns = pod.metadata.namespace!;
  if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath, node.podIP, node.hostIP);
  if (from.resourceFieldRef) return resourceValue(pod, container, from.resourceFieldRef, node.allocatable);
  const ref = from.configMapKeyRef ?? from.secretKeyRef;
  const obj = from.configMapKeyRef ? await sources.configMap(ns, ref.name) : await sources.secret(ns, ref.name);
  const kind = from.configMapKeyRef ? 'configmap' : 'secret';
  if (!obj) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`${kind} "${ref.name}" not found`);
  }
  const data = dataOf(obj, !!from.secretKeyRef);
  if (!(ref.key in data)) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${ns}/${ref.name}`);
  }
  return data[ref.key];
}

function dataOf(obj: AnyObject, secret: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(obj.data ?? {})) out[k] = secret ? Buffer.from(v, 'base64').toString('utf8') : v;
  if (!secret) for (const [k, v] of Object.entries<string>(obj.binaryData ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

/** The downward API's fields. */
export function fieldValue(pod: AnyObject, path: string, podIP: string, hostIP: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (pod.metadata as AnyObject)[m[1]]?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata.name!;
    case 'metadata.namespace': return pod.metadata.namespace!;
    case 'metadata.uid': return pod.metadata.uid!;
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP': case 'status.podIPs': return podIP;
    case 'status.hostIP': case 'status.hostIPs': return hostIP;
    default: throw new ContainerConfigError(`unsupported fieldPath ${path}`);
  }
}

/**
 * limits.cpu, requests.memory, ... divided by the divisor and rounded up, as
 * the downward API gives them; a limit not set is the node's allocatable.
 * The container is the one the reference names (a downward API volume's
 * always does), else `container`.
 */
export function resourceValue(pod: AnyObject, container: AnyObject | undefined, ref: AnyObject, allocatable: Record<string, string>): string {
  const target = ref.containerName ? (pod.spec?.containers ?? []).find((c: AnyObject) => c.name === ref.containerName) : container;
  const [kind, resource] = String(ref.resource).split('.');
  const raw = target?.resources?.[kind]?.[resource] ?? (kind === 'limits' ? allocatable[resource] : undefined);
  if (raw === undefined) return '0';
  if (resource === 'cpu') return String(Math.max(1, Math.ceil(quantityMilliValue(raw) / quantityMilliValue(ref.divisor ?? '1'))));
  return String(Math.ceil(quantityValue(raw) / quantityValue(ref.divisor ?? '1')));
}

/** `$(VAR)` from the variables defined so far; `$$` escapes; an unknown name stays as written. */
export function expand(value: string, env: Map<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name) => (whole === '$$' ? '$' : env.get(name) ?? whole));
}

/** The Service variables the kubelet injects: <NAME>_SERVICE_HOST/_PORT and the Docker-link style ones. */
export function serviceEnv(services: AnyObject[]): [string, string][] {
  const out: [string, string][] = [];
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None' || svc.spec?.type === 'ExternalName') continue;
    const name = svc.metadata.name!.toUpperCase().replace(/-/g, '_');
    const ports: AnyObject[] = svc.spec?.ports ?? [];
    if (!ports.length) continue;
    out.push([`${name}_SERVICE_HOST`, ip], [`${name}_SERVICE_PORT`, String(ports[0].port)]);
    for (const p of ports) if (p.name) out.push([`${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`, String(p.port)]);
    const first = ports[0];
    out.push([`${name}_PORT`, `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`]);
    for (const p of ports) {
      const proto = (p.protocol ?? 'TCP');
      const prefix = `${name}_PORT_${p.port}_${proto}`;
      out.push([prefix, `${proto.toLowerCase()}://${ip}:${p.port}`], [`${prefix}_PROTO`, proto.toLowerCase()], [`${prefix}_PORT`, String(p.port)], [`${prefix}_ADDR`, ip]);
    }
  }
  return out;
}
