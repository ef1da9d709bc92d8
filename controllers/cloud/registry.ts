import type { CloudControllerDescriptor } from './cloud-context.js';
import { cloudNodeController } from './node/cloud-node-controller.js';
import { cloudNodeLifecycleController } from './node/cloud-node-lifecycle-controller.js';
import { routeController } from './route/route-controller.js';
import { serviceLoadBalancerController } from './service/service-lb-controller.js';
import { attachDetachController } from './volume/attach-detach-controller.js';
import { ebsProvisionerController } from './volume/ebs-provisioner-controller.js';
import { persistentVolumeExpanderController } from './volume/expander-controller.js';

/** Every controller the cloud-controller-manager can run, as --controllers names them. */
export const cloudControllerDescriptors: CloudControllerDescriptor[] = [
  cloudNodeController,
  cloudNodeLifecycleController,
  routeController,
  serviceLoadBalancerController,
  ebsProvisionerController,
  attachDetachController,
  persistentVolumeExpanderController,
];
