import { isNodeReady } from '../../../api/node-status.js';
import { claimNamesOf } from '../../../api/storage/pod-claims.js';
import type { AnyObject } from '../../../client/resource.js';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS, VOLUME_ATTACHMENTS } from '../../../client/resources.js';
import { indexPodsByNodeName, POD_NODE_NAME_INDEX } from '../../pods-by-node.js';
import { indexPodsByClaim, POD_CLAIM_INDEX } from '../../volume/pods-by-claim.js';
import { workersFor } from '../../controller.js';
import { cloudQueue, type CloudControllerDescriptor } from '../cloud-context.js';
import { requeueOnConflict } from './conflicts.js';
import { attachmentKey, syncAttachment, VA_KEY_INDEX, vaKeyIndex, VA_PV_INDEX, vaPvIndex, type AttachDetach } from './attach-sync.js';
import { volumesFor } from './ebs-csi.js';

const NAME = 'attachdetach-controller';

/**
 * kube's attach/detach controller with the EBS external-attacher behind it:
 * EBS volumes follow the pods that use them onto their nodes' instances
 * and off again. One key per volume and node, `<pv>/<node>`.
 */
export const attachDetachController: CloudControllerDescriptor = {
  name: NAME, aliases: ['attachdetach'], enabledByDefault: true,
  create(ctx) {
    const a: AttachDetach = {
      client: ctx.client,
      recorder: ctx.recorder(NAME),
      volumes: volumesFor(ctx),
      pods: ctx.informers.for<AnyObject>(PODS),
      claims: ctx.informers.for<AnyObject>(PERSISTENT_VOLUME_CLAIMS),
      pvs: ctx.informers.for<AnyObject>(PERSISTENT_VOLUMES),
      nodes: ctx.informers.for<AnyObject>(NODES),
      attachments: ctx.informers.for<AnyObject>(VOLUME_ATTACHMENTS),
      attachTimeoutMs: ctx.options.attachTimeoutMs,
      goneInstances: new Set(),
    };
    indexPodsByClaim(ctx.informers, a.pods);
    indexPodsByNodeName(ctx.informers, a.pods);
    ctx.informers.index(a.attachments, VA_KEY_INDEX, vaKeyIndex);
    ctx.informers.index(a.attachments, VA_PV_INDEX, vaPvIndex);
    const queue = cloudQueue(ctx);

    const volumeOfClaim = (namespace: string, claimName: string): string | undefined => a.claims.store.get(`${namespace}/${claimName}`)?.spec?.volumeName;
    const podChanged = (pod: AnyObject) => {
      const node = pod.spec?.nodeName;
      if (!node) return;
      for (const claim of claimNamesOf(pod)) {
        const pv = volumeOfClaim(pod.metadata.namespace!, claim);
        if (pv) queue.add(attachmentKey(pv, node));
      }
    };
    const claimUsers = (namespace: string, claimName: string) => {
      for (const pod of a.pods.store.byIndex(POD_CLAIM_INDEX, `${namespace}/${claimName}`)) podChanged(pod);
    };
    const attachmentsOfVolume = (pvName: string) => {
      for (const va of a.attachments.store.byIndex(VA_PV_INDEX, pvName)) for (const key of vaKeyIndex(va)) queue.add(key);
    };
    a.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_old, pod) => podChanged(pod), onDelete: podChanged });
    a.claims.addEventHandler({ onUpdate: (_old, claim) => claimUsers(claim.metadata.namespace!, claim.metadata.name!) });
    const pvChanged = (pv: AnyObject) => {
      const ref = pv.spec?.claimRef;
      if (ref) claimUsers(ref.namespace, ref.name);
      attachmentsOfVolume(pv.metadata.name!);
    };
    a.pvs.addEventHandler({ onAdd: pvChanged, onUpdate: (_old, pv) => pvChanged(pv) });
    a.attachments.addEventHandler({
      onAdd: (va) => { for (const key of vaKeyIndex(va)) queue.add(key); },
      onUpdate: (_old, va) => { for (const key of vaKeyIndex(va)) queue.add(key); },
      // An attachment gone may free its volume for a pod waiting on another node.
      onDelete: (va) => {
        const pv = va.spec?.source?.persistentVolumeName;
        const ref = pv && a.pvs.store.get(pv)?.spec?.claimRef;
        if (ref) claimUsers(ref.namespace, ref.name);
      },
    });
    const nodeChanged = (node: AnyObject) => {
      for (const va of a.attachments.store.list()) if (va.spec?.nodeName === node.metadata.name) for (const key of vaKeyIndex(va)) queue.add(key);
      for (const pod of a.pods.store.byIndex(POD_NODE_NAME_INDEX, node.metadata.name!)) podChanged(pod);
    };
    a.nodes.addEventHandler({
      onAdd: nodeChanged,
      onUpdate: (old, node) => {
        // Heartbeats change nothing here: only the providerID, readiness, volumes in use or deletion matter.
        if (old.spec?.providerID !== node.spec?.providerID || old.metadata.deletionTimestamp !== node.metadata.deletionTimestamp
          || isNodeReady(old) !== isNodeReady(node)
          || JSON.stringify(old.status?.volumesInUse ?? []) !== JSON.stringify(node.status?.volumesInUse ?? [])) nodeChanged(node);
      },
      onDelete: nodeChanged,
    });
    return [{ name: NAME, queue, reconcile: (key: string) => requeueOnConflict(() => syncAttachment(a, key)), workers: workersFor(ctx, NAME, 10) }];
  },
};
