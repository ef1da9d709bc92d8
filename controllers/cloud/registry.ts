import type { CloudControllerDescriptor } from './cloud-context.js';

/** Every controller the cloud-controller-manager can run, as --controllers names them. */
export const cloudControllerDescriptors: CloudControllerDescriptor[] = [
];
