import { setTimeout as delay } from 'node:timers/promises';
import { volumeClass } from '../../../api/kinds/persistent-volume.js';
import { claimClass } from '../../../api/kinds/persistent-volume-claim.js';
import { matchTopologySelectorTerms } from '../../../api/selectors/node-selector.js';
import { ANN_BIND_COMPLETED, ANN_SELECTED_NODE, hasAnnotation } from '../../../api/storage/annotations.js';
import { isClaimForPod, podClaims } from '../../../api/storage/pod-claims.js';
import {
  bindVolumeToClaim, findMatchingVolume, isDelayBindingMode, NOT_SUPPORTED_PROVISIONER, requestedStorage,
} from '../../../api/storage/volume-binding.js';
import { checkNodeAffinity } from '../../../api/storage/volume-node-affinity.js';
import { compareQuantities } from '../../../api/validation/quantity.js';
import { AssumeCache, compareResourceVersions } from '../../../client/assume-cache.js';
import type { AnyObject } from '../../../client/resource.js';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS } from '../../../client/resources.js';
import type { RestClient } from '../../../client/rest-client.js';
import { Action } from '../framework/cluster-event.js';
import type { Lister } from '../framework/listers.js';
import type { NodeInfo } from '../framework/node-info.js';
import { SKIP, unresolvable, type NodeSnapshot, type Plugin } from '../framework/plugin.js';
import type { PodInfo } from '../framework/pod-info.js';

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';

/** The index PVs are listed by: their storage class. */
export const PV_CLASS_INDEX = 'storageClass';
export const pvClassIndex = (pv: AnyObject): string[] => [volumeClass(pv)];

/** kube's VolumeBindingArgs.bindTimeoutSeconds default. */
export const BIND_TIMEOUT_MS = 600_000;

const STATE = 'VolumeBinding';

/** isPVCFullyBound: the PV controller has finished binding the claim. */
const isClaimFullyBound = (pvc: AnyObject): boolean => !!pvc.spec?.volumeName && hasAnnotation(pvc, ANN_BIND_COMPLETED);

interface StaticBinding {
  pv: AnyObject;
  pvc: AnyObject;
}

/** For one node: which claims take which existing volume, and which need a new one there. */
interface PodVolumes {
  staticBindings: StaticBinding[];
  provisions: AnyObject[];
}

interface BindingState {
  bound: AnyObject[];
  delayed: AnyObject[];
  byNode: Map<string, PodVolumes>;
  /** The node's volumes as assumed at Reserve; undefined when every claim was bound already. */
  reserved?: PodVolumes;
}

export interface VolumeBindingOptions {
  client: RestClient;
  listers: { pods: Lister; persistentVolumeClaims: Lister; persistentVolumes: Lister; storageClasses: Lister };
  nodes: NodeSnapshot;
  bindTimeoutMs?: number;
  /** How often PreBind looks whether the claims are bound (kube: every second). */
  pollMs?: number;
}

class ClaimError extends Error {}

/**
 * VolumeBinding: a pod's claims must be bound, or bindable on the node.
 * PreFilter wants every claim to exist and every unbound one to wait for
 * its first consumer (Immediate claims are the PV controller's). Filter
 * checks bound volumes' node affinity and finds, per node, an Available
 * volume for each waiting claim or a provisioner whose allowed topologies
 * take the node. Reserve assumes the choice; PreBind writes it (claimRef on
 * the volume, or the selected-node annotation on the claim) and waits in the
 * binding cycle until the PV controller and the provisioner have bound every
 * claim.
 */
