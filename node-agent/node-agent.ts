import { setTimeout as delay } from 'node:timers/promises';
import { nodeCondition } from '../api/node-status.js';
import type { Taint } from '../api/taints.js';
import { microTime, rfc3339 } from '../api/time.js';
import {
  LABEL_ARCH, LABEL_ARCH_BETA, LABEL_HOSTNAME, LABEL_OS, LABEL_OS_BETA, NAMESPACE_NODE_LEASE, TAINT_NODE_UNINITIALIZED,
} from '../api/well-known.js';
import { quantityValue } from '../api/validation/quantity.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/api-error.js';
import { log, logError } from '../client/log.js';
import type { AnyObject } from '../client/resource.js';
import { LEASES, NODES } from '../client/resources.js';
import type { RestClient } from '../client/rest-client.js';
import { AGENT_VERSION } from './agent-version.js';
import type { RuntimeClient } from './cri/runtime-client.js';
import { PodSync } from './pods/pod-sync.js';
import { containerExec } from './streams/container-exec.js';
import { containerLogs } from './streams/container-logs.js';
import { podPortForward } from './streams/pod-port-forward.js';
import { StreamServer } from './streams/stream-server.js';
import type { NatsConnection } from 'nats';
import type { Registry } from 'prom-client';
import { AgentMetrics } from './agent-metrics.js';
import { defaultNodeIP, nodeInfo } from './host-info.js';
import { hostPressure, hostResources, underDiskPressure, underMemoryPressure, underPidPressure } from './host-resources.js';

export interface NodeAgentOptions {
  nodeName: string;
  /** --node-ip; the host's first IPv4 address when unset. */
  nodeIP?: string;
  /** --provider-id. */
  providerID?: string;
  /** --cloud-provider=external: register with the uninitialized taint for the cloud-controller-manager to lift. */
  externalCloudProvider: boolean;
  /** --node-labels and --register-with-taints. */
  labels: Record<string, string>;
  taints: Taint[];
  /** --max-pods (110) and --root-dir (the file system ephemeral-storage is measured on). */
  maxPods: number;
  rootDir: string;
  /** --device-dir: where attached EBS volumes appear (/dev; a local worker's own device folder). */
  deviceDir?: string;
  /** --cluster-dns (none), --cluster-domain (none) and --resolv-conf (/etc/resolv.conf): the pods' resolvers, as the kubelet's. */
  clusterDNS: string[];
  clusterDomain: string;
  resolvConf: string;
  /** The kubelet's node lease duration (40 s), renewed every quarter of it. */
  leaseDurationSeconds: number;
  /** --node-status-update-frequency (10 s): how often the status is computed; posted when it changed or every report frequency (5 min). */
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequencyMs: number;
  /** Where the kubelet's metrics are registered (served on /metrics by the command). */
  registry?: Registry;
}

export const NODE_AGENT_DEFAULTS = {
  maxPods: 110, leaseDurationSeconds: 40, nodeStatusUpdateFrequencyMs: 10_000, nodeStatusReportFrequencyMs: 5 * 60_000,
  clusterDNS: [] as string[], clusterDomain: '', resolvConf: '/etc/resolv.conf',
};


/** The kubelet's nodeStatusUpdateRetry. */
const STATUS_RETRIES = 5;

/**
 * The kubelet's node part: registers the Node (capacity, addresses,
 * nodeInfo from the runtime, labels, taints), renews its Lease in
 * kube-node-lease, and keeps its conditions true to the host and the
 * runtime (Ready from the runtime's RuntimeReady and NetworkReady; memory,
 * disk and PID pressure from the kubelet's eviction thresholds).
 */
export class NodeAgent {
  private readonly abort = new AbortController();
  private running: Promise<unknown>[] = [];
  private lease?: AnyObject;
  private postedStatus = '';
  private postedAt = 0;
  private podCidr = '';
  private pods?: PodSync;
  private statusQueued = false;

  private streams?: StreamServer;

  /** `nats`: the cluster's NATS, where this node answers the API server's logs, exec, attach and port-forward streams. */
  constructor(private readonly client: RestClient, private readonly runtime: RuntimeClient, private readonly opts: NodeAgentOptions, private readonly nats?: NatsConnection) {}

