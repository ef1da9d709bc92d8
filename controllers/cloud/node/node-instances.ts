import { instanceIdFromProviderId, type InstanceAnswer, type Instances } from '../../aws/instances.js';
import type { AnyObject } from '../../../client/resource.js';

/**
 * What the cloud says of a node's instance: the instance, `gone` (a definite
 * answer: terminated or InvalidInstanceID.NotFound), or undefined when the
 * node cannot be tied to an instance (no instance carries its name, or its
 * providerID is not an AWS one), which is never taken to mean gone.
 */
export type NodeInstance = InstanceAnswer | undefined;

/**
 * The instances of many nodes in as few DescribeInstances calls as the
 * filter limits allow: nodes with a providerID by instance id, the others by
 * their name, which is the instance's private DNS name as AWS names nodes.
 */
export async function instancesOfNodes(instances: Instances, nodes: AnyObject[]): Promise<Map<string, NodeInstance>> {
  const byId = new Map<string, string>();
  const byName: string[] = [];
  for (const node of nodes) {
    const providerId: string | undefined = node.spec?.providerID;
    if (providerId) {
      const id = instanceIdFromProviderId(providerId);
      if (id) byId.set(node.metadata.name!, id);
    } else {
      byName.push(node.metadata.name!);
    }
  }
  const [ids, names] = await Promise.all([
    byId.size ? instances.byIds([...byId.values()]) : new Map<string, InstanceAnswer>(),
    byName.length ? instances.byPrivateDnsNames(byName) : undefined,
  ]);
  const out = new Map<string, NodeInstance>();
  for (const [node, id] of byId) out.set(node, ids.get(id));
  for (const name of byName) {
    const instance = names?.get(name);
    if (instance) out.set(name, instance.state === 'terminated' ? { gone: true, instance } : { instance });
  }
  return out;
}
