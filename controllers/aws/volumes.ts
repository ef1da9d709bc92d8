import { createHash } from 'node:crypto';
import {
  AttachVolumeCommand, CreateVolumeCommand, DeleteVolumeCommand, DescribeInstancesCommand, DescribeSubnetsCommand, DescribeVolumesCommand,
  DetachVolumeCommand, ModifyVolumeCommand, type Filter, type Instance as Ec2Instance, type Volume as Ec2Volume, type VolumeType,
} from '@aws-sdk/client-ec2';
import type { AwsClients } from './aws-clients.js';
import { Batcher } from './batcher.js';
import { DeviceReservations } from './ebs-devices.js';
import { hasCode } from './errors.js';
import { clusterFilter, clusterTagKey, RESOURCE_LIFECYCLE_OWNED, TAG_NAME, tagList, tagRecord, type Tags } from './tags.js';

/** On a volume, the name it was created for (the PV's), as the EBS CSI driver tags it: how a retry finds it. */
export const TAG_CSI_VOLUME_NAME = 'CSIVolumeName';
/** On a volume, that the EBS CSI driver (here, the cloud-controller-manager) manages it. */
export const TAG_EBS_CSI_MANAGED = 'ebs.csi.aws.com/cluster';

export interface VolumeRequest {
  /** The PersistentVolume's name: the CSIVolumeName tag and the seed of the idempotency token. */
  name: string;
  zone: string;
  sizeGiB: number;
  /** gp3 unless given. */
  type?: string;
  /** Total IOPS, or IOPS per GiB multiplied by the size; capped to the type's limits as the EBS CSI driver does. */
  iops?: number;
  iopsPerGB?: number;
  /** Raise IOPS up to the type's minimum when iopsPerGB gives too few (allowAutoIOPSPerGBIncrease). */
  allowIopsIncrease?: boolean;
  throughput?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  /** Tags besides the ones every volume gets (cluster, CSIVolumeName, Name). */
  tags?: Tags;
}

export interface VolumeAttachmentInfo {
  instanceId: string;
  device: string;
  state: string;
  attachTime?: Date;
}

export interface Volume {
  id: string;
  zone: string;
  sizeGiB: number;
  type: string;
  /** creating, available, in-use, deleting, deleted, error. */
  state: string;
  attachments: VolumeAttachmentInfo[];
  tags: Tags;
}

/** Where an attachment stands: attached with its device, still attaching (since when), or the instance is gone for good. */
export type AttachState =
  | { state: 'attached'; device: string }
  | { state: 'attaching' | 'detaching'; device: string; since?: Date }
  | { state: 'instance-gone' };

/** The EBS operations the volume controllers need, in Kubernetes terms, with AWS's answers folded into a few states. */
export interface Volumes {
  /** The cluster's volume made for this PV name, if any (a tag lookup, so a crash after CreateVolume never makes a second one). */
  findByName(name: string): Promise<Volume | undefined>;
  /** findByName, else CreateVolume with a ClientToken derived from the name. */
  create(request: VolumeRequest): Promise<Volume>;
  /** undefined when AWS says the volume does not exist. */
  describe(volumeId: string): Promise<Volume | undefined>;
  /** Attaches to the instance under the first free device name from /dev/xvdaa, unless it already is; answers where it stands. */
  attach(volumeId: string, instanceId: string): Promise<AttachState>;
  /** Detaches (always naming the instance); 'detached' when it is, or when AWS says there was nothing to detach. */
  detach(volumeId: string, instanceId: string): Promise<'detached' | 'detaching'>;
  /** 'in-use' while the volume is still attached somewhere; 'deleted' also when it was gone already. */
  delete(volumeId: string): Promise<'deleted' | 'in-use'>;
  /** Grows the volume to at least sizeGiB; 'in-progress' while AWS is still modifying it. */
  resize(volumeId: string, sizeGiB: number): Promise<{ sizeGiB: number; state: 'done' | 'in-progress' }>;
  /** The zones of the cluster's subnets. */
  zones(): Promise<string[]>;
}

interface IopsLimits {
  min: number;
  max: number;
  perGiB: number;
}

/** EBS's IOPS limits per provisioned-IOPS type (the EBS CSI driver's fallbacks when AWS does not say). */
const IOPS_LIMITS: Record<string, IopsLimits> = {
  io1: { min: 100, max: 64_000, perGiB: 50 },
  io2: { min: 100, max: 256_000, perGiB: 1000 },
  gp3: { min: 3000, max: 16_000, perGiB: 500 },
};

