import { deepEqual } from '../../../api/deep-equal.js';
import type { KObject } from '../../../api/kind.js';
import {
  LABEL_ARCH, LABEL_ARCH_BETA, LABEL_FAILURE_DOMAIN_BETA_REGION, LABEL_FAILURE_DOMAIN_BETA_ZONE, LABEL_HOSTNAME, LABEL_INSTANCE_TYPE,
  LABEL_INSTANCE_TYPE_BETA, LABEL_OS, LABEL_OS_BETA, LABEL_TOPOLOGY_REGION, LABEL_TOPOLOGY_ZONE, NAMESPACE_NODE_LEASE,
} from '../../../api/well-known.js';
import type { UserInfo } from '../auth/user-info.js';

export const NODES_GROUP = 'system:nodes';
const NODE_PREFIX = 'system:node:';

/** The node a user is, when it is a node identity (`system:node:<name>` in system:nodes). */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.name.startsWith(NODE_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  return user.name.slice(NODE_PREFIX.length) || undefined;
}

/** What a node asked to change. `object` is the new object of a create; `existing` reads the stored one. */
export interface NodeWrite {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  object?: KObject;
  existing: () => Promise<KObject | undefined>;
}

const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/**
 * The NodeRestriction admission rule: a node may change only its own Node
 * and Lease, the status of pods bound to it (and delete them once they are
 * done), the expansion part of a claim's status, and events. Answers why a
 * write is refused, or undefined.
 */
export async function nodeRestriction(node: string, w: NodeWrite): Promise<string | undefined> {
  if (!MUTATING.has(w.verb)) return undefined;
  const target = w.name ?? (w.object?.metadata?.name as string | undefined);
  const res = `${w.group ? `${w.resource}.${w.group}` : w.resource}${w.subresource ? `/${w.subresource}` : ''}`;
  const refuse = (what: string) => `node "${node}" is not allowed to modify ${what}`;
  if (w.verb === 'deletecollection') return refuse(`a collection of ${res}`);
  if (w.group === '' && w.resource === 'nodes') {
    if (target !== node) return refuse(`node "${target ?? ''}"`);
    // A status write stores the status alone: the labels and taints it carries (perhaps read before another's change) are not written.
    if (w.verb === 'delete' || !w.object || w.subresource === 'status') return undefined;
    const old = w.verb === 'create' ? undefined : await w.existing();
    return nodeSelfChange(node, w.object, old);
  }
  if (w.group === 'coordination.k8s.io' && w.resource === 'leases') {
    return w.namespace === NAMESPACE_NODE_LEASE && target === node ? undefined : refuse(`lease "${w.namespace}/${target ?? ''}"`);
  }
  if (w.group === '' && w.resource === 'persistentvolumeclaims' && w.subresource === 'status' && (w.verb === 'update' || w.verb === 'patch')) {
    return claimStatusChange(node, w.object, await w.existing());
  }
  if (w.group === '' && w.resource === 'events') return undefined;
  if (w.group === 'events.k8s.io' && w.resource === 'events') return undefined;
  if (w.group === 'certificates.k8s.io' && w.resource === 'certificatesigningrequests' && w.verb === 'create') return undefined;
  if (w.group === '' && w.resource === 'pods') {
    if (w.verb === 'create') return `node "${node}" can only create mirror pods, which Skiff does not run`;
    const allowed = (w.subresource === 'status' && (w.verb === 'update' || w.verb === 'patch')) || (!w.subresource && w.verb === 'delete');
    if (!allowed) return refuse(`pod ${w.subresource ? `${w.subresource} ` : ''}"${w.namespace}/${target ?? ''}"`);
    const pod = await w.existing();
    const boundTo = pod?.spec?.nodeName;
    return boundTo === node ? undefined : refuse(`pod "${w.namespace}/${target ?? ''}", which is ${boundTo ? `bound to node "${boundTo}"` : 'not bound to it'}`);
  }
  return refuse(res);
}

/**
 * What a node may change of a claim's status (kube's admitPVCStatus): the
 * capacity, conditions and allocations it sets when it has grown the
 * claim's file system, nothing else. Which claims is the node authorizer's
 * part: those its pods use.
 */
function claimStatusChange(node: string, obj: KObject | undefined, old: KObject | undefined): string | undefined {
  const others = (claim: KObject | undefined) => {
    const { capacity: _c, conditions: _k, allocatedResources: _r, allocatedResourceStatuses: _s, ...rest } = claim?.status ?? {};
    return rest;
  };
  if (old && deepEqual(others(obj), others(old))) return undefined;
  return `node "${node}" is not allowed to update fields other than status.capacity, status.conditions, status.allocatedResources and status.allocatedResourceStatuses`;
}

/** Labels a node may set on itself in the kubernetes.io and k8s.io namespaces, as the kubelet does. */
const KUBELET_LABELS = new Set([
  LABEL_HOSTNAME, LABEL_ARCH, LABEL_OS, LABEL_ARCH_BETA, LABEL_OS_BETA, LABEL_INSTANCE_TYPE_BETA, LABEL_INSTANCE_TYPE,
  LABEL_FAILURE_DOMAIN_BETA_REGION, LABEL_FAILURE_DOMAIN_BETA_ZONE, LABEL_TOPOLOGY_REGION, LABEL_TOPOLOGY_ZONE,
]);
const KUBELET_PREFIXES = ['kubelet.kubernetes.io/', 'node.kubernetes.io/'];

function labelAllowed(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return true;
  const prefix = key.slice(0, slash);
  if (prefix === 'node-restriction.kubernetes.io' || prefix.endsWith('.node-restriction.kubernetes.io')) return false;
  const k8s = prefix === 'kubernetes.io' || prefix.endsWith('.kubernetes.io') || prefix === 'k8s.io' || prefix.endsWith('.k8s.io');
  return !k8s || KUBELET_LABELS.has(key) || KUBELET_PREFIXES.some((p) => key.startsWith(p));
}

/**
 * What a node may not change about itself: labels that steer workloads or
 * claim a role (node-restriction.kubernetes.io/, and kubernetes.io labels
 * the kubelet does not set), and, once registered, its taints.
 */
function nodeSelfChange(node: string, obj: KObject, old: KObject | undefined): string | undefined {
  const labels: Record<string, string> = obj.metadata?.labels ?? {};
  const before: Record<string, string> = old?.metadata?.labels ?? {};
  const changed = [...new Set([...Object.keys(labels), ...Object.keys(before)])].filter((k) => labels[k] !== before[k]);
  const refused = changed.filter((k) => !labelAllowed(k)).sort();
  if (refused.length) return `node "${node}" is not allowed to modify labels: ${refused.join(', ')}`;
  if (old && JSON.stringify(obj.spec?.taints ?? []) !== JSON.stringify(old.spec?.taints ?? [])) return `node "${node}" is not allowed to modify taints`;
  return undefined;
}
