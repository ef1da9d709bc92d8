/** The tags by which cluster resources are found and owned, as the AWS cloud-controller-manager names them. */

/** `kubernetes.io/cluster/<name>`: `owned` (the cluster made it and deletes it) or `shared` (used, never deleted). */
export const clusterTagKey = (clusterName: string): string => `kubernetes.io/cluster/${clusterName}`;
export const RESOURCE_LIFECYCLE_OWNED = 'owned';
export const RESOURCE_LIFECYCLE_SHARED = 'shared';

/** On a load balancer, its target groups and security group rules: the Service it serves, `<namespace>/<name>`. */
export const TAG_SERVICE_NAME = 'kubernetes.io/service-name';
/** Subnet roles: public subnets for internet-facing load balancers, private ones for internal. */
export const TAG_ROLE_ELB = 'kubernetes.io/role/elb';
export const TAG_ROLE_INTERNAL_ELB = 'kubernetes.io/role/internal-elb';
/** On an EBS volume, what it was made for (as the EBS CSI driver tags with --extra-create-metadata). */
export const TAG_CREATED_FOR_PVC_NAME = 'kubernetes.io/created-for/pvc/name';
export const TAG_CREATED_FOR_PVC_NAMESPACE = 'kubernetes.io/created-for/pvc/namespace';
export const TAG_CREATED_FOR_PV_NAME = 'kubernetes.io/created-for/pv/name';
/** The Name tag the consoles show. */
export const TAG_NAME = 'Name';

export type Tags = Record<string, string>;

/** EC2 and ELBv2 tag lists from a record, and back. */
export const tagList = (tags: Tags): { Key: string; Value: string }[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
export function tagRecord(list: { Key?: string; Value?: string }[] | undefined): Tags {
  const out: Tags = {};
  for (const t of list ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** The cluster owns (or shares) a resource carrying these tags. */
export const belongsToCluster = (tags: Tags, clusterName: string): boolean => clusterTagKey(clusterName) in tags;

/** The EC2 filter for resources of this cluster, whatever the tag's value. */
export const clusterFilter = (clusterName: string) => ({ Name: 'tag-key', Values: [clusterTagKey(clusterName)] });