/** The IOPS asked for, within the type's limits: at most its maximum and its per-GiB ratio, at least its minimum when allowed. */
export function capIops(type: string, sizeGiB: number, iops: number, allowIncrease: boolean): number {
  const limits = IOPS_LIMITS[type];
  if (!limits) return iops;
  let capped = iops;
  if (allowIncrease && capped < limits.min) capped = limits.min;
  if (capped > limits.max) capped = limits.max;
  const byCapacity = limits.perGiB * sizeGiB;
  if (capped > byCapacity && byCapacity >= limits.min) capped = byCapacity;
  return capped;
}

/** The idempotency token the EBS CSI driver derives from a volume's name: its SHA-256, which fits ClientToken's 64 characters. */
export const volumeClientToken = (name: string): string => createHash('sha256').update(name).digest('hex');

function toVolume(v: Ec2Volume): Volume {
  return {
    id: v.VolumeId!, zone: v.AvailabilityZone ?? '', sizeGiB: v.Size ?? 0, type: String(v.VolumeType ?? ''), state: String(v.State ?? ''),
    attachments: (v.Attachments ?? []).map((a) => ({ instanceId: a.InstanceId ?? '', device: a.Device ?? '', state: String(a.State ?? ''), attachTime: a.AttachTime })),
    tags: tagRecord(v.Tags),
  };
}

/** Lookups made within this long of each other share one Describe call (values per filter stay well under EC2's 200). */
const BATCH = { windowMs: 20, maxKeys: 100 };

/**
 * The EC2 implementation. Its Describe calls are batched across the
 * volumes being worked on at once, by filters (which, unlike ids, do not
 * fail a whole call for one unknown id); an id a filter did not return is
 * asked for alone, so only AWS's NotFound means gone.
 */
export class Ec2Volumes implements Volumes {
  private readonly devices = new DeviceReservations();
  private readonly byName: Batcher<string, Volume[]>;
  private readonly byId: Batcher<string, Volume>;
  private readonly instances: Batcher<string, Ec2Instance>;

