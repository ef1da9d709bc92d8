import { isAlreadyExists } from '../client/api-error.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { STORAGE_CLASSES } from '../client/resources.js';
import { RestClient } from '../client/rest-client.js';

/**
 * The StorageClass `skiff up` installs, as EKS users know it: gp3 EBS volumes
 * through the EBS CSI driver's name, made in the zone of the node the pod is
 * scheduled to, deleted with their claim, growable. One already there (the
 * user's, or from an earlier run) is left as it is.
 */
export async function ensureDefaultStorageClass(kubeconfig: string): Promise<void> {
  const client = new RestClient(loadKubeconfig({ path: kubeconfig }));
  try {
    await client.create(STORAGE_CLASSES, {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
      metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', 'csi.storage.k8s.io/fstype': 'ext4' },
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  } finally {
    client.close();
  }
}
