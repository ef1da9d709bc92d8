import { ANN_BETA_STORAGE_PROVISIONER, ANN_DYNAMICALLY_PROVISIONED, ANN_MIGRATED_TO, ANN_STORAGE_PROVISIONER } from '../../../api/storage/annotations.js';
import type { AnyObject } from '../../../client/resource.js';

/**
 * In-tree provisioners whose volumes kube 1.32 always hands to a CSI driver:
 * their migration is GA and the in-tree code is gone, so a class naming
 * kubernetes.io/aws-ebs is provisioned (and deleted) by ebs.csi.aws.com.
 */
const MIGRATED: Record<string, string> = {
  'kubernetes.io/aws-ebs': 'ebs.csi.aws.com',
  'kubernetes.io/gce-pd': 'pd.csi.storage.gke.io',
  'kubernetes.io/azure-disk': 'disk.csi.azure.com',
  'kubernetes.io/azure-file': 'file.csi.azure.com',
  'kubernetes.io/cinder': 'cinder.csi.openstack.org',
  'kubernetes.io/vsphere-volume': 'csi.vsphere.vmware.com',
};

/** The CSI driver that stands in for an in-tree plugin, if it was migrated. */
export const migratedDriver = (plugin: string): string | undefined => MIGRATED[plugin];

/**
 * kube's updateMigrationAnnotations: the annotations an object should carry
 * so its provisioner knows it acts for an in-tree plugin (migrated-to set
 * to the CSI driver, or removed when the plugin is not migrated); undefined
 * when they are right as they are.
 */
export function migrationAnnotations(obj: AnyObject, isClaim: boolean): Record<string, string> | undefined {
  const annotations: Record<string, string> | undefined = obj.metadata.annotations;
  if (!annotations) return undefined;
  const provisioner = isClaim ? annotations[ANN_STORAGE_PROVISIONER] ?? annotations[ANN_BETA_STORAGE_PROVISIONER] : annotations[ANN_DYNAMICALLY_PROVISIONED];
  if (provisioner === undefined) return undefined;
  const driver = migratedDriver(provisioner);
  const current = annotations[ANN_MIGRATED_TO] ?? '';
  if (driver) return current === driver ? undefined : { ...annotations, [ANN_MIGRATED_TO]: driver };
  if (!current) return undefined;
  const { [ANN_MIGRATED_TO]: _dropped, ...rest } = annotations;
  return rest;
}
