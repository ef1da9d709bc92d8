import { claimClass } from '../../../api/kinds/persistent-volume-claim.js';
import {
  LABEL_FAILURE_DOMAIN_BETA_REGION, LABEL_FAILURE_DOMAIN_BETA_ZONE, LABEL_TOPOLOGY_REGION, LABEL_TOPOLOGY_ZONE,
} from '../../../api/well-known.js';
import type { AnyObject } from '../../../client/resource.js';
import { Action } from '../framework/cluster-event.js';
import type { Lister } from '../framework/listers.js';
import { SKIP, unresolvable, type Plugin, type Status } from '../framework/plugin.js';

export const ERR_REASON_ZONE_CONFLICT = 'node(s) had no available volume zone';

const REJECTED = unresolvable(ERR_REASON_ZONE_CONFLICT);
const STATE = 'PreFilterVolumeZone';
const TOPOLOGY_LABELS = [LABEL_FAILURE_DOMAIN_BETA_ZONE, LABEL_FAILURE_DOMAIN_BETA_REGION, LABEL_TOPOLOGY_ZONE, LABEL_TOPOLOGY_REGION];
const GA_LABEL: Record<string, string> = { [LABEL_FAILURE_DOMAIN_BETA_ZONE]: LABEL_TOPOLOGY_ZONE, [LABEL_FAILURE_DOMAIN_BETA_REGION]: LABEL_TOPOLOGY_REGION };

interface PVTopology {
  key: string;
  values: Set<string>;
}

/** The zone and region labels of a bound volume; a value may list several zones joined by "__". */
function volumeTopologies(pv: AnyObject): PVTopology[] {
  const labels: Record<string, string> = pv.metadata?.labels ?? {};
  return TOPOLOGY_LABELS.filter((k) => Object.hasOwn(labels, k)).map((key) => ({ key, values: new Set(labels[key].split('__').map((z) => z.trim())) }));
}

/**
 * VolumeZone: a pod whose bound volumes carry zone or region labels fits
 * only nodes in those zones and regions. Nodes without any topology label
 * (a single-zone cluster) always fit.
 */
export function volumeZone(listers: { persistentVolumeClaims: Lister; persistentVolumes: Lister; storageClasses: Lister }): Plugin {
  const topologiesOf = (namespace: string, pod: AnyObject): PVTopology[] | Status => {
    const found: PVTopology[] = [];
    for (const v of pod.spec?.volumes ?? []) {
      if (!v?.persistentVolumeClaim) continue;
      const name: string = v.persistentVolumeClaim.claimName ?? '';
      if (!name) return unresolvable('PersistentVolumeClaim had no name');
      const pvc = listers.persistentVolumeClaims.get(`${namespace}/${name}`);
      if (!pvc) return unresolvable(`persistentvolumeclaim "${name}" not found`);
      const pvName: string | undefined = pvc.spec?.volumeName;
      if (!pvName) {
        const className = claimClass(pvc);
        if (!className) return unresolvable('PersistentVolumeClaim had no pv name and storageClass name');
        const sc = listers.storageClasses.get(className);
        if (!sc) return unresolvable(`storageclass.storage.k8s.io "${className}" not found`);
        if (!sc.volumeBindingMode) return unresolvable(`VolumeBindingMode not set for StorageClass "${className}"`);
        if (sc.volumeBindingMode === 'WaitForFirstConsumer') continue;
        return unresolvable('PersistentVolume had no name');
      }
      const pv = listers.persistentVolumes.get(pvName);
      if (!pv) return unresolvable(`persistentvolume "${pvName}" not found`);
      found.push(...volumeTopologies(pv));
    }
    return found;
  };

  return {
    name: 'VolumeZone',
    events: [
      { resource: 'StorageClass', actions: Action.Add },
      { resource: 'Node', actions: Action.Add | Action.UpdateNodeLabel },
      { resource: 'PersistentVolumeClaim', actions: Action.Add | Action.UpdateOther },
      { resource: 'PersistentVolume', actions: Action.Add | Action.UpdateOther },
    ],
    preFilter(state, pod) {
      if (!pod.usesVolumes) return SKIP;
      const topologies = topologiesOf(pod.namespace, pod.pod);
      if (!Array.isArray(topologies)) return topologies;
      if (!topologies.length) return SKIP;
      state.write(STATE, topologies);
      return undefined;
    },
    filter(state, _pod, node) {
      if (!TOPOLOGY_LABELS.some((k) => Object.hasOwn(node.labels, k))) return undefined;
      for (const t of state.read<PVTopology[]>(STATE)!) {
        const value = node.labels[t.key] ?? node.labels[GA_LABEL[t.key]];
        if (value === undefined || !t.values.has(value)) return REJECTED;
      }
      return undefined;
    },
  };
}
