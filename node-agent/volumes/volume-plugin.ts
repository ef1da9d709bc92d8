import type { AnyObject } from '../../client/resource.js';
import type { Payload } from './atomic-writer.js';

/** What a plugin may use while it sets up one pod's volume. */
export interface VolumeContext {
  pod: AnyObject;
  /** The node's allocatable now: the downward API's value for limits a container does not set, and the ceiling of memory-backed volumes. */
  allocatable(): Record<string, string>;
  /** A config map or secret of the pod's namespace, read once per pod sync; undefined when it does not exist. */
  configMap(name: string): Promise<AnyObject | undefined>;
  secret(name: string): Promise<AnyObject | undefined>;
  /** A token of the pod's service account, bound to the pod, renewed before it expires. */
  serviceAccountToken(source: AnyObject): Promise<string>;
  /** The folder an emptyDir keeps at `dir`, on the node's disk or in memory (a tmpfs, no larger than `sizeLimit`); idempotent. */
  emptyDir(dir: string, medium: 'disk' | 'memory', sizeLimit?: string): Promise<void>;
  /** Makes `dir` hold exactly `payload`, atomically. */
  writeAtomically(dir: string, payload: Payload): void;
}

/**
 * One kind of volume, as a kubelet volume plugin: where its folder goes,
 * whether containers always see it read-only, whether its content follows
 * a source (and so is set up again on every pod sync), and how it is set up.
 */
export interface VolumePlugin {
  /** The kubelet's plugin name, the folder under pods/<uid>/volumes/ its volumes live in. */
  name: string;
  readOnly: boolean;
  refreshes: boolean;
  /** Makes the volume true at `dir` (its own folder; a hostPath volume has none) and answers where it is on the host. */
  setUp(volume: AnyObject, dir: string, ctx: VolumeContext): Promise<string>;
}

/**
 * A volume that cannot be set up yet, for a reason that is not a failure
 * (its claim not bound yet, its EBS volume not attached yet): the pod waits
 * and the volume is tried again at the pod's next sync, with no back-off.
 */
export class VolumeNotReadyError extends Error {}
