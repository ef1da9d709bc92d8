import type { ControllerDescriptor } from '../controller.js';
import { nodeIpamController } from '../nodeipam/node-ipam-controller.js';
import { podGcController } from '../podgc/pod-gc-controller.js';
import { nodeLifecycleController } from './node-lifecycle-controller.js';
import { taintEvictionController } from './taint-eviction-controller.js';

/** kube-controller-manager's node controllers, in the order kube lists them. */
export const nodeControllers: ControllerDescriptor[] = [
  nodeIpamController,
  nodeLifecycleController,
  taintEvictionController,
  podGcController,
];
