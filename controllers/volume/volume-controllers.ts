import type { ControllerDescriptor } from '../controller.js';
import { persistentVolumeBinderController } from './persistentvolume/binder-controller.js';
import { pvProtectionController } from './pv-protection/pv-protection-controller.js';
import { pvcProtectionController } from './pvc-protection/pvc-protection-controller.js';

/** kube-controller-manager's volume controllers, in the order kube lists them. */
export const volumeControllers: ControllerDescriptor[] = [
  persistentVolumeBinderController,
  pvcProtectionController,
  pvProtectionController,
];