  async start(): Promise<void> {
    const node = await this.register();
    await this.renewLease(node.metadata.uid!);
    const signal = this.abort.signal;
    const pods = new PodSync(this.client, this.runtime, {
      nodeName: this.opts.nodeName, nodeIP: node.status.addresses[0].address, rootDir: this.opts.rootDir,
      deviceDir: this.opts.deviceDir ?? '/dev', onVolumesInUseChanged: () => this.statusSoon(),
      clusterDNS: this.opts.clusterDNS, clusterDomain: this.opts.clusterDomain, resolvConf: this.opts.resolvConf,
      // One cgroup per node: two local workers on one host keep their pods apart.
      cgroupParent: `/skiff/${this.opts.nodeName}`, // Pods synced at once: as many as the node may run, as the kubelet gives every pod a worker of its own. A sync
      // waits on the runtime most of the time (a sandbox takes seconds when many start together): fewer workers
      // would only queue pods behind others' waits.
      workers: this.opts.maxPods, onError: logError,
      allocatable: () => hostResources(this.opts.rootDir, this.opts.maxPods).allocatable,
      memoryCapacityBytes: quantityValue(node.status.capacity.memory),
      onPodStarted: (seconds) => metrics?.podStarted(seconds),
    });
    this.pods = pods;
    const metrics = this.opts.registry && new AgentMetrics(this.opts.registry, this.opts.nodeName, () => pods.runningCounts());
    if (metrics) this.runtime.onCall = (method, seconds, failed) => metrics.runtimeCall(method, seconds, failed);
    this.running = [
      this.every(Math.floor((this.opts.leaseDurationSeconds * 1000) / 4), signal, () => this.renewLease(node.metadata.uid!), 'lease'),
      this.every(this.opts.nodeStatusUpdateFrequencyMs, signal, () => this.syncStatus(), 'status'),
      pods.run(signal).catch((err) => { if (!signal.aborted) logError(err, { component: 'node-agent', phase: 'pods' }); }),
      this.awaitPodCidr(signal),
    ];
    if (this.nats) {
      this.streams = new StreamServer(this.nats, this.opts.nodeName, { logs: containerLogs(this.runtime), exec: containerExec(this.runtime, 'exec'), attach: containerExec(this.runtime, 'attach'), portforward: podPortForward(this.runtime) });
      this.streams.start();
    }
    log.info('node registered', { node: this.opts.nodeName, runtime: this.runtime.endpoint, streams: !!this.nats });
  }

  async stop(): Promise<void> {
    await this.streams?.stop();
    this.abort.abort();
    await Promise.all(this.running);
  }

