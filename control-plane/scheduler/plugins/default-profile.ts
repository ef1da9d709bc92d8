import type { RestClient } from '../../../client/rest-client.js';
import { Framework } from '../framework/framework.js';
import type { Listers } from '../framework/listers.js';
import type { NodeSnapshot } from '../framework/plugin.js';
import { balancedAllocation } from './balanced-allocation.js';
import { interPodAffinity } from './inter-pod-affinity.js';
import { nodeAffinity } from './node-affinity.js';
import { nodePorts } from './node-ports.js';
import { nodeResourcesFit } from './node-resources-fit.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { nodeVolumeLimits } from './node-volume-limits.js';
import { podTopologySpread } from './pod-topology-spread.js';
import { schedulingGates } from './scheduling-gates.js';
import { taintToleration } from './taint-toleration.js';
import { volumeBinding, type VolumeBindingOptions } from './volume-binding.js';
import { volumeZone } from './volume-zone.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface ProfileDeps {
  client: RestClient;
  snapshot: NodeSnapshot;
  listers: Listers;
  volumeBinding?: Pick<VolumeBindingOptions, 'bindTimeoutMs' | 'pollMs'>;
}

/**
 * kube's default-scheduler profile: its plugins in kube's order (which
 * decides which filter's reason a node reports) and kube's score weights.
 * ImageLocality is left out: nodes here do not report their images.
 */
export function defaultProfile(deps: ProfileDeps): Framework {
  const { listers, snapshot } = deps;
  return new Framework(DEFAULT_SCHEDULER_NAME, [
    { plugin: schedulingGates() },
    { plugin: nodeUnschedulable() },
    { plugin: taintToleration(), weight: 3 },
    { plugin: nodeAffinity(), weight: 2 },
    { plugin: nodePorts() },
    { plugin: nodeResourcesFit(), weight: 1 },
    { plugin: nodeVolumeLimits(listers) },
    { plugin: volumeBinding({ client: deps.client, listers, nodes: snapshot, ...deps.volumeBinding }) },
    { plugin: volumeZone(listers) },
    { plugin: podTopologySpread(snapshot, listers), weight: 2 },
    { plugin: interPodAffinity(snapshot, listers.namespaces), weight: 2 },
    { plugin: balancedAllocation(), weight: 1 },
  ]);
}
