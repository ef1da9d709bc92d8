import { csiSource, EBS_CSI_DRIVER } from '../../../api/storage/csi-attachment.js';
import type { Quantity } from '../../../api/validation/quantity.js';
import type { KObject } from '../../../api/kind.js';
import { Ec2Volumes, type Volumes } from '../../aws/volumes.js';
import type { CloudContext } from '../cloud-context.js';

/** The zone key the EBS CSI driver's topology also uses; Skiff's nodes carry the well-known one, so PVs name only that. */
export const TOPOLOGY_EBS_ZONE = 'topology.ebs.csi.aws.com/zone';

/** The EBS volume id of a PV the EBS CSI driver serves. */
export function ebsVolumeId(pv: KObject | undefined): string | undefined {
  const source = csiSource(pv);
  return source?.driver === EBS_CSI_DRIVER ? source.volumeHandle : undefined;
}

/** The EBS operations of one cloud controller, on the process's clients. */
export const volumesFor = (ctx: CloudContext): Volumes => new Ec2Volumes(ctx.aws, ctx.options.clusterName);

const GIB = 1n << 30n;

/** A storage quantity in whole GiB, rounded up (the EBS CSI driver's RoundUpGiB); at least 1. */
export function roundUpGiB(q: Readonly<Quantity>): number {
  let bytes = q.value;
  if (q.scale >= 0) bytes *= 10n ** BigInt(q.scale);
  else {
    const div = 10n ** BigInt(-q.scale);
    bytes = (bytes + div - 1n) / div;
  }
  const gib = (bytes + GIB - 1n) / GIB;
  return Math.max(1, Number(gib));
}