  private async every(ms: number, signal: AbortSignal, fn: () => Promise<void>, phase: string): Promise<void> {
    while (!signal.aborted) {
      await delay(ms, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      await fn().catch((err) => logError(err, { component: 'node-agent', phase }));
    }
  }

  /**
   * Hands the node's pod range to the runtime once it has one (the node IPAM
   * controller assigns it after registration), as the kubelet does with
   * UpdateRuntimeConfig: containerd renders its CNI configuration from it, and
   * reports the network ready from then on.
   */
  private async awaitPodCidr(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (await this.applyPodCidr((await this.client.get(NODES, this.opts.nodeName)).spec?.podCIDR)) {
          // The runtime reports its network ready once it has rendered the CNI configuration: Ready is posted then, not at the next status period.
          for (let i = 0; i < 25 && !signal.aborted; i++) {
            const status = await this.runtime.runtimeCall('Status', {});
            if (!runtimeNotReady(status)) break;
            await delay(200, undefined, { signal }).catch(() => undefined);
          }
          if (!signal.aborted) await this.syncStatus();
          return;
        }
      } catch (err) {
        if (!signal.aborted) logError(err, { component: 'node-agent', phase: 'podCIDR' });
      }
      await delay(500, undefined, { signal }).catch(() => undefined);
    }
  }

  private async applyPodCidr(podCidr: string | undefined): Promise<boolean> {
    if (!podCidr) return false;
    if (podCidr === this.podCidr) return true;
    await this.runtime.runtimeCall('UpdateRuntimeConfig', { runtimeConfig: { networkConfig: { podCidr } } });
    this.podCidr = podCidr;
    log.info('pod range handed to the runtime', { node: this.opts.nodeName, podCIDR: podCidr });
    return true;
  }

  /** A status sync now rather than at the next period: volumes wait for the status to list them in use before they are mounted. */
  private statusSoon(): void {
    if (this.statusQueued || this.abort.signal.aborted) return;
    this.statusQueued = true;
    setImmediate(() => {
      this.statusQueued = false;
      if (!this.abort.signal.aborted) this.syncStatus().catch((err) => logError(err, { component: 'node-agent', phase: 'status' }));
    });
  }

  /** Creates the Node, or takes over the one already registered under this name (an agent restart). */
  private async register(): Promise<AnyObject> {
    const status = await this.status(undefined);
    const taints = [...this.opts.taints, ...(this.opts.externalCloudProvider ? [{ key: TAINT_NODE_UNINITIALIZED, value: 'true', effect: 'NoSchedule' }] : [])];
    const wanted: AnyObject = {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name: this.opts.nodeName,
        labels: {
          [LABEL_HOSTNAME]: this.opts.nodeName, [LABEL_OS]: 'linux', [LABEL_ARCH]: status.nodeInfo.architecture,
          [LABEL_OS_BETA]: 'linux', [LABEL_ARCH_BETA]: status.nodeInfo.architecture, ...this.opts.labels,
        },
        annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', 'node.alpha.kubernetes.io/ttl': '0' },
      },
      spec: { ...(this.opts.providerID ? { providerID: this.opts.providerID } : {}), ...(taints.length ? { taints } : {}) },
      status,
    };
    try {
      const created = await this.client.create(NODES, wanted);
      this.remember(status);
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    // Registered before: the labels it registers with are put back, the rest (taints others set, the providerID) is kept.
    const current = await this.client.get(NODES, this.opts.nodeName);
    const merged = await this.client.update(NODES, { ...current, metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...wanted.metadata.labels } } });
    await this.postStatus(merged);
    return merged;
  }

  /** The node's status as of now, transition times kept from `current` for conditions that did not change. */
  private async status(current: AnyObject | undefined): Promise<Record<string, any>> {
    const version = await this.runtime.runtimeCall('Version', { version: 'v1' });
    const runtimeStatus = await this.runtime.runtimeCall('Status', {}).catch((err) => ({ error: (err as Error).message }));
    const resources = hostResources(this.opts.rootDir, this.opts.maxPods);
    const pressure = hostPressure(this.opts.rootDir);
    const now = rfc3339(Date.now());
    const condition = (type: string, on: boolean, reasons: [string, string], messages: [string, string]) => {
      const status = on ? 'True' : 'False';
      const prior = nodeCondition(current?.status, type);
      return {
        type, status, lastHeartbeatTime: now, lastTransitionTime: prior?.status === status ? prior.lastTransitionTime : now,
        reason: on ? reasons[0] : reasons[1], message: on ? messages[0] : messages[1],
      };
    };
    const notReady = runtimeNotReady(runtimeStatus);
    return {
      capacity: resources.capacity,
      allocatable: resources.allocatable,
      conditions: [
        condition('MemoryPressure', underMemoryPressure(pressure), ['KubeletHasInsufficientMemory', 'KubeletHasSufficientMemory'], ['kubelet has insufficient memory available', 'kubelet has sufficient memory available']),
        condition('DiskPressure', underDiskPressure(pressure), ['KubeletHasDiskPressure', 'KubeletHasNoDiskPressure'], ['kubelet has disk pressure', 'kubelet has no disk pressure']),
        condition('PIDPressure', underPidPressure(pressure), ['KubeletHasInsufficientPID', 'KubeletHasSufficientPID'], ['kubelet has insufficient PID available', 'kubelet has sufficient PID available']),
        condition('Ready', !notReady, ['KubeletReady', 'KubeletNotReady'], ['kubelet is posting ready status', notReady ?? '']),
      ],
      addresses: [{ type: 'InternalIP', address: this.opts.nodeIP ?? defaultNodeIP() }, { type: 'Hostname', address: this.opts.nodeName }],
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: nodeInfo(version, AGENT_VERSION),
      // Known once the pods are synced; until then (registration) what the node lists is kept.
      ...(this.pods ? { volumesInUse: inUse(this.pods.volumesInUse()) } : {}),
    };
  }

  /** Computes the status; posts it when it changed, or when the last post is a report period old. */
  private async syncStatus(): Promise<void> {
    const current = await this.client.get(NODES, this.opts.nodeName);
    const next = await this.status(current);
    const stale = Date.now() - this.postedAt >= this.opts.nodeStatusReportFrequencyMs;
    if (!stale && fingerprint(next) === this.postedStatus && fingerprint(current.status) === this.postedStatus) {
      this.pods?.markVolumesReportedInUse(current.status?.volumesInUse ?? []);
      return;
    }
    await this.postStatus(current, next);
  }

  private async postStatus(current: AnyObject, next?: Record<string, any>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const status = next ?? await this.status(current);
      try {
        await this.client.updateStatus(NODES, { ...current, status: { ...current.status, ...status, conditions: mergeConditions(current.status?.conditions, status.conditions) } });
        this.remember(status);
        this.pods?.markVolumesReportedInUse(status.volumesInUse ?? []);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt === STATUS_RETRIES) throw err;
        current = await this.client.get(NODES, this.opts.nodeName);
        next = undefined;
      }
    }
  }

  private remember(status: Record<string, any>): void {
    this.postedStatus = fingerprint(status);
    this.postedAt = Date.now();
  }

  private async renewLease(nodeUid: string): Promise<void> {
    const spec = { holderIdentity: this.opts.nodeName, leaseDurationSeconds: this.opts.leaseDurationSeconds, renewTime: microTime() };
    if (this.lease) {
      try {
        this.lease = await this.client.update(LEASES, { ...this.lease, spec: { ...this.lease.spec, ...spec } });
        return;
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
    try {
      this.lease = await this.client.get(LEASES, this.opts.nodeName, { namespace: NAMESPACE_NODE_LEASE });
      this.lease = await this.client.update(LEASES, { ...this.lease, spec: { ...this.lease!.spec, ...spec } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.lease = await this.client.create(LEASES, {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: this.opts.nodeName, namespace: NAMESPACE_NODE_LEASE, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.opts.nodeName, uid: nodeUid }] },
        spec,
      });
    }
  }
}

