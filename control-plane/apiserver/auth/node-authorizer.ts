import type { KObject } from '../../../api/kind.js';
import type { Attributes } from './rbac/attributes.js';

/** What a node reads only through its pods. */
const THROUGH_PODS: Record<string, (pod: KObject) => string[]> = {
  secrets: secretsOf,
  configmaps: configMapsOf,
  persistentvolumeclaims: claimsOf,
};

function containersOf(pod: KObject): KObject[] {
  const spec = pod.spec ?? {};
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

function volumesOf(pod: KObject): KObject[] {
  const volumes: KObject[] = pod.spec?.volumes ?? [];
  return [...volumes, ...volumes.flatMap((v) => v.projected?.sources ?? [])];
}

/** Every secret the pod names: pull secrets, secret volumes and projections, and its containers' env. */
export function secretsOf(pod: KObject): string[] {
  const names = (pod.spec?.imagePullSecrets ?? []).map((s: KObject) => s.name);
  for (const v of volumesOf(pod)) names.push(v.secret?.secretName, v.secret?.name);
  for (const c of containersOf(pod)) {
    for (const e of c.env ?? []) names.push(e.valueFrom?.secretKeyRef?.name);
    for (const e of c.envFrom ?? []) names.push(e.secretRef?.name);
  }
  return names.filter(Boolean);
}

function configMapsOf(pod: KObject): string[] {
  const names: string[] = [];
  for (const v of volumesOf(pod)) names.push(v.configMap?.name);
  for (const c of containersOf(pod)) {
    for (const e of c.env ?? []) names.push(e.valueFrom?.configMapKeyRef?.name);
    for (const e of c.envFrom ?? []) names.push(e.configMapRef?.name);
  }
  return names.filter(Boolean);
}

function claimsOf(pod: KObject): string[] {
  return (pod.spec?.volumes ?? []).map((v: KObject) => v.persistentVolumeClaim?.claimName).filter(Boolean);
}

/**
 * kube's Node authorizer, narrowed to reads and to the one write it ties to
 * the node's pods: RBAC lets the system:node role read secrets, config maps
 * and claims, and write claims' status (to finish their expansion), and
 * this lets a node do so only for the ones a pod bound to it uses, one by
 * name. Answers why a request is refused, or undefined.
 */
export async function nodeReadRestriction(node: string, a: Attributes, podsOnNode: (namespace: string) => Promise<KObject[]>): Promise<string | undefined> {
  if (!a.isResourceRequest || a.apiGroup !== '') return undefined;
  const claimStatus = a.resource === 'persistentvolumeclaims' && a.subresource === 'status';
  if (a.subresource && !claimStatus) return undefined;
  const referenced = THROUGH_PODS[a.resource ?? ''];
  const verbs = claimStatus ? ['get', 'update', 'patch'] : ['get', 'list', 'watch'];
  if (!referenced || !verbs.includes(a.verb)) return undefined;
  const what = a.resource!.replace(/s$/, '');
  if (!a.name || !a.namespace) return `node "${node}" can only ${claimStatus ? 'update the status of' : 'read'} individual ${a.resource} its pods use`;
  const pods = await podsOnNode(a.namespace);
  if (pods.some((p) => referenced(p).includes(a.name!))) return undefined;
  return `no relationship found between node '${node}' and this object: no pod on the node uses ${what} "${a.namespace}/${a.name}"`;
}
