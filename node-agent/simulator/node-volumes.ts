import { ANN_BETA_STORAGE_PROVISIONER, ANN_STORAGE_PROVISIONER } from '../../api/storage/annotations.js';
import { claimNamesOf } from '../../api/storage/pod-claims.js';
import { csiAttachmentName, csiSource, csiUniqueVolumeName, EBS_CSI_DRIVER } from '../../api/storage/csi-attachment.js';
import { Informer } from '../../client/informer.js';
import type { ErrorReporter } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, VOLUME_ATTACHMENTS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';

const RESIZE_CONDITIONS = new Set(['Resizing', 'FileSystemResizePending']);

/**
 * What a kubelet knows of its pods' attachable volumes, for simulated
 * nodes: a pod starts only once each EBS volume it uses is attached to its
 * node (the VolumeAttachment says so), the node lists those volumes in
 * status.volumesInUse while its pods need them, and a claim waiting for
 * FileSystemResizePending is finished once a pod runs with it. Only EBS
 * volumes are attached in Skiff; other CSI drivers' volumes need no attach.
 */
export class NodeVolumes {
  readonly claims: Informer;
  readonly pvs: Informer;
  readonly attachments: Informer;

  constructor(private readonly client: RestClient, onError: ErrorReporter) {
    this.claims = new Informer(client, PERSISTENT_VOLUME_CLAIMS, { onError });
    this.pvs = new Informer(client, PERSISTENT_VOLUMES, { onError });
    this.attachments = new Informer(client, VOLUME_ATTACHMENTS, { onError });
  }

  get informers(): Informer[] {
    return [this.claims, this.pvs, this.attachments];
  }

  /** The pod's bound claims whose PVs are EBS volumes, with their volume ids. */
  private ebsVolumes(pod: AnyObject): { claim: AnyObject; pv: AnyObject; volumeHandle: string }[] {
    const out = [];
    for (const name of claimNamesOf(pod)) {
      const claim = this.claims.store.get(`${pod.metadata.namespace}/${name}`);
      const pv = claim?.spec?.volumeName ? this.pvs.store.get(claim.spec.volumeName) : undefined;
      const source = csiSource(pv);
      if (source?.driver === EBS_CSI_DRIVER) out.push({ claim: claim!, pv: pv!, volumeHandle: source.volumeHandle });
    }
    return out;
  }

  /**
   * Every EBS volume the pod uses is attached to the node (the kubelet's
   * WaitForAttachAndMount), including those of claims handed to the EBS
   * provisioner that this cache does not see bound yet. Other claims do not
   * hold a simulated pod back: nothing would attach them.
   */
  ready(pod: AnyObject, nodeName: string): boolean {
    for (const name of claimNamesOf(pod)) {
      const claim = this.claims.store.get(`${pod.metadata.namespace}/${name}`);
      const annotations = claim?.metadata.annotations ?? {};
      const provisioner = annotations[ANN_STORAGE_PROVISIONER] ?? annotations[ANN_BETA_STORAGE_PROVISIONER];
      if (provisioner === EBS_CSI_DRIVER && !(claim?.spec?.volumeName && this.pvs.store.get(claim.spec.volumeName))) return false;
    }
    return this.ebsVolumes(pod).every(({ volumeHandle }) => this.attachments.store.get(csiAttachmentName(volumeHandle, EBS_CSI_DRIVER, nodeName))?.status?.attached === true);
  }

  /** status.volumesInUse for a node running these pods: their EBS volumes' unique names, sorted. */
  inUse(pods: AnyObject[]): string[] {
    const names = new Set<string>();
    for (const pod of pods) for (const { volumeHandle } of this.ebsVolumes(pod)) names.add(csiUniqueVolumeName(EBS_CSI_DRIVER, volumeHandle));
    return [...names].sort();
  }

  /** The kubelet's node expansion: a claim of a running pod waiting on its file system gets its new capacity and loses the condition. */
  async finishResizes(pod: AnyObject): Promise<void> {
    for (const { claim, pv } of this.ebsVolumes(pod)) {
      if (!NodeVolumes.resizePending(claim)) continue;
      const { storage: _done, ...statuses } = claim.status?.allocatedResourceStatuses ?? {};
      const status = {
        ...claim.status,
        capacity: { ...claim.status?.capacity, storage: pv.spec?.capacity?.storage },
        conditions: claim.status.conditions.filter((c: AnyObject) => !RESIZE_CONDITIONS.has(c.type)),
        allocatedResourceStatuses: statuses,
      };
      await this.client.updateStatus(PERSISTENT_VOLUME_CLAIMS, { ...claim, status });
    }
  }

  /** The claim waits for a node to grow its file system. */
  static resizePending(claim: AnyObject): boolean {
    return (claim.status?.conditions ?? []).some((c: AnyObject) => c.type === 'FileSystemResizePending');
  }
}
