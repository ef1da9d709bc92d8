import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isNotFound } from '../../client/api-error.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { ErrorReporter } from '../../client/log.js';
import type { AnyObject, ResourceRef } from '../../client/resource.js';
import { CONFIG_MAPS, SECRETS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { Backoff } from '../pods/backoff.js';
import { AtomicWriter } from './atomic-writer.js';
import { configMapPlugin } from './config-map.js';
import { DeviceMounts } from './device-mounts.js';
import { downwardAPIPlugin } from './downward-api.js';
import { emptyDirPlugin, memoryVolumeSize } from './empty-dir.js';
import { hostPathPlugin } from './host-path.js';
import { mountPointsUnder, mountTmpfs, unmount } from './mount-points.js';
import { PersistentVolumeClaimPlugin } from './persistent-volume-claim.js';
import { projectedPlugin } from './projected.js';
import { secretPlugin } from './secret.js';
import { TokenManager } from './token-manager.js';
import { VolumeNotReadyError, type VolumeContext, type VolumePlugin } from './volume-plugin.js';

/** A volume ready to be mounted into the pod's containers. */
export interface MountedVolume {
  hostPath: string;
  /** Containers always get it read-only (config maps, secrets, the downward API, projections). */
  readOnly: boolean;
}

export interface PodVolumes {
  /** By volume name: those set up at least once. */
  mounted: Map<string, MountedVolume>;
  /** Every volume the pod's containers use is mounted: the pod may start. */
  ready: boolean;
}

/** The plugins that keep no state of their own; the claim plugin is made per manager, with the node's mounts. */
const STATELESS_PLUGINS: Record<string, VolumePlugin> = {
  emptyDir: emptyDirPlugin, configMap: configMapPlugin, secret: secretPlugin,
  downwardAPI: downwardAPIPlugin, projected: projectedPlugin, hostPath: hostPathPlugin,
};

/** Pod folders under <rootDir>/pods/ are named by the pod's UID; the log folders beside them are not. */
const POD_UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A failed set-up is tried again after 0.5 s, doubling to about 2 minutes, as the kubelet's volume operations are. */
const RETRY_INITIAL_MS = 500;
const RETRY_MAX_MS = 122_000;

/**
 * The kubelet's volume manager: the volumes a pod's containers use, set up
 * under <rootDir>/pods/<uid>/volumes/<plugin>/<volume> before the pod's
 * sandbox starts; those that follow a source (config maps, secrets, the
 * downward API, projections) set up again on every pod sync, cheaply when
 * nothing changed; torn down (tmpfs unmounted, folders removed) with the
 * pod. A set-up that fails is a FailedMount event on the pod, tried again
 * with a back-off; one that cannot go yet (an EBS volume not attached yet)
 * is a FailedMount event once and tried at every sync; a pod waits until
 * each of its volumes was set up once. EBS volumes of claims are mounted
 * once per node and unmounted when the last pod here using one goes.
 */
export class VolumeManager {
  private readonly writer = new AtomicWriter();
  private readonly tokens: TokenManager;
  private readonly mounted = new Map<string, MountedVolume>();
  private readonly emptyDirs = new Set<string>();
  private readonly retries = new Backoff(RETRY_INITIAL_MS, RETRY_MAX_MS);
  private readonly failedAt = new Map<string, number>();
  /** Why each waiting volume waits, so the event is written once per reason. */
  private readonly waitingFor = new Map<string, string>();
  private readonly devices: DeviceMounts;
  private readonly claims: PersistentVolumeClaimPlugin;
  private readonly plugins: Record<string, VolumePlugin>;

  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
    private readonly opts: {
      rootDir: string; nodeName: string; deviceDir: string; allocatable(): Record<string, string>; onError: ErrorReporter;
      /** The volumes in use changed: the node's status should say so soon, for waiting mounts to go on. */
      onVolumesInUseChanged(): void;
    },
  ) {
    this.tokens = new TokenManager(client);
    this.devices = new DeviceMounts({ rootDir: opts.rootDir, onInUseChanged: opts.onVolumesInUseChanged });
    this.claims = new PersistentVolumeClaimPlugin({ client, recorder, nodeName: opts.nodeName, deviceDir: opts.deviceDir, devices: this.devices, onError: opts.onError });
    this.plugins = { ...STATELESS_PLUGINS, persistentVolumeClaim: this.claims };
  }

  /** node.status.volumesInUse: the EBS volumes pods here want or that are still mounted. */
  volumesInUse(): string[] {
    return this.devices.inUse();
  }

  /** What the node's status lists in use now: only those volumes are mounted. */
  markVolumesReportedInUse(names: string[]): void {
    this.devices.markReported(names);
  }

  /** Sets up (or brings up to date) every volume the pod's containers use. */
  async setUp(pod: AnyObject): Promise<PodVolumes> {
    const uid = pod.metadata.uid!;
    const used = volumeNamesInUse(pod);
    const ctx = this.context(pod);
    const mounted = new Map<string, MountedVolume>();
    let ready = true;
    for (const volume of pod.spec?.volumes ?? []) {
      if (!used.has(volume.name)) continue;
      const key = `${uid}/${volume.name}`;
      const known = this.mounted.get(key);
      const plugin = pluginOf(this.plugins, volume);
      const due = this.retries.waitMs(key, this.failedAt.get(key) ?? 0) === 0;
      if (plugin && due && (!known || plugin.refreshes)) {
        try {
          const dir = join(this.podDir(uid), 'volumes', plugin.name, volume.name);
          // A claim may be mounted read-only by the pod's asking.
          const readOnly = plugin.readOnly || !!volume.persistentVolumeClaim?.readOnly;
          this.mounted.set(key, { hostPath: await plugin.setUp(volume, dir, ctx), readOnly });
          this.retries.forget(key);
          this.failedAt.delete(key);
          this.waitingFor.delete(key);
        } catch (err) {
          if (err instanceof VolumeNotReadyError) this.waiting(pod, volume.name, key, err.message);
          else this.failed(pod, volume.name, key, (err as Error).message);
        }
      } else if (!plugin && due) {
        this.failed(pod, volume.name, key, unsupported(volume));
      }
      const now = this.mounted.get(key);
      if (now) mounted.set(volume.name, now);
      else ready = false;
    }
    return { mounted, ready };
  }

  /** Unmounts and removes everything of the pod's under <rootDir>/pods/<uid>; refuses while something else stays mounted there. */
  async tearDown(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    for (const key of this.mounted.keys()) if (key.startsWith(`${uid}/`)) this.mounted.delete(key);
    for (const d of this.emptyDirs) if (d.startsWith(`${dir}/`)) this.emptyDirs.delete(d);
    this.writer.forget(dir);
    this.tokens.forgetPod(uid);
    this.retries.forget(`${uid}/`);
    for (const key of this.failedAt.keys()) if (key.startsWith(`${uid}/`)) this.failedAt.delete(key);
    for (const key of this.waitingFor.keys()) if (key.startsWith(`${uid}/`)) this.waitingFor.delete(key);
    this.claims.forgetPod(uid);
    this.devices.forgetPod(uid);
    if (existsSync(dir)) {
      for (const m of mountPointsUnder(join(dir, 'volumes'))) await unmount(m);
      // Removing through a mount point would delete what it holds, a volume's data.
      const left = mountPointsUnder(dir);
      if (left.length) throw new Error(`pod folder ${dir} still has mounts (${left.join(', ')}); not removing it`);
      rmSync(dir, { recursive: true, force: true });
    }
    await this.devices.unstageUnused();
  }

  /** Tears down the folders of pods not in `live` (bound to the node, or still with a sandbox): what an agent restart leaves behind. */
  async cleanupOrphans(live: Set<string>): Promise<void> {
    const pods = join(this.opts.rootDir, 'pods');
    if (!existsSync(pods)) return;
    for (const name of readdirSync(pods)) {
      if (!POD_UID.test(name) || live.has(name)) continue;
      await this.tearDown(name).catch((err) => this.opts.onError(err, { component: 'node-agent', phase: 'volumes', pod: name }));
    }
    // Volumes the agent mounted before it restarted, of pods gone meanwhile.
    await this.devices.unstageUnused();
  }

  private podDir(uid: string): string {
    return join(this.opts.rootDir, 'pods', uid);
  }

  private waiting(pod: AnyObject, volume: string, key: string, message: string): void {
    if (this.waitingFor.get(key) === message) return;
    this.waitingFor.set(key, message);
    this.recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata }, 'Warning', 'FailedMount', `Unable to attach or mount volumes: unmounted volumes=[${volume}]: ${message}`);
  }

  private failed(pod: AnyObject, volume: string, key: string, message: string): void {
    this.retries.next(key);
    this.failedAt.set(key, Date.now());
    this.recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata }, 'Warning', 'FailedMount', `MountVolume.SetUp failed for volume "${volume}" : ${message}`);
  }

  /** What the plugins use for one pod sync: each config map and secret is read once. */
  private context(pod: AnyObject): VolumeContext {
    const reads = new Map<string, Promise<AnyObject | undefined>>();
    const read = (ref: ResourceRef, name: string) => {
      const key = `${ref.resource}/${name}`;
      if (!reads.has(key)) {
        reads.set(key, this.client.get(ref, name, { namespace: pod.metadata.namespace }).catch((err) => {
          if (isNotFound(err)) return undefined;
          throw err;
        }));
      }
      return reads.get(key)!;
    };
    return {
      pod,
      allocatable: () => this.opts.allocatable(),
      configMap: (name) => read(CONFIG_MAPS, name),
      secret: (name) => read(SECRETS, name),
      serviceAccountToken: (source) => this.tokens.token(pod, source),
      emptyDir: (dir, medium, sizeLimit) => this.emptyDir(pod, dir, medium, sizeLimit),
      writeAtomically: (dir, payload) => this.writer.write(dir, payload),
    };
  }

  private async emptyDir(pod: AnyObject, dir: string, medium: 'disk' | 'memory', sizeLimit?: string): Promise<void> {
    if (this.emptyDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    // Whatever user the containers run as may write there, as kube makes it.
    chmodSync(dir, 0o777);
    if (medium === 'memory' && !mountPointsUnder(dir).includes(dir)) await mountTmpfs(dir, memoryVolumeSize(pod, this.opts.allocatable(), sizeLimit));
    this.emptyDirs.add(dir);
  }
}

/** The volumes the pod's containers (init and ephemeral ones too) mount or attach as devices: only those are set up. */
function volumeNamesInUse(pod: AnyObject): Set<string> {
  const containers: AnyObject[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  return new Set(containers.flatMap((c) => [...(c.volumeMounts ?? []), ...(c.volumeDevices ?? [])].map((m: AnyObject) => m.name)));
}

function pluginOf(plugins: Record<string, VolumePlugin>, volume: AnyObject): VolumePlugin | undefined {
  const kind = Object.keys(plugins).find((k) => volume[k] !== undefined && volume[k] !== null);
  return kind ? plugins[kind] : undefined;
}

/** The message of a volume this agent cannot mount: the pod waits, loudly, rather than starting without it. */
function unsupported(volume: AnyObject): string {
  const kind = Object.keys(volume).find((k) => k !== 'name' && volume[k] !== undefined && volume[k] !== null) ?? 'none';
  return `volume type ${kind} is not supported by this node agent`;
}