export function volumeBinding(opts: VolumeBindingOptions): Plugin {
  const { client, listers, nodes } = opts;
  const pvcs = new AssumeCache('persistentvolumeclaim', listers.persistentVolumeClaims);
  const pvs = new AssumeCache('persistentvolume', listers.persistentVolumes);
  const bindTimeoutMs = opts.bindTimeoutMs ?? BIND_TIMEOUT_MS;
  const pollMs = opts.pollMs ?? 1000;

  /** The pod's claims, or why the pod cannot be scheduled yet. */
  const podVolumeClaims = (pod: PodInfo): { bound: AnyObject[]; delayed: AnyObject[]; immediate: number } => {
    const bound: AnyObject[] = [];
    const delayed: AnyObject[] = [];
    let immediate = 0;
    for (const { name, ephemeral } of podClaims(pod.pod)) {
      const pvc = pvcs.get(`${pod.namespace}/${name}`);
      if (!pvc) {
        throw new ClaimError(ephemeral
          ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"`
          : `persistentvolumeclaim "${name}" not found`);
      }
      if (pvc.status?.phase === 'Lost') throw new ClaimError(`persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ''}"`);
      if (pvc.metadata.deletionTimestamp) throw new ClaimError(`persistentvolumeclaim "${name}" is being deleted`);
      if (ephemeral && !isClaimForPod(pod.pod, pvc)) {
        throw new ClaimError(`PVC ${pod.namespace}/${name} was not created for pod ${pod.key} (pod is not owner)`);
      }
      if (isClaimFullyBound(pvc)) bound.push(pvc);
      else if (isDelayBindingMode(pvc, listers.storageClasses) && !pvc.spec?.volumeName) delayed.push(pvc);
      else immediate++;
    }
    return { bound, delayed, immediate };
  };

  /** FindPodVolumes for one node: how its claims would be satisfied there, or the reasons they cannot be. */
  const findPodVolumes = (s: BindingState, node: NodeInfo): { volumes: PodVolumes; reasons: string[] } => {
    const volumes: PodVolumes = { staticBindings: [], provisions: [] };
    let boundSatisfied = true;
    let pvsFound = true;
    let unboundSatisfied = true;
    const reasons = () => [
      ...(boundSatisfied ? [] : [ERR_REASON_NODE_CONFLICT]),
      ...(unboundSatisfied ? [] : [ERR_REASON_BIND_CONFLICT]),
      ...(pvsFound ? [] : [ERR_REASON_PV_NOT_EXIST]),
    ];
    for (const pvc of s.bound) {
      const pv = pvs.get(pvc.spec.volumeName);
      if (!pv) {
        pvsFound = false;
        break;
      }
      if (!checkNodeAffinity(pv, node.labels)) {
        boundSatisfied = false;
        break;
      }
    }
    if (!s.delayed.length) return { volumes, reasons: reasons() };
    const toProvision: AnyObject[] = [];
    const toMatch: AnyObject[] = [];
    for (const pvc of s.delayed) {
      const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
      if (selected === undefined) {
        toMatch.push(pvc);
      } else if (selected !== node.name) {
        unboundSatisfied = false;
        return { volumes, reasons: reasons() };
      } else {
        toProvision.push(pvc);
      }
    }
    if (toMatch.length) {
      toMatch.sort((a, b) => compareQuantities(requestedStorage(a), requestedStorage(b)));
      const chosen = new Set<string>();
      for (const pvc of toMatch) {
        const pv = findMatchingVolume(pvc, pvs.byIndex(PV_CLASS_INDEX, claimClass(pvc)), { nodeLabels: node.labels, excluded: chosen });
        if (!pv) {
          toProvision.push(pvc);
          unboundSatisfied = false;
          continue;
        }
        chosen.add(pv.metadata.name!);
        volumes.staticBindings.push({ pv, pvc });
      }
    }
    if (toProvision.length) {
      // As kube's checkVolumeProvisions does, provisioning decides for every claim no volume was found for.
      unboundSatisfied = true;
      for (const pvc of toProvision) {
        const name = claimClass(pvc);
        if (!name) throw new Error(`no class for claim "${pvc.metadata.namespace}/${pvc.metadata.name}"`);
        const sc = listers.storageClasses.get(name);
        if (!sc) throw new Error(`failed to find storage class "${name}"`);
        if (!sc.provisioner || sc.provisioner === NOT_SUPPORTED_PROVISIONER || !matchTopologySelectorTerms(sc.allowedTopologies, node.labels)) {
          unboundSatisfied = false;
          volumes.provisions = [];
          return { volumes, reasons: reasons() };
        }
        volumes.provisions.push(pvc);
      }
    }
    return { volumes, reasons: reasons() };
  };

  const restore = (reserved: PodVolumes): void => {
    for (const b of reserved.staticBindings) pvs.restore(b.pv.metadata.name!);
    for (const pvc of reserved.provisions) pvcs.restore(`${pvc.metadata.namespace}/${pvc.metadata.name}`);
  };

  /** checkBindings: true once every claim is fully bound; throws when the binding has to be retried from scratch. */
  const bindingsDone = (pod: PodInfo, nodeName: string, reserved: PodVolumes): boolean => {
    if (!listers.pods.get(pod.key)) throw new Error(`pod does not exist any more: pods "${pod.name}" not found`);
    const node = nodes.get(nodeName);
    if (!node) throw new Error(`failed to get node "${nodeName}": node "${nodeName}" not found`);
    for (const b of reserved.staticBindings) {
      const pv = pvs.apiObject(b.pv.metadata.name!);
      const pvcKey = `${b.pvc.metadata.namespace}/${b.pvc.metadata.name}`;
      const pvc = pvcs.apiObject(pvcKey);
      if (!pv) throw new Error(`failed to check binding: persistentvolume "${b.pv.metadata.name}" not found`);
      if (!pvc) throw new Error(`failed to check binding: persistentvolumeclaim "${pvcKey}" not found`);
      if (compareResourceVersions(b.pv.metadata.resourceVersion, pv.metadata.resourceVersion) > 0) return false;
      if (!checkNodeAffinity(pv, node.labels)) throw new Error(`pv "${pv.metadata.name}" node affinity doesn't match node "${nodeName}"`);
      if (!pv.spec?.claimRef?.uid) throw new Error(`ClaimRef got reset for pv "${pv.metadata.name}"`);
      if (!isClaimFullyBound(pvc)) return false;
    }
    for (const claim of reserved.provisions) {
      const pvc = pvcs.apiObject(`${claim.metadata.namespace}/${claim.metadata.name}`);
      if (!pvc) throw new Error(`failed to check provisioning pvc: persistentvolumeclaim "${claim.metadata.name}" not found`);
      if (compareResourceVersions(claim.metadata.resourceVersion, pvc.metadata.resourceVersion) > 0) return false;
      if (!pvc.metadata.annotations) throw new Error(`selectedNode annotation reset for PVC "${pvc.metadata.name}"`);
      // A provisioner that fails takes the annotation off to hand the pod back to the scheduler.
      if (pvc.metadata.annotations[ANN_SELECTED_NODE] !== nodeName) throw new Error(`provisioning failed for PVC "${pvc.metadata.name}"`);
      if (pvc.spec?.volumeName) {
        const pv = pvs.apiObject(pvc.spec.volumeName);
        if (!pv) return false;
        if (!checkNodeAffinity(pv, node.labels)) throw new Error(`pv "${pv.metadata.name}" node affinity doesn't match node "${nodeName}"`);
      }
      if (!isClaimFullyBound(pvc)) return false;
    }
    return true;
  };

  return {
    name: 'VolumeBinding',
    events: [
      { resource: 'StorageClass', actions: Action.Add | Action.UpdateOther },
      { resource: 'PersistentVolumeClaim', actions: Action.Add | Action.UpdateOther },
      { resource: 'PersistentVolume', actions: Action.Add | Action.UpdateOther },
      { resource: 'Node', actions: Action.Add | Action.UpdateNodeLabel | Action.UpdateNodeTaint },
    ],
    preFilter(state, pod) {
      if (!pod.usesVolumes || !podClaims(pod.pod).length) return SKIP;
      let claims: ReturnType<typeof podVolumeClaims>;
      try {
        claims = podVolumeClaims(pod);
      } catch (err) {
        if (err instanceof ClaimError) return unresolvable(err.message);
        throw err;
      }
      if (claims.immediate) return unresolvable(ERR_REASON_UNBOUND_IMMEDIATE);
      state.write(STATE, { bound: claims.bound, delayed: claims.delayed, byNode: new Map() } satisfies BindingState);
      return undefined;
    },
    filter(state, _pod, node) {
      const s = state.read<BindingState>(STATE)!;
      const { volumes, reasons } = findPodVolumes(s, node);
      if (reasons.length) return unresolvable(...reasons);
      s.byNode.set(node.name, volumes);
      return undefined;
    },
    reserve(state, pod, nodeName) {
      const s = state.read<BindingState>(STATE);
      if (!s) return;
      if (podClaims(pod.pod).every(({ name }) => {
        const pvc = pvcs.get(`${pod.namespace}/${name}`);
        return pvc && isClaimFullyBound(pvc);
      })) return;
      const chosen = s.byNode.get(nodeName);
      if (!chosen) throw new Error(`no pod volumes found for node "${nodeName}"`);
      const reserved: PodVolumes = { staticBindings: [], provisions: [] };
      try {
        for (const b of chosen.staticBindings) {
          const pv = bindVolumeToClaim(b.pv, b.pvc);
          if (pv) pvs.assume(pv);
          reserved.staticBindings.push({ pv: pv ?? b.pv, pvc: b.pvc });
        }
        for (const pvc of chosen.provisions) {
          const claim = structuredClone(pvc);
          claim.metadata.annotations = { ...claim.metadata.annotations, [ANN_SELECTED_NODE]: nodeName };
          pvcs.assume(claim);
          reserved.provisions.push(claim);
        }
      } catch (err) {
        restore(reserved);
        throw err;
      }
      s.reserved = reserved;
    },
    unreserve(state) {
      const s = state.read<BindingState>(STATE);
      if (s?.reserved) restore(s.reserved);
    },
    async preBind(state, pod, nodeName, signal) {
      const reserved = state.read<BindingState>(STATE)?.reserved;
      if (!reserved) return;
      // No API rollback if the binding fails later: the PV controller takes it from here.
      for (const b of reserved.staticBindings) b.pv = await client.update(PERSISTENT_VOLUMES, b.pv, { signal });
      for (let i = 0; i < reserved.provisions.length; i++) {
        reserved.provisions[i] = await client.update(PERSISTENT_VOLUME_CLAIMS, reserved.provisions[i], { signal });
      }
      const deadline = Date.now() + bindTimeoutMs;
      for (;;) {
        let done: boolean;
        try {
          done = bindingsDone(pod, nodeName, reserved);
        } catch (err) {
          throw new Error(`binding volumes: ${(err as Error).message}`);
        }
        if (done) return;
        if (Date.now() >= deadline) throw new Error('binding volumes: timed out waiting for the condition');
        await delay(pollMs, undefined, { signal });
      }
    },
  };
}
