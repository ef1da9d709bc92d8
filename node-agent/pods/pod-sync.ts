import { setTimeout as delay } from 'node:timers/promises';
import type { RunningCounts } from '../agent-metrics.js';
import { pullCredentials } from '../images/pull-secrets.js';
import { isNotFound } from '../../client/api-error.js';
import { runControllerLoop, type ReconcileResult } from '../../client/controller-loop.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { Informer } from '../../client/informer.js';
import type { ErrorReporter } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { CONFIG_MAPS, PODS, SECRETS, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { objectKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { rfc3339 } from '../../api/time.js';
import type { RuntimeClient } from '../cri/runtime-client.js';
import { containerMounts, type CriMount } from '../volumes/container-mounts.js';
import { VolumeManager, type MountedVolume } from '../volumes/volume-manager.js';
import { ProbeManager } from '../probes/probe-manager.js';
import { Prober } from '../probes/prober.js';
import { containerConfig, LABEL_CONTAINER_NAME, LABEL_NODE_NAME, LABEL_POD_UID, sandboxConfig, type SandboxSettings } from './cri-config.js';
import { Backoff } from './backoff.js';
import { ContainerConfigError, containerEnv, type EnvSources } from './container-env.js';
import { deadSandboxes } from './dead-sandboxes.js';
import { PodDNSConfigurer, type ClusterDNSSettings } from './pod-dns.js';
import { pendingPodStatus } from './pending-status.js';
import { containerStatus, podPhase, type RuntimeContainer } from './pod-status.js';
import { runAsNonRootViolation } from './security-context.js';

/**
 * How often the runtime is listed for changes (the kubelet's PLEG relists
 * every second), and how often a pod with something still to do (a
 * container waiting, starting or backing off) is synced again.
 */
const RELIST_MS = 1_000;
/**
 * How often a settled pod (every container running) is synced anyway: its
 * volumes' sources refreshed, its status checked. Changes in the runtime
 * reach it sooner, through the relist; probe results through their own
 * queueing; changes to the pod through the informer.
 */
const RESYNC_MS = 10_000;
/** How often sandboxes of pods no longer bound here are looked for (the kubelet's housekeeping period is 2 s). */
const HOUSEKEEPING_MS = 2_000;
/** The least time a container killed for a failed probe gets to stop (the kubelet's minimum grace period). */
const MIN_GRACE_SECONDS = 2;

/** What each container of one pod sync shares: the pod, its sandbox, what the runtime holds of it. */
interface StepContext {
  pod: AnyObject;
  sandboxId: string;
  /** The sandbox's config, worked out the first time a sandbox or container is made in this sync. */
  config(): Record<string, any>;
  podIP: string;
  containers: RuntimeContainer[];
  volumes: Map<string, MountedVolume>;
}

export interface PodSyncOptions extends SandboxSettings, ClusterDNSSettings {
  nodeName: string;
  nodeIP: string;
  /** The node's allocatable now: the downward API's value of a limit the container does not set. */
  allocatable(): Record<string, string>;
  /** The node's memory: a Burstable container's OOM score is its request's share of it. */
  memoryCapacityBytes: number;
  /** Where the node's block devices (its attached EBS volumes) are: /dev, or a local worker's own folder. */
  deviceDir: string;
  /** The EBS volumes in use changed: the node's status should list them soon. */
  onVolumesInUseChanged(): void;
  workers: number;
  onError: ErrorReporter;
  /** Told once per pod, when this agent first sees it Running, how long that took since the pod was created. */
  onPodStarted?: (seconds: number) => void;
}

/**
 * The pods bound to this node, made true through CRI: a sandbox per pod,
 * its containers created and started (restarted as the restart policy
 * says), the pod's status written from what the runtime reports, and a
 * deleted pod's containers stopped, its sandbox removed, then the pod
 * object deleted. Everything is found through the CRI labels, so an agent
 * restart adopts what runs.
 */
export class PodSync {
  private readonly pods: Informer;
  private readonly queue = new WorkQueue<string>();
  private readonly restarts = new Backoff();
  private readonly pulls = new Backoff();
  private readonly pullFailedAt = new Map<string, number>();
  private readonly recorder: EventRecorder;
  private readonly volumes: VolumeManager;
  private readonly probes: ProbeManager;
  private readonly dns: PodDNSConfigurer;
  /** The uid of each pod seen here, so a pod deleted outright can still be found in the runtime by its CRI label. */
  private readonly uids = new Map<string, string>();
  /** Pods whose start was measured. */
  private readonly started = new Set<string>();

  private readonly sources: EnvSources = {
    configMap: (namespace, name) => this.getOrUndefined(CONFIG_MAPS, namespace, name),
    secret: (namespace, name) => this.getOrUndefined(SECRETS, namespace, name),
    services: async (namespace) => (await this.client.list(SERVICES, { namespace })).items,
  };

  constructor(private readonly client: RestClient, private readonly runtime: RuntimeClient, private readonly opts: PodSyncOptions) {
    this.pods = new Informer(client, PODS, { fieldSelector: `spec.nodeName=${opts.nodeName}`, onError: opts.onError });
    const enqueue = (pod: AnyObject) => {
      if (pod.metadata?.uid && this.pods.store.get(objectKey(pod))) this.uids.set(objectKey(pod), pod.metadata.uid);
      this.queue.add(objectKey(pod));
    };
    this.pods.addEventHandler({ onAdd: enqueue, onUpdate: (_old, pod) => enqueue(pod), onDelete: enqueue });
    this.recorder = new EventRecorder(client, { component: 'kubelet', host: opts.nodeName }, { onError: opts.onError });
    this.dns = new PodDNSConfigurer(opts, this.recorder);
    this.volumes = new VolumeManager(client, this.recorder, {
      rootDir: opts.rootDir, nodeName: opts.nodeName, deviceDir: opts.deviceDir, allocatable: opts.allocatable, onError: opts.onError,
      onVolumesInUseChanged: opts.onVolumesInUseChanged,
    });
    // A probe result that changes syncs its pod now: readiness reaches the status, a failed liveness probe the kill.
    this.probes = new ProbeManager(new Prober(runtime, this.recorder), (key) => this.queue.add(key));
  }

  /** node.status.volumesInUse, from the volume manager. */
  volumesInUse(): string[] {
    return this.volumes.volumesInUse();
  }

  markVolumesReportedInUse(names: string[]): void {
    this.volumes.markVolumesReportedInUse(names);
  }

  async run(signal: AbortSignal): Promise<void> {
    this.pods.start();
    await this.pods.waitForSync(signal);
    const housekeeping = this.housekeeping(signal);
    const relist = this.relist(signal);
    try {
      await this.cleanupOrphanedVolumes();
      await runControllerLoop(this.queue, (key) => this.sync(key), { name: 'pods', workers: this.opts.workers, signal, onError: this.opts.onError });
      await Promise.all([housekeeping, relist]);
    } finally {
      this.queue.shutDown();
      await this.probes.stopAll();
      await this.pods.stop();
      await this.recorder.close();
    }
  }

  /**
   * The kubelet's PLEG: one listing of this node's sandboxes and containers
   * per RELIST_MS, whatever the number of pods, and a sync for each pod whose
   * part of it changed (a container exited, a sandbox died), so settled pods
   * cost nothing between their periodic syncs.
   */
  private async relist(signal: AbortSignal): Promise<void> {
    let previous = new Map<string, string>();
    while (!signal.aborted) {
      try {
        const sandboxes = await this.nodeSandboxes();
        const mine = new Map(sandboxes.map((s) => [s.id as string, s.labels[LABEL_POD_UID] as string]));
        const containers: Record<string, any>[] = (await this.runtime.runtimeCall('ListContainers', {})).containers ?? [];
        const states = new Map<string, string[]>();
        const note = (uid: string, what: string) => (states.get(uid) ?? (states.set(uid, []), states.get(uid)!)).push(what);
        for (const s of sandboxes) note(mine.get(s.id)!, `${s.id}:${s.state}`);
        for (const c of containers) if (mine.has(c.podSandboxId)) note(mine.get(c.podSandboxId)!, `${c.id}:${c.state}`);
        const next = new Map([...states].map(([uid, list]) => [uid, list.sort().join(',')]));
        for (const uid of new Set([...next.keys(), ...previous.keys()])) {
          if (next.get(uid) === previous.get(uid)) continue;
          const key = [...this.uids].find(([, u]) => u === uid)?.[0];
          if (key) this.queue.add(key);
        }
        previous = next;
      } catch (err) {
        if (!signal.aborted) this.opts.onError(err, { component: 'node-agent', phase: 'relist' });
      }
      await delay(RELIST_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Pods Running here and their containers by state, from the statuses this agent wrote: the kubelet's running gauges. */
  runningCounts(): RunningCounts {
    const counts: RunningCounts = { pods: 0, containers: { running: 0, exited: 0, created: 0, unknown: 0 } };
    for (const pod of this.pods.store.list()) {
      if (pod.status?.phase === 'Running') counts.pods++;
      for (const c of pod.status?.containerStatuses ?? []) {
        if (c.state?.running) counts.containers.running++;
        else if (c.state?.terminated) counts.containers.exited++;
        else if (c.containerID) counts.containers.created++;
      }
    }
    return counts;
  }

  private async sync(key: string): Promise<ReconcileResult> {
    const pod = this.pods.store.get(key);
    if (!pod) {
      this.probes.removePod(key);
      // Deleted without this agent finishing it (force-deleted, grace period 0): what still runs of it is killed at once.
      const gone = this.uids.get(key);
      this.uids.delete(key);
      if (gone) this.started.delete(gone);
      if (gone) await this.killOrphans(new Set([gone]));
      return;
    }
    const uid = pod.metadata.uid!;
    const sandboxes: Record<string, any>[] = (await this.runtime.runtimeCall('ListPodSandbox', { filter: { labelSelector: { [LABEL_POD_UID]: uid } } })).items ?? [];
    if (pod.metadata.deletionTimestamp) {
      this.probes.removePod(key);
      await this.kill(pod, sandboxes);
      await this.client.delete(PODS, pod.metadata.name!, { namespace: pod.metadata.namespace, gracePeriodSeconds: 0, preconditions: { uid } }).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
      return;
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
      this.probes.removePod(key);
      await this.kill(pod, sandboxes);
      return;
    }
    let sandbox = sandboxes.filter((s) => s.state === 'SANDBOX_READY').sort((a, b) => b.metadata.attempt - a.metadata.attempt)[0];
    // A running sandbox had every volume mounted once; one to start waits for them.
    const volumes = await this.volumes.setUp(pod);
    if (!volumes.ready && !sandbox) return this.waitForVolumes(pod);
    // A new sandbox is the pod's next attempt: its name must not collide with one a crash or a failed start left.
    const attempt = sandbox ? sandbox.metadata.attempt : Math.max(-1, ...sandboxes.map((s) => s.metadata.attempt ?? 0)) + 1;
    // Only when something is made, as the kubelet works it out: a settled pod's syncs neither read the host's
    // resolv.conf nor repeat a MissingClusterDNS warning.
    let config: Record<string, any> | undefined;
    const configOnce = () => (config ??= sandboxConfig(pod, this.opts, attempt, this.dns.forPod(pod)));
    if (!sandbox) {
      const { podSandboxId } = await this.runtime.runtimeCall('RunPodSandbox', { config: configOnce() });
      sandbox = { id: podSandboxId };
    }
    const sandboxStatus = (await this.runtime.runtimeCall('PodSandboxStatus', { podSandboxId: sandbox.id })).status;
    const containers = await this.containersOf(sandbox.id);
    const step: StepContext = { pod, sandboxId: sandbox.id, config: configOnce, podIP: sandboxStatus.network?.ip ?? '', containers, volumes: volumes.mounted };
    // Init containers run one at a time, in order, each to a successful exit, before any other container starts.
    const initStatuses: Record<string, any>[] = [];
    let initialized = true;
    let initFailed = false;
    for (const spec of pod.spec?.initContainers ?? []) {
      const latest = containers.filter((c) => c.name === spec.name).sort((a, b) => b.attempt - a.attempt)[0];
      if (latest?.state === 'CONTAINER_EXITED' && latest.exitCode === 0) {
        initStatuses.push(containerStatus(spec, latest, 'PodInitializing'));
        continue;
      }
      initialized = false;
      // An init container that failed restarts unless the pod never restarts anything.
      initFailed = latest?.state === 'CONTAINER_EXITED' && (pod.spec?.restartPolicy ?? 'Always') === 'Never';
      initStatuses.push(initFailed ? containerStatus(spec, latest, 'PodInitializing') : await this.ensureContainer(step, spec, latest?.state === 'CONTAINER_EXITED'));
      break;
    }
    for (const spec of (pod.spec?.initContainers ?? []).slice(initStatuses.length)) initStatuses.push(containerStatus(spec, undefined, 'PodInitializing'));
    const statuses: Record<string, any>[] = [];
    for (const spec of pod.spec?.containers ?? []) {
      if (!initialized) {
        statuses.push(containerStatus(spec, undefined, 'PodInitializing'));
        continue;
      }
      let latest = containers.filter((c) => c.name === spec.name).sort((a, b) => b.attempt - a.attempt)[0];
      const policy = pod.spec?.restartPolicy ?? 'Always';
      const unhealthy = latest?.state === 'CONTAINER_RUNNING' ? this.probes.unhealthy(latest.id) : undefined;
      if (unhealthy) latest = await this.killUnhealthy(step, spec, latest, unhealthy);
      const restart = unhealthy ? policy !== 'Never' : policy === 'Always' || (policy === 'OnFailure' && latest?.exitCode !== 0);
      statuses.push(await this.ensureContainer(step, spec, latest?.state === 'CONTAINER_EXITED' && restart));
    }
    this.probes.updatePodStatus(pod, statuses, step.podIP);
    const phase = initFailed ? 'Failed' : initialized ? podPhase(pod, statuses) : 'Pending';
    const allReady = statuses.every((s) => s.ready);
    const now = rfc3339(Date.now());
    const condition = (type: string, ok: boolean) => {
      const prior = (pod.status?.conditions ?? []).find((c: AnyObject) => c.type === type);
      const status = ok ? 'True' : 'False';
      return { type, status, lastProbeTime: null, lastTransitionTime: prior?.status === status ? prior.lastTransitionTime : now };
    };
    const status = {
      phase,
      conditions: [condition('Initialized', initialized), condition('Ready', allReady), condition('ContainersReady', allReady), condition('PodScheduled', true)],
      hostIP: this.opts.nodeIP, hostIPs: [{ ip: this.opts.nodeIP }],
      ...(sandboxStatus.network?.ip ? { podIP: sandboxStatus.network.ip, podIPs: [{ ip: sandboxStatus.network.ip }] } : {}),
      startTime: pod.status?.startTime ?? now,
      containerStatuses: statuses,
      ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    };
    if (await this.writeStatus(pod, status)) {
      // Once per pod: the informer's copy may still show the phase this agent already wrote.
      if (phase === 'Running' && pod.status?.phase !== 'Running' && pod.metadata.creationTimestamp && !this.started.has(uid)) {
        this.started.add(uid);
        this.opts.onPodStarted?.((Date.now() - Date.parse(pod.metadata.creationTimestamp)) / 1000);
      }
    }
    if (phase === 'Succeeded' || phase === 'Failed') return undefined;
    const settled = initialized && statuses.every((c) => c.state.running);
    return { requeueAfter: settled ? RESYNC_MS : RELIST_MS };
  }

  /**
   * One container made true: started when it never ran, restarted when `restart` (after its back-off), or
   * left waiting with the reason (image, configuration); answers its status.
   */
  private async ensureContainer(step: StepContext, spec: AnyObject, restart: boolean): Promise<Record<string, any>> {
    const { pod } = step;
    const attempts = step.containers.filter((c) => c.name === spec.name).sort((a, b) => b.attempt - a.attempt);
    let current = attempts[0];
    const key = `${pod.metadata.uid}/${spec.name}`;
    const waiting = (reason: string, message?: string) =>
      ({ ...containerStatus(spec, undefined, reason, current), state: { waiting: { reason, ...(message ? { message } : {}) } }, restartCount: current?.attempt ?? 0 });
    if (restart) {
      const wait = this.restarts.waitMs(key, nanosToMs(current.finishedAt));
      if (wait > 0) {
        return waiting('CrashLoopBackOff', `back-off ${this.restarts.delayOf(key) / 1000}s restarting failed container=${spec.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`);
      }
    }
    if (current?.state === 'CONTAINER_CREATED' && !restart) {
      // Made but never started: an agent stopped between the two calls. Started now, not made a second time.
      await this.runtime.runtimeCall('StartContainer', { containerId: current.id });
      return containerStatus(spec, await this.containerStatus(current.id), 'ContainerCreating', attempts[1]);
    }
    if (current && !restart) return containerStatus(spec, current, 'ContainerCreating', attempts[1]);
    const pulled = await this.ensureImage(pod, spec);
    if (pulled) return waiting(pulled.reason, pulled.message);
    let env: [string, string][];
    let mounts: CriMount[];
    try {
      env = await containerEnv(pod, spec, this.sources, { podIP: step.podIP, hostIP: this.opts.nodeIP, allocatable: this.opts.allocatable() });
      mounts = containerMounts(spec, step.volumes, new Map(env));
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      return waiting('CreateContainerConfigError', err.message);
    }
    const nonRoot = await runAsNonRootViolation(pod, spec, this.runtime);
    if (nonRoot) return waiting('CreateContainerConfigError', nonRoot);
    const { containerId } = await this.runtime.runtimeCall('CreateContainer', {
      podSandboxId: step.sandboxId, sandboxConfig: step.config(), config: containerConfig(pod, spec, current ? current.attempt + 1 : 0, env, mounts, this.opts.memoryCapacityBytes),
    });
    await this.runtime.runtimeCall('StartContainer', { containerId });
    if (restart) this.restarts.next(key);
    const previous = current;
    current = await this.containerStatus(containerId);
    return containerStatus(spec, current, 'ContainerCreating', previous);
  }

  /**
   * A container that failed its liveness or startup probe, killed as the kubelet kills it (the Killing event, the preStop
   * hook, then the stop within the probe's grace period or the pod's); answers it stopped.
   */
  private async killUnhealthy(step: StepContext, spec: AnyObject, c: RuntimeContainer, probe: 'liveness' | 'startup'): Promise<RuntimeContainer> {
    const { pod } = step;
    const restarted = (pod.spec?.restartPolicy ?? 'Always') !== 'Never';
    this.recorder.event(pod, 'Normal', 'Killing', `Container ${spec.name} failed ${probe} probe${restarted ? ', will be restarted' : ''}`);
    const grace = Number(spec[`${probe}Probe`]?.terminationGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
    const deadline = Date.now() + grace * 1000;
    if (spec.lifecycle?.preStop) await this.preStop(pod, c, spec.lifecycle.preStop, deadline);
    const left = Math.max(MIN_GRACE_SECONDS, Math.ceil((deadline - Date.now()) / 1000));
    await this.runtime.runtimeCall('StopContainer', { containerId: c.id, timeout: left }, (left + 30) * 1000);
    const stopped = await this.containerStatus(c.id);
    step.containers = step.containers.map((x) => (x.id === c.id ? stopped : x));
    return stopped;
  }

  private async kill(pod: AnyObject, sandboxes: Record<string, any>[]): Promise<void> {
    this.restarts.forget(`${pod.metadata.uid}/`);
    this.pulls.forget(`${pod.metadata.uid}/`);
    const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
    const deadline = Date.now() + grace * 1000;
    for (const s of sandboxes) {
      const running = (await this.containersOf(s.id)).filter((c) => c.state === 'CONTAINER_RUNNING');
      // All containers at once, as the kubelet kills them: the preStop hook, then SIGTERM, then SIGKILL when the grace period is up.
      await Promise.all(running.map(async (c) => {
        const spec = (pod.spec?.containers ?? []).find((x: AnyObject) => x.name === c.name);
        if (spec?.lifecycle?.preStop) await this.preStop(pod, c, spec.lifecycle.preStop, deadline);
        const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
        await this.runtime.runtimeCall('StopContainer', { containerId: c.id, timeout: left }, (left + 30) * 1000);
      }));
      await this.runtime.runtimeCall('StopPodSandbox', { podSandboxId: s.id });
      await this.runtime.runtimeCall('RemovePodSandbox', { podSandboxId: s.id });
    }
    await this.volumes.tearDown(pod.metadata.uid!);
  }

  /** A pod whose volumes are not all mounted stays Pending, its sandbox not started, as the kubelet keeps it. */
  private async waitForVolumes(pod: AnyObject): Promise<ReconcileResult> {
    await this.writeStatus(pod, pendingPodStatus(pod, this.opts.nodeIP));
    return { requeueAfter: RELIST_MS };
  }

  /**
   * Patches the pod's status to `status` unless it says that already; answers whether it wrote. Only what the agent
   * writes is compared: fields the API server fills in (qosClass) are not a change, nor are times alone.
   */
  private async writeStatus(pod: AnyObject, status: Record<string, any>): Promise<boolean> {
    const current = Object.fromEntries(Object.keys(status).map((k) => [k, pod.status?.[k]]));
    if (JSON.stringify(stripTimes(status)) === JSON.stringify(stripTimes(current))) return false;
    await this.client.patch(PODS, pod.metadata.name!, 'merge', { metadata: { uid: pod.metadata.uid }, status }, { namespace: pod.metadata.namespace, subresource: 'status' });
    return true;
  }

  /**
   * The kubelet's housekeeping: sandboxes whose pod is no longer bound here
   * (deleted while this agent was down, or force-deleted) are killed, and
   * their volumes torn down; dead sandboxes of pods that live are removed;
   * now and every HOUSEKEEPING_MS.
   */
  private async housekeeping(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const live = new Set(this.pods.store.list().map((p) => p.metadata.uid!));
        const mine = await this.nodeSandboxes();
        const orphans = new Set(mine.map((s) => s.labels?.[LABEL_POD_UID]).filter((uid): uid is string => !!uid && !live.has(uid)));
        if (orphans.size) await this.killOrphans(orphans);
        for (const id of await deadSandboxes(this.runtime, mine.filter((s) => live.has(s.labels?.[LABEL_POD_UID])))) {
          await this.runtime.runtimeCall('StopPodSandbox', { podSandboxId: id });
          await this.runtime.runtimeCall('RemovePodSandbox', { podSandboxId: id });
        }
      } catch (err) {
        if (!signal.aborted) this.opts.onError(err, { component: 'node-agent', phase: 'housekeeping' });
      }
      await delay(HOUSEKEEPING_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Kills what runs of pods that are gone (no grace left to give them) and tears their volumes down. */
  private async killOrphans(uids: Set<string>): Promise<void> {
    for (const uid of uids) {
      const sandboxes: Record<string, any>[] = (await this.runtime.runtimeCall('ListPodSandbox', { filter: { labelSelector: { [LABEL_POD_UID]: uid } } })).items ?? [];
      const meta = sandboxes[0]?.metadata ?? {};
      await this.kill({ metadata: { uid, name: meta.name, namespace: meta.namespace, deletionGracePeriodSeconds: 0 }, spec: {} }, sandboxes);
    }
  }

  /** Volume folders an agent restart left behind: of pods neither bound here any more nor still with a sandbox. */
  private async cleanupOrphanedVolumes(): Promise<void> {
    try {
      const sandboxes: Record<string, any>[] = (await this.runtime.runtimeCall('ListPodSandbox', {})).items ?? [];
      const live = new Set([...this.pods.store.list().map((p) => p.metadata.uid!), ...sandboxes.map((s) => s.labels?.[LABEL_POD_UID])]);
      await this.volumes.cleanupOrphans(live);
    } catch (err) {
      this.opts.onError(err, { component: 'node-agent', phase: 'volumes' });
    }
  }

  /** A preStop hook (exec, or httpGet to the pod), within what is left of the grace period; its failure does not stop the kill. */
  private async preStop(pod: AnyObject, c: RuntimeContainer, hook: AnyObject, deadline: number): Promise<void> {
    const seconds = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    try {
      if (hook.exec?.command?.length) {
        const out = await this.runtime.runtimeCall('ExecSync', { containerId: c.id, cmd: hook.exec.command, timeout: seconds }, (seconds + 5) * 1000);
        if (out.exitCode !== 0) throw new Error(`preStop hook exited ${out.exitCode}: ${Buffer.from(out.stderr ?? '').toString('utf8').trim()}`);
      } else if (hook.httpGet) {
        const host = hook.httpGet.host ?? pod.status?.podIP;
        await fetch(`${(hook.httpGet.scheme ?? 'HTTP').toLowerCase()}://${host}:${hook.httpGet.port}${hook.httpGet.path ?? '/'}`, { signal: AbortSignal.timeout(seconds * 1000) });
      } else if (hook.sleep?.seconds) {
        await new Promise((r) => setTimeout(r, Math.min(hook.sleep.seconds, seconds) * 1000));
      }
    } catch (err) {
      this.opts.onError(err, { component: 'node-agent', pod: `${pod.metadata.namespace}/${pod.metadata.name}`, container: c.name, phase: 'preStop' });
    }
  }

  /**
   * Pulls the container's image as its imagePullPolicy says (Always; IfNotPresent, the default unless the tag is
   * `latest` or missing; Never). Answers why the container waits, or undefined when the image is there.
   */
  private async getOrUndefined(ref: typeof CONFIG_MAPS, namespace: string, name: string): Promise<AnyObject | undefined> {
    try {
      return await this.client.get(ref, name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async ensureImage(pod: AnyObject, spec: AnyObject): Promise<{ reason: string; message: string } | undefined> {
    const image: string = spec.image;
    const tagged = /:[^/]+$/.test(image.split('@')[0]) && !image.endsWith(':latest');
    const policy = spec.imagePullPolicy ?? (tagged || image.includes('@') ? 'IfNotPresent' : 'Always');
    const present = async () => !!(await this.runtime.imageCall('ImageStatus', { image: { image } })).image?.id;
    if (policy === 'Never') {
      return (await present()) ? undefined : { reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never` };
    }
    if (policy === 'IfNotPresent' && await present()) return undefined;
    const key = `${pod.metadata.uid}/${spec.name}/pull`;
    if (this.pulls.waitMs(key, this.pullFailedAt.get(key) ?? 0) > 0) return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
    try {
      await this.pullImage(pod, image);
      this.pulls.forget(key);
      return undefined;
    } catch (err) {
      this.pulls.next(key);
      this.pullFailedAt.set(key, Date.now());
      return { reason: 'ErrImagePull', message: (err as Error).message.replace(/^CRI PullImage: /, '') };
    }
  }

  /** Pulls with each credential the pod's imagePullSecrets hold for the image's registry until one works, then without any. */
  private async pullImage(pod: AnyObject, image: string): Promise<void> {
    const secrets = await Promise.all((pod.spec?.imagePullSecrets ?? []).map((s: AnyObject) => this.getOrUndefined(SECRETS, pod.metadata.namespace!, s.name)));
    const credentials = pullCredentials(image, secrets.filter((s): s is AnyObject => !!s));
    let failure: unknown;
    for (const auth of [...credentials, undefined]) {
      try {
        await this.runtime.imageCall('PullImage', { image: { image }, ...(auth ? { auth } : {}) });
        return;
      } catch (err) {
        failure ??= err;
      }
    }
    throw failure;
  }

  /** This node's sandboxes: the runtime filters them by the node label (a runtime may serve other nodes' agents too). */
  private async nodeSandboxes(): Promise<Record<string, any>[]> {
    return (await this.runtime.runtimeCall('ListPodSandbox', { filter: { labelSelector: { [LABEL_NODE_NAME]: this.opts.nodeName } } })).items ?? [];
  }

  private async containersOf(podSandboxId: string): Promise<RuntimeContainer[]> {
    const { containers } = await this.runtime.runtimeCall('ListContainers', { filter: { podSandboxId } });
    return Promise.all((containers ?? []).map((c: AnyObject) => this.containerStatus(c.id)));
  }

  private async containerStatus(containerId: string): Promise<RuntimeContainer> {
    const s = (await this.runtime.runtimeCall('ContainerStatus', { containerId })).status;
    return {
      name: s.labels?.[LABEL_CONTAINER_NAME] ?? s.metadata.name, id: s.id, attempt: s.metadata.attempt, state: s.state,
      startedAt: s.startedAt, finishedAt: s.finishedAt, exitCode: s.exitCode, reason: s.reason, message: s.message, image: s.image?.image ?? '', imageRef: s.imageRef,
    };
  }
}

const nanosToMs = (ns: string | undefined) => (ns ? Number(BigInt(ns) / 1_000_000n) : Date.now());

/** A status without its times, to tell a real change from a clock tick. */
function stripTimes(status: Record<string, any>): unknown {
  return JSON.parse(JSON.stringify(status, (k, v) => (/Time$|^startedAt$|^finishedAt$/.test(k) ? undefined : v)));
}
