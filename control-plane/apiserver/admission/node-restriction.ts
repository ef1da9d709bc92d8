import type { KObject } from '../../../api/kind.js';
import type { UserInfo } from '../auth/user-info.js';

export const NODES_GROUP = 'system:nodes';
const NODE_PREFIX = 'system:node:';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

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
 * done), and events. Answers why a write is refused, or undefined.
 */
export async function nodeRestriction(node: string, w: NodeWrite): Promise<string | undefined> {
  if (!MUTATING.has(w.verb)) return undefined;
  const target = w.name ?? (w.object?.metadata?.name as string | undefined);
  const res = `${w.group ? `${w.resource}.${w.group}` : w.resource}${w.subresource ? `/${w.subresource}` : ''}`;
  const refuse = (what: string) => `node "${node}" is not allowed to modify ${what}`;
  if (w.verb === 'deletecollection') return refuse(`a collection of ${res}`);
  if (w.group === '' && w.resource === 'nodes') {
    return target === node ? undefined : refuse(`node "${target ?? ''}"`);
  }
  if (w.group === 'coordination.k8s.io' && w.resource === 'leases') {
    return w.namespace === NODE_LEASE_NAMESPACE && target === node ? undefined : refuse(`lease "${w.namespace}/${target ?? ''}"`);
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