/** Why the runtime is not ready, in the kubelet's words, or undefined when it is. */
function runtimeNotReady(status: Record<string, any>): string | undefined {
  if (status.error) return `container runtime status check may not have completed yet: ${status.error}`;
  const conditions: Record<string, any>[] = status.status?.conditions ?? [];
  for (const type of ['RuntimeReady', 'NetworkReady']) {
    const c = conditions.find((x) => x.type === type);
    if (!c?.status) {
      const prefix = type === 'RuntimeReady' ? 'container runtime is down' : 'container runtime network not ready';
      return `${prefix}: ${type}=false reason:${c?.reason ?? ''} message:${c?.message ?? ''}`;
    }
  }
  return undefined;
}

/** Conditions the agent reports replace theirs; conditions others own (NetworkUnavailable, from the route controller) stay. */
function mergeConditions(current: Record<string, any>[] | undefined, reported: Record<string, any>[]): Record<string, any>[] {
  const mine = new Set(reported.map((c) => c.type));
  return [...(current ?? []).filter((c) => !mine.has(c.type)), ...reported];
}

/** The status without its heartbeat times: what changing means. */
function fingerprint(status: Record<string, any> | undefined): string {
  if (!status) return '';
  const conditions = (status.conditions ?? []).filter((c: Record<string, any>) => ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].includes(c.type))
    .map((c: AnyObject) => `${c.type}=${c.status}/${c.reason}`).sort();
  return JSON.stringify([status.capacity, status.allocatable, conditions, status.addresses, status.nodeInfo?.containerRuntimeVersion, status.volumesInUse ?? []]);
}

/** The list as the node's status carries it: absent when empty, as the kubelet omits it. */
const inUse = (names: string[]): string[] | undefined => (names.length ? names : undefined);
