import { setTimeout as delay } from 'node:timers/promises';
import { nodeCondition } from '../../api/node-status.js';
import { isPodTerminal } from '../../api/pod-status.js';
import { NAMESPACE_NODE_LEASE } from '../../api/well-known.js';
import { microTime } from '../../api/time.js';
import { formatCidr, nthSubnet, numberToIPv4, tryParseCidr } from '../../api/net.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/api-error.js';
import { runControllerLoop } from '../../client/controller-loop.js';
import { Informer } from '../../client/informer.js';
import { log, logError, type ErrorReporter } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { LEASES, NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { objectKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { PodIpPool } from './pod-ip-pool.js';
import { NodeVolumes } from './node-volumes.js';
import { isRunningAsSimulated, runningPodStatus } from './running-pod-status.js';
import { SIMULATED_LABEL, SimulatedNode } from './simulated-node.js';
import { parallelize } from '../../client/parallelize.js';
import { claimNamesOf } from '../../api/storage/pod-claims.js';
import { deepEqual } from '../../api/deep-equal.js';

/** A machine a simulated node stands for (an instance in the AWS endpoint): its name, zone and address. */
export interface SimulatedMachine {
  name: string;
  zone: string;
  internalIP: string;
}

export interface SimulatedNodesOptions {
  count: number;
  /** The machines behind the nodes, one node each (count is then their number); without them, names and addresses are made up. */
  machines?: SimulatedMachine[];
  /** Register as agents with --cloud-provider=external do (see SimulatedNode). */
  externalCloudProvider?: boolean;
  /** Zones the nodes spread over, round robin; AWS-style names give the region too. */
  zones?: string[];
  namePrefix?: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  ephemeralStorage?: string;
  ebsAttachLimit?: number;
  labels?: Record<string, string>;
  taints?: AnyObject[];
  /** The node Lease's duration; renewed every quarter of it, as the kubelet does (40 s, every 10 s). */
  leaseDurationSeconds?: number;
  /** Pod IPs come from a node's spec.podCIDR; nodes without one get the n-th /24 of this range. */
  podCidr?: string;
  /** Node InternalIPs, one per node in order. */
  nodeCidr?: string;
  /** Pod status writes and deletions in flight at once. */
  workers?: number;
  /** Leave the Nodes and Leases in place on stop (kwok's behaviour); by default they are deleted. */
  keepNodes?: boolean;
  onError?: ErrorReporter;
}

/** The kubelet's nodeStatusReportFrequency: an unchanged status is posted again this often. */
const STATUS_REPORT_FREQUENCY_MS = 5 * 60_000;
/** The kubelet's nodeStatusUpdateRetry: attempts at one status post before it waits for the next heartbeat. */
const NODE_STATUS_UPDATE_RETRY = 5;

const defaults = {
  zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], namePrefix: 'sim-node-', cpu: '32', memory: '256Gi', pods: '110',
  ephemeralStorage: '100Gi', ebsAttachLimit: 25, leaseDurationSeconds: 40, podCidr: '10.128.0.0/9', nodeCidr: '172.16.0.0/12', workers: 32,
};

interface NodeState {
  node: SimulatedNode;
  uid?: string;
  lease?: AnyObject;
  renewAt: number;
  paused: boolean;
  gone: boolean;
  /** What the agent reports as its Ready condition. */
  ready: boolean;
  /** When the agent last posted its node status. */
  postedAt: number;
  pool?: PodIpPool;
}

/**
 * A test tool in the spirit of kwok: N nodes with no machine behind them.
 * Each registers as an agent would (capacity, zone labels, Ready) and renews
 * its Lease; pods bound to them are reported Running and Ready with an IP
 * from the node's podCIDR, and their graceful deletion is finished at once,
 * as an agent does once containers stop. Nothing runs: it exists so
 * schedulers, controllers and benchmarks see a cluster of any size.
 */
export class SimulatedNodes {
  readonly nodes: SimulatedNode[];
  private readonly states = new Map<string, NodeState>();
  private readonly opts: typeof defaults & SimulatedNodesOptions;
  private readonly onError: ErrorReporter;
  private readonly abort = new AbortController();
  private readonly pods: Informer;
  private readonly nodeInformer: Informer;
  private readonly queue = new WorkQueue<string>();
  /** Nodes whose status.volumesInUse may be out of date. */
  private readonly volumesInUseQueue = new WorkQueue<string>();
  private readonly volumes: NodeVolumes;
  private readonly running: Promise<unknown>[] = [];

  constructor(private readonly client: RestClient, options: SimulatedNodesOptions) {
    // Options left undefined (flags not given) keep their defaults.
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.opts = { ...defaults, ...given } as typeof defaults & SimulatedNodesOptions;
    if (!Number.isInteger(this.opts.count) || this.opts.count < 0) throw new Error(`--count must be a whole number, got ${options.count}`);
    if (!this.opts.zones.length) throw new Error('at least one zone is needed');
    this.onError = options.onError ?? logError;
    const nodeRange = tryParseCidr(this.opts.nodeCidr);
    if (nodeRange?.family !== 4) throw new Error(`invalid node CIDR ${this.opts.nodeCidr}`);
    const nodeBase = Number(nodeRange.base);
    const shape = {
      cpu: this.opts.cpu, memory: this.opts.memory, pods: this.opts.pods, ephemeralStorage: this.opts.ephemeralStorage,
      ebsAttachLimit: this.opts.ebsAttachLimit, labels: this.opts.labels ?? {}, taints: this.opts.taints ?? [],
      externalCloudProvider: this.opts.externalCloudProvider ?? false,
    };
    this.nodes = this.opts.machines
      ? this.opts.machines.map((m) => new SimulatedNode(m.name, m.zone, m.internalIP, shape))
      : Array.from({ length: this.opts.count }, (_, i) =>
        new SimulatedNode(`${this.opts.namePrefix}${i}`, this.opts.zones[i % this.opts.zones.length], numberToIPv4(nodeBase + 1 + i), shape));
    for (const node of this.nodes) this.states.set(node.name, { node, renewAt: 0, paused: false, gone: false, ready: true, postedAt: Date.now() });
    this.pods = new Informer(client, PODS, { fieldSelector: 'spec.nodeName!=', onError: this.onError });
    this.nodeInformer = new Informer(client, NODES, { labelSelector: `${SIMULATED_LABEL}=true`, onError: this.onError });
    this.volumes = new NodeVolumes(client, this.onError);
  }

  /** Registers every node and its Lease, then keeps renewing them and syncing their pods until stop(). */
  async start(): Promise<void> {
    try {
      await parallelize(this.nodes, this.opts.workers, (node) => this.register(node));
    } catch (err) {
      // Nodes already registered are not left behind by a start that failed half-way.
      await this.stop();
      throw err;
    }
    const signal = this.abort.signal;
    this.nodeInformer.addEventHandler({
      onDelete: (obj) => {
        const state = this.states.get(obj.metadata.name!);
        if (state) state.gone = true;
      },
    });
    const enqueue = (pod: AnyObject) => {
      if (this.states.has(pod.spec?.nodeName)) this.queue.add(objectKey(pod));
    };
    this.pods.addEventHandler({
      onAdd: (pod) => {
        const ip = pod.status?.podIP;
        if (ip && !pod.spec?.hostNetwork) this.poolFor(pod.spec?.nodeName)?.adopt(pod.metadata.uid!, ip);
        enqueue(pod);
      },
      onUpdate: (_old, pod) => enqueue(pod),
      onDelete: (pod) => {
        this.poolFor(pod.spec?.nodeName)?.release(pod.metadata.uid!);
        if (this.states.has(pod.spec?.nodeName)) this.volumesInUseQueue.add(pod.spec.nodeName);
      },
    });
    this.watchVolumes(enqueue);
    for (const informer of [this.nodeInformer, this.pods, ...this.volumes.informers]) informer.start();
    await Promise.all([this.nodeInformer, this.pods, ...this.volumes.informers].map((i) => i.waitForSync(signal)));
    this.running.push(
      runControllerLoop(this.queue, (key) => this.syncPod(key), { name: 'simulated-pods', workers: this.opts.workers, signal, onError: this.onError }),
      runControllerLoop(this.volumesInUseQueue, (name) => this.syncVolumesInUse(name), { name: 'simulated-volumes-in-use', workers: 4, signal, onError: this.onError }),
      this.renewLeases(signal),
    );
    log.info('simulated nodes running', { count: this.nodes.length, zones: [...new Set(this.nodes.map((n) => n.zone))] });
  }

  /** Pods waiting for their claims, attachments or a file system resize look again when those change. */
  private watchVolumes(enqueue: (pod: AnyObject) => void): void {
    const podsOn = (nodeName: string | undefined) => {
      if (nodeName && this.states.has(nodeName)) for (const pod of this.pods.store.list()) if (pod.spec?.nodeName === nodeName) enqueue(pod);
    };
    const claimUsers = (namespace: string | undefined, name: string | undefined) => {
      for (const pod of this.pods.store.list()) if (pod.metadata.namespace === namespace && claimNamesOf(pod).includes(name!)) enqueue(pod);
    };
    const va = (obj: AnyObject) => podsOn(obj.spec?.nodeName);
    this.volumes.attachments.addEventHandler({ onAdd: va, onUpdate: (_old, obj) => va(obj) });
    const claim = (obj: AnyObject) => claimUsers(obj.metadata.namespace, obj.metadata.name);
    this.volumes.claims.addEventHandler({ onAdd: claim, onUpdate: (_old, obj) => claim(obj) });
    const pv = (obj: AnyObject) => claimUsers(obj.spec?.claimRef?.namespace, obj.spec?.claimRef?.name);
    this.volumes.pvs.addEventHandler({ onAdd: pv, onUpdate: (_old, obj) => pv(obj) });
  }

  /** Reports the node's status.volumesInUse: the EBS volumes of the pods it runs, as a kubelet lists what it has mounted. */
  private async syncVolumesInUse(name: string): Promise<void> {
    const state = this.states.get(name);
    if (!state || state.gone || state.paused) return;
    const pods = this.pods.store.list().filter((pod) => pod.spec?.nodeName === name && !isPodTerminal(pod));
    const want = this.volumes.inUse(pods);
    const have: string[] = this.nodeInformer.store.get(name)?.status?.volumesInUse ?? [];
    if (deepEqual(want, have)) return;
    await this.client.patch(NODES, name, 'merge', { status: { volumesInUse: want.length ? want : null } }, { subresource: 'status' });
  }

  /** Stops renewing one node's Lease and syncing its pods, as if its agent died (for node lifecycle tests). */
  pauseHeartbeat(name: string): void {
    this.stateOf(name).paused = true;
  }

  resumeHeartbeat(name: string): void {
    const state = this.stateOf(name);
    state.paused = false;
    state.renewAt = 0;
    for (const pod of this.pods.store.list()) if (pod.spec?.nodeName === name) this.queue.add(objectKey(pod));
  }

  /** Reports the node Ready or NotReady, as an agent whose runtime went down would. */
  async setReady(name: string, ready: boolean): Promise<void> {
    const state = this.stateOf(name);
    state.ready = ready;
    await this.postStatus(state, await this.client.get(NODES, name));
  }

  /** Posts the node's conditions with fresh heartbeats; a condition whose status did not change keeps its transition time. */
  private async postStatus(state: NodeState, current: AnyObject): Promise<void> {
    // As the kubelet does, a conflict (a controller wrote the node meanwhile) reads the node again and retries, up to five times.
    for (let attempt = 1; ; attempt++) {
      const reported = state.node.status(state.ready).conditions.map((c: AnyObject) => {
        const prior = nodeCondition(current.status, c.type);
        return prior && prior.status === c.status ? { ...c, lastTransitionTime: prior.lastTransitionTime } : c;
      });
      // Conditions others own (the route controller's NetworkUnavailable) stay, as the kubelet's setters leave them.
      const others = ((current.status?.conditions ?? []) as AnyObject[]).filter((c) => !reported.some((r: AnyObject) => r.type === c.type));
      const conditions = [...reported, ...others];
      try {
        await this.client.updateStatus(NODES, { ...current, status: { ...current.status, conditions } });
        break;
      } catch (err) {
        if (!isConflict(err) || attempt === NODE_STATUS_UPDATE_RETRY) throw err;
        current = await this.client.get(NODES, state.node.name);
      }
    }
    state.postedAt = Date.now();
  }

  /** Stops everything; deletes the Nodes and Leases unless told to keep them. */
  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    this.queue.shutDown();
    this.volumesInUseQueue.shutDown();
    await Promise.all([this.pods.stop(), this.nodeInformer.stop(), ...this.volumes.informers.map((i) => i.stop()), ...this.running]);
    if (this.opts.keepNodes) return;
    await parallelize(this.nodes, this.opts.workers, async (node) => {
      for (const [ref, namespace] of [[LEASES, NAMESPACE_NODE_LEASE], [NODES, undefined]] as const) {
        await this.client.delete(ref, node.name, { namespace }).catch((err) => {
          if (!isNotFound(err)) this.onError(err, { component: 'simulated-nodes', node: node.name, phase: 'delete' });
        });
      }
    });
  }

  private stateOf(name: string): NodeState {
    const state = this.states.get(name);
    if (!state) throw new Error(`${name} is not a simulated node`);
    return state;
  }

  private async register(node: SimulatedNode): Promise<void> {
    const state = this.states.get(node.name)!;
    let registered: AnyObject;
    try {
      registered = await this.client.create(NODES, node.node());
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const current = await this.client.get(NODES, node.name);
      registered = await this.client.updateStatus(NODES, { ...current, status: { ...current.status, ...node.status(true) } });
    }
    state.uid = registered.metadata.uid;
    await this.renew(state);
    // Spread renewals over the interval so a thousand nodes do not renew in step.
    state.renewAt = Date.now() + Math.random() * this.renewIntervalMs;
  }

  private get renewIntervalMs(): number {
    return (this.opts.leaseDurationSeconds * 1000) / 4;
  }

  private async renewLeases(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const now = Date.now();
      const due = [...this.states.values()].filter((s) => !s.paused && !s.gone && s.renewAt <= now);
      await parallelize(due, this.opts.workers, async (state) => {
        state.renewAt = Date.now() + this.renewIntervalMs;
        try {
          await this.renew(state);
          // As a kubelet does: a Ready condition someone else changed (the node controller's Unknown) is
          // posted again at once, and the status is posted anyway every nodeStatusReportFrequency (5 min).
          const node = this.nodeInformer.store.get(state.node.name);
          const readyStatus = nodeCondition(node?.status, 'Ready')?.status;
          const stale = Date.now() - state.postedAt >= STATUS_REPORT_FREQUENCY_MS;
          if (node && (stale || readyStatus !== (state.ready ? 'True' : 'False'))) await this.postStatus(state, node);
        } catch (err) {
          if (!signal.aborted) this.onError(err, { component: 'simulated-nodes', node: state.node.name, phase: 'renew' });
          // Try again soon rather than a whole interval later.
          state.renewAt = Date.now() + 1000;
        }
      });
      await delay(200, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Renews the node's Lease, making it if it is missing. */
  private async renew(state: NodeState): Promise<void> {
    const { node } = state;
    if (state.lease) {
      try {
        state.lease = await this.client.update(LEASES, { ...state.lease, spec: { ...state.lease.spec, renewTime: microTime() } });
        return;
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
    try {
      const current = await this.client.get(LEASES, node.name, { namespace: NAMESPACE_NODE_LEASE });
      state.lease = await this.client.update(LEASES, { ...current, spec: { ...current.spec, holderIdentity: node.name, leaseDurationSeconds: this.opts.leaseDurationSeconds, renewTime: microTime() } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      state.lease = await this.client.create(LEASES, node.lease(state.uid!, this.opts.leaseDurationSeconds));
    }
  }

  private poolFor(nodeName: string | undefined): PodIpPool | undefined {
    const state = nodeName ? this.states.get(nodeName) : undefined;
    if (!state) return undefined;
    const cidr = this.nodeInformer.store.get(state.node.name)?.spec?.podCIDR ?? this.fallbackPodCidr(this.nodes.indexOf(state.node));
    if (state.pool?.cidr !== cidr) state.pool = new PodIpPool(cidr);
    return state.pool;
  }

  /** The n-th /24 of --pod-cidr, for a node that has no podCIDR of its own. */
  private fallbackPodCidr(n: number): string {
    const range = tryParseCidr(this.opts.podCidr);
    if (range?.family !== 4 || range.prefix > 24) throw new Error(`invalid pod CIDR ${this.opts.podCidr}: want an IPv4 range of /24 or larger`);
    const subnet = nthSubnet(range, 24, n);
    if (!subnet) throw new Error(`pod CIDR ${this.opts.podCidr} has room for ${2 ** (24 - range.prefix)} nodes, not ${n + 1}`);
    return formatCidr(subnet);
  }

  /** One pod on a simulated node: finish its deletion, or report it running. */
  private async syncPod(key: string): Promise<void> {
    const pod = this.pods.store.get(key);
    const state = pod && this.states.get(pod.spec?.nodeName);
    // A dead agent neither reports its pods nor finishes their deletion.
    if (!pod || !state || state.gone || state.paused) return;
    const { name, namespace, uid } = pod.metadata;
    if (pod.metadata.deletionTimestamp) {
      await this.client.delete(PODS, name!, { namespace, gracePeriodSeconds: 0, preconditions: { uid } }).catch((err) => {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      });
      return;
    }
    this.volumesInUseQueue.add(state.node.name);
    if (isPodTerminal(pod)) return;
    // As a kubelet, a pod's containers start once its volumes are attached; a running one finishes its volumes' resizes.
    if (!this.volumes.ready(pod, state.node.name)) return;
    await this.volumes.finishResizes(pod);
    if (isRunningAsSimulated(pod)) return;
    const ip = pod.spec?.hostNetwork ? state.node.internalIP : pod.status?.podIP ?? this.poolFor(state.node.name)!.assign(uid!);
    if (!ip) throw new Error(`no free pod IP on ${state.node.name} for ${key}`);
    try {
      await this.client.patch(PODS, name!, 'merge', { status: runningPodStatus(pod, ip, state.node.internalIP) }, { namespace, subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
