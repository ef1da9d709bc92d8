import { csrApprovingController } from './certificates/csr-approving.js';
import { csrSigningController } from './certificates/csr-signing.js';
import { rootCaCertPublisherController } from './certificates/root-ca-cert-publisher.js';
import type { ControllerDescriptor } from './controller.js';
import { daemonSetController } from './daemon/daemonset-controller.js';
import { statefulSetController } from './statefulset/statefulset-controller.js';
import { deploymentController } from './deployment/deployment-controller.js';
import { endpointsController } from './endpoint/endpoints-controller.js';
import { endpointSliceController } from './endpointslice/endpointslice-controller.js';
import { endpointSliceMirroringController } from './endpointslicemirroring/endpointslicemirroring-controller.js';
import { garbageCollectorController } from './garbagecollector/garbage-collector-controller.js';
import { namespaceController } from './namespace/namespace-controller.js';
import { nodeIpamController } from './nodeipam/node-ipam-controller.js';
import { nodeLifecycleController } from './nodelifecycle/node-lifecycle-controller.js';
import { podGcController } from './podgc/pod-gc-controller.js';
import { replicaSetController } from './replicaset/replicaset-controller.js';
import { replicationController } from './replication/replication-controller.js';
import { serviceAccountController } from './serviceaccount/serviceaccount-controller.js';
import { taintEvictionController } from './tainteviction/taint-eviction-controller.js';
import { jobController } from './job/job-controller.js';
import { cronJobController } from './cronjob/cronjob-controller.js';
import { ttlAfterFinishedController } from './ttlafterfinished/ttl-after-finished-controller.js';
import { persistentVolumeBinderController } from './volume/persistentvolume/binder-controller.js';
import { pvProtectionController } from './volume/pv-protection/pv-protection-controller.js';
import { pvcProtectionController } from './volume/pvc-protection/pvc-protection-controller.js';

/**
 * Every controller the controller-manager can run, as --controllers names
 * them; related ones (node, volume, endpoint controllers) in the order kube
 * lists them.
 */
export const controllerDescriptors: ControllerDescriptor[] = [
  namespaceController,
  serviceAccountController,
  csrApprovingController,
  csrSigningController,
  rootCaCertPublisherController,
  nodeIpamController,
  nodeLifecycleController,
  taintEvictionController,
  podGcController,
  garbageCollectorController,
  persistentVolumeBinderController,
  pvcProtectionController,
  pvProtectionController,
  replicaSetController,
  replicationController,
  deploymentController,
  daemonSetController,
  statefulSetController,
  endpointsController,
  endpointSliceController,
  endpointSliceMirroringController,
  jobController,
  cronJobController,
  ttlAfterFinishedController,
];

/**
 * The controllers --controllers selects, as kube reads the list: `*` turns
 * on those enabled by default, `name` turns one on, `-name` turns it off;
 * names are kube's (replicaset-controller) or their short forms (replicaset).
 */
export function selectControllers<D extends ControllerDescriptor<any>>(list: string[], all: D[]): D[] {
  const find = (name: string) => {
    const d = all.find((c) => c.name === name || c.aliases.includes(name));
    if (!d) throw new Error(`"${name}" is not in the list of known controllers: ${all.map((c) => c.name).join(', ')}`);
    return d;
  };
  const on = new Set<D>();
  const off = new Set<D>();
  let star = false;
  for (const entry of list) {
    if (entry === '*') star = true;
    else if (entry.startsWith('-')) off.add(find(entry.slice(1)));
    else on.add(find(entry));
  }
  return all.filter((d) => !off.has(d) && (on.has(d) || (star && d.enabledByDefault)));
}
