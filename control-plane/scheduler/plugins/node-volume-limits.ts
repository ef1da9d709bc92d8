import { claimClass } from '../../../api/kinds/persistent-volume-claim.js';
import { podClaims } from '../../../api/storage/pod-claims.js';
import type { AnyObject } from '../../../client/resource.js';
import { Action } from '../framework/cluster-event.js';
import type { Lister } from '../framework/listers.js';
import { SKIP, unschedulable, type Plugin } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';

export const ERR_REASON_MAX_VOLUME_COUNT = 'node(s) exceed max volume count';
/** The allocatable resource a node reports its EBS attachment limit in. */
export const EBS_LIMIT_RESOURCE = 'attachable-volumes-aws-ebs';
const EBS_CSI_DRIVER = 'ebs.csi.aws.com';
const EBS_IN_TREE_PROVISIONER = 'kubernetes.io/aws-ebs';

const REJECTED = unschedulable(ERR_REASON_MAX_VOLUME_COUNT);
const STATE = 'PreFilterNodeVolumeLimits';

type Listers = { persistentVolumeClaims: Lister; persistentVolumes: Lister; storageClasses: Lister };

/** The EBS volume behind a PV: its volume id, in-tree or CSI. */
function ebsVolumeId(pv: AnyObject): string | undefined {
  if (pv.spec?.awsElasticBlockStore?.volumeID) return pv.spec.awsElasticBlockStore.volumeID;
  if (pv.spec?.csi?.driver === EBS_CSI_DRIVER) return pv.spec.csi.volumeHandle;
  return undefined;
}

/**
 * The distinct EBS volumes a pod attaches: inline disks, and claims bound to
 * EBS volumes. A claim not bound yet, or whose volume is unknown, counts as
 * a volume of its own when its class provisions EBS (it will be one).
 */
function podEbsVolumes(pod: PodInfo, listers: Listers, into: Set<string>): void {
  for (const v of pod.pod.spec?.volumes ?? []) {
    if (v?.awsElasticBlockStore?.volumeID) into.add(v.awsElasticBlockStore.volumeID);
  }
  for (const { name } of podClaims(pod.pod)) {
    const claimId = `pvc:${pod.namespace}/${name}`;
    const pvc = listers.persistentVolumeClaims.get(`${pod.namespace}/${name}`);
    if (!pvc) {
      into.add(claimId);
      continue;
    }
    const pv = pvc.spec?.volumeName ? listers.persistentVolumes.get(pvc.spec.volumeName) : undefined;
    const id = pv && ebsVolumeId(pv);
    if (id) {
      into.add(id);
    } else if (!pv) {
      const provisioner = listers.storageClasses.get(claimClass(pvc))?.provisioner;
      if (provisioner === EBS_CSI_DRIVER || provisioner === EBS_IN_TREE_PROVISIONER) into.add(claimId);
    }
  }
}

/**
 * NodeVolumeLimits for EBS: the distinct EBS volumes of the pods on a node
 * plus the new pod's may not exceed the node's allocatable
 * attachable-volumes-aws-ebs, when the node reports one.
 */
export function nodeVolumeLimits(listers: Listers): Plugin {
  return {
    name: 'NodeVolumeLimits',
    events: [
      { resource: 'AssignedPod', actions: Action.Delete },
      { resource: 'Node', actions: Action.Add | Action.UpdateNodeAllocatable },
      { resource: 'PersistentVolumeClaim', actions: Action.Add | Action.UpdateOther },
      { resource: 'PersistentVolume', actions: Action.Add | Action.UpdateOther },
    ],
    preFilter(state, pod) {
      if (!pod.usesVolumes) return SKIP;
      const volumes = new Set<string>();
      podEbsVolumes(pod, listers, volumes);
      if (!volumes.size) return SKIP;
      state.write(STATE, volumes);
      return undefined;
    },
    filter(state, _pod, node) {
      const limit = node.allocatable.scalar?.get(EBS_LIMIT_RESOURCE);
      if (limit === undefined) return undefined;
      const existing = new Set<string>();
      for (const p of node.podsWithVolumes) podEbsVolumes(p, listers, existing);
      let added = 0;
      for (const id of state.read<Set<string>>(STATE)!) if (!existing.has(id)) added++;
      if (added === 0) return undefined;
      return existing.size + added > limit ? REJECTED : undefined;
    },
  };
}
