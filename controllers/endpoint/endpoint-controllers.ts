import type { ControllerDescriptor } from '../controller.js';
import { endpointSliceController } from '../endpointslice/endpointslice-controller.js';
import { endpointSliceMirroringController } from '../endpointslicemirroring/endpointslicemirroring-controller.js';
import { endpointsController } from './endpoints-controller.js';

/** kube-controller-manager's endpoint controllers: Endpoints, EndpointSlices, and slices mirrored from users' Endpoints. */
export const endpointControllers: ControllerDescriptor[] = [
  endpointsController,
  endpointSliceController,
  endpointSliceMirroringController,
];
