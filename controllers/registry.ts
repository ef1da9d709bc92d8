import { csrApprovingController } from './certificates/csr-approving.js';
import { csrSigningController } from './certificates/csr-signing.js';
import type { ControllerDescriptor } from './controller.js';
import { deploymentController } from './deployment/deployment-controller.js';
import { endpointControllers } from './endpoint/endpoint-controllers.js';
import { garbageCollectorController } from './garbagecollector/garbage-collector-controller.js';
import { namespaceController } from './namespace/namespace-controller.js';
import { nodeControllers } from './nodelifecycle/node-controllers.js';
import { replicaSetController } from './replicaset/replicaset-controller.js';
import { serviceAccountController } from './serviceaccount/serviceaccount-controller.js';
import { volumeControllers } from './volume/volume-controllers.js';

/** Every controller the controller-manager can run, as --controllers names them. */
export const controllerDescriptors: ControllerDescriptor[] = [
  namespaceController,
  serviceAccountController,
  csrApprovingController,
  csrSigningController,
  ...nodeControllers,
  garbageCollectorController,
  ...volumeControllers,
  replicaSetController,
  deploymentController,
  ...endpointControllers,
];

/**
 * The controllers --controllers selects, as kube reads the list: `*` turns
 * on those enabled by default, `name` turns one on, `-name` turns it off;
 * names are kube's (replicaset-controller) or their short forms (replicaset).
 */
export function selectControllers(list: string[], all: ControllerDescriptor[] = controllerDescriptors): ControllerDescriptor[] {
  const find = (name: string) => {
    const d = all.find((c) => c.name === name || c.aliases.includes(name));
    if (!d) throw new Error(`"${name}" is not in the list of known controllers: ${all.map((c) => c.name).join(', ')}`);
    return d;
  };
  const on = new Set<ControllerDescriptor>();
  const off = new Set<ControllerDescriptor>();
  let star = false;
  for (const entry of list) {
    if (entry === '*') star = true;
    else if (entry.startsWith('-')) off.add(find(entry.slice(1)));
    else on.add(find(entry));
  }
  return all.filter((d) => !off.has(d) && (on.has(d) || (star && d.enabledByDefault)));
}