  constructor(private readonly aws: AwsClients, private readonly clusterName: string) {
    this.byName = new Batcher(async (names) => {
      const out = new Map<string, Volume[]>();
      for (const v of await this.describeVolumes([{ Name: `tag:${TAG_CSI_VOLUME_NAME}`, Values: names }, clusterFilter(this.clusterName)])) {
        const name = v.tags[TAG_CSI_VOLUME_NAME];
        out.set(name, [...(out.get(name) ?? []), v]);
      }
      return out;
    }, BATCH);
    this.byId = new Batcher(async (ids) => new Map((await this.describeVolumes([{ Name: 'volume-id', Values: ids }])).map((v) => [v.id, v])), BATCH);
    this.instances = new Batcher(async (ids) => {
      const out = new Map<string, Ec2Instance>();
      let NextToken: string | undefined;
      do {
        const page = await this.aws.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: ids }], NextToken }));
        for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) out.set(i.InstanceId!, i);
        NextToken = page.NextToken;
      } while (NextToken);
      return out;
    }, BATCH);
  }

  private async describeVolumes(Filters: Filter[]): Promise<Volume[]> {
    const out: Volume[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.aws.ec2.send(new DescribeVolumesCommand({ Filters, NextToken }));
      out.push(...(page.Volumes ?? []).map(toVolume));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  async findByName(name: string): Promise<Volume | undefined> {
    const live = ((await this.byName.get(name)) ?? []).filter((v) => v.state !== 'deleting' && v.state !== 'deleted');
    if (live.length > 1) throw new Error(`several volumes are tagged ${TAG_CSI_VOLUME_NAME}=${name}: ${live.map((v) => v.id).join(', ')}`);
    return live[0];
  }

  async create(request: VolumeRequest): Promise<Volume> {
    const found = await this.findByName(request.name);
    if (found) return found;
    const type = request.type || 'gp3';
    if (request.iops && request.iopsPerGB) throw new Error('invalid StorageClass parameters; specify either IOPS or IOPSPerGb, not both');
    const wanted = request.iops ?? (request.iopsPerGB ? request.iopsPerGB * request.sizeGiB : 0);
    const iops = wanted ? capIops(type, request.sizeGiB, wanted, request.allowIopsIncrease ?? false) : undefined;
    const tags: Tags = {
      ...request.tags,
      [clusterTagKey(this.clusterName)]: RESOURCE_LIFECYCLE_OWNED,
      [TAG_CSI_VOLUME_NAME]: request.name,
      [TAG_EBS_CSI_MANAGED]: 'true',
      [TAG_NAME]: `${this.clusterName}-dynamic-${request.name}`,
    };
    const out = await this.aws.ec2.send(new CreateVolumeCommand({
      ClientToken: volumeClientToken(request.name),
      AvailabilityZone: request.zone,
      Size: request.sizeGiB,
      VolumeType: type as VolumeType,
      Iops: iops,
      Throughput: request.throughput || undefined,
      Encrypted: request.encrypted || !!request.kmsKeyId,
      KmsKeyId: request.kmsKeyId || undefined,
      TagSpecifications: [{ ResourceType: 'volume', Tags: tagList(tags) }],
    }));
    return toVolume(out);
  }

  async describe(volumeId: string): Promise<Volume | undefined> {
    const found = await this.byId.get(volumeId);
    if (found) return found;
    try {
      const out = await this.aws.ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
      const v = out.Volumes?.[0];
      return v ? toVolume(v) : undefined;
    } catch (err) {
      if (hasCode(err, 'InvalidVolume.NotFound')) return undefined;
      throw err;
    }
  }

  async attach(volumeId: string, instanceId: string): Promise<AttachState> {
    let instance = await this.instances.get(instanceId);
    if (!instance) {
      try {
        instance = (await this.aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]?.Instances?.[0];
      } catch (err) {
        if (hasCode(err, 'InvalidInstanceID.NotFound')) return { state: 'instance-gone' };
        throw err;
      }
    }
    const state = instance?.State?.Name;
    if (!instance || state === 'terminated' || state === 'shutting-down') return { state: 'instance-gone' };
    const mappings = instance.BlockDeviceMappings ?? [];
    const existing = mappings.find((m) => m.Ebs?.VolumeId === volumeId);
    if (existing) return this.attachState(String(existing.Ebs?.Status ?? ''), existing.DeviceName ?? '', existing.Ebs?.AttachTime);
    const device = this.devices.reserve(instanceId, mappings.map((m) => m.DeviceName ?? ''));
    try {
      const out = await this.aws.ec2.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: device }));
      if (out.State === 'attached') return { state: 'attached', device };
    } finally {
      this.devices.release(instanceId, device);
    }
    // AttachVolume answers "attaching"; one look says whether it is done already.
    const volume = await this.describe(volumeId);
    const now = volume?.attachments.find((a) => a.instanceId === instanceId);
    return this.attachState(now?.state ?? 'attaching', now?.device ?? device, now?.attachTime);
  }

  private attachState(state: string, device: string, since?: Date): AttachState {
    if (state === 'attached') return { state: 'attached', device };
    return { state: state === 'detaching' ? 'detaching' : 'attaching', device, since };
  }

  async detach(volumeId: string, instanceId: string): Promise<'detached' | 'detaching'> {
    try {
      const out = await this.aws.ec2.send(new DetachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId }));
      if (out.State === 'detached') return 'detached';
    } catch (err) {
      if (hasCode(err, 'IncorrectState', 'InvalidAttachment.NotFound', 'InvalidVolume.NotFound', 'InvalidInstanceID.NotFound')) return 'detached';
      throw err;
    }
    const volume = await this.describe(volumeId);
    const left = volume?.attachments.find((a) => a.instanceId === instanceId && a.state !== 'detached');
    return left ? 'detaching' : 'detached';
  }

  async delete(volumeId: string): Promise<'deleted' | 'in-use'> {
    try {
      await this.aws.ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId }));
      return 'deleted';
    } catch (err) {
      if (hasCode(err, 'InvalidVolume.NotFound')) return 'deleted';
      if (hasCode(err, 'VolumeInUse')) return 'in-use';
      throw err;
    }
  }

  async resize(volumeId: string, sizeGiB: number): Promise<{ sizeGiB: number; state: 'done' | 'in-progress' }> {
    const volume = await this.describe(volumeId);
    if (!volume) throw new Error(`volume ${volumeId} not found`);
    if (volume.sizeGiB >= sizeGiB) return { sizeGiB: volume.sizeGiB, state: 'done' };
    try {
      const out = await this.aws.ec2.send(new ModifyVolumeCommand({ VolumeId: volumeId, Size: sizeGiB }));
      // The new size is usable once the modification is optimizing (the EBS CSI driver waits for that too).
      const state = out.VolumeModification?.ModificationState;
      return { sizeGiB, state: state === 'optimizing' || state === 'completed' ? 'done' : 'in-progress' };
    } catch (err) {
      // An earlier modification is still under way: look again later.
      if (hasCode(err, 'IncorrectModificationState')) return { sizeGiB: volume.sizeGiB, state: 'in-progress' };
      throw err;
    }
  }

  async zones(): Promise<string[]> {
    const out = await this.aws.ec2.send(new DescribeSubnetsCommand({ Filters: [clusterFilter(this.clusterName)] }));
    return [...new Set((out.Subnets ?? []).map((s) => s.AvailabilityZone ?? '').filter(Boolean))].sort();
  }
}
