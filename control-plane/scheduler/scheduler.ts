import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { podCondition } from '../../api/pod-status.js';
import { now } from '../../api/time.js';
import { isNotFound } from '../../client/api-error.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { log, logError } from '../../client/log.js';
import type { AnyObject } from '../../client/resource.js';
import { PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import type { SchedulerCache } from './cache/scheduler-cache.js';
import { ASSIGNED_POD_DELETE } from './framework/cluster-event.js';
import { FitError, preemptionMessage, type Diagnosis } from './framework/fit-error.js';
import type { Framework } from './framework/framework.js';
import type { Lister } from './framework/listers.js';
import type { NodeInfo } from './framework/node-info.js';
import { CycleState, statusMessage, unresolvable } from './framework/plugin.js';
import { PodInfo } from './framework/pod-info.js';
import type { SchedulerMetrics } from './metrics.js';
import type { QueuedPodInfo, SchedulingQueue } from './queue/scheduling-queue.js';

/** kube's ErrNoNodesAvailable: with no nodes at all there is no FitError to give. */
export class NoNodesAvailableError extends Error {
  constructor() {
    super('no nodes available to schedule pods');
  }
}

/** kube's minFeasibleNodesToFind and minFeasibleNodesPercentageToFind. */
const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENTAGE = 5;
/** validation.NoteLengthLimit: the longest event message. */
const NOTE_LENGTH_LIMIT = 1024;

export interface SchedulerOptions {
  client: RestClient;
  framework: Framework;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  /** The pod informer's cache: a failed pod is re-read from it before it is queued again. */
  pods: Lister;
  recorder: EventRecorder;
  metrics?: SchedulerMetrics;
  /** kube's percentageOfNodesToScore; 0 (the default) adapts it to the cluster's size. */
  percentageOfNodesToScore?: number;
  /** Binding requests in flight at once, so bindings share a few kept-alive connections. */
  maxBindingsInFlight?: number;
  random?: () => number;
}

/**
 * kube-scheduler's scheduleOne: pods leave the queue one at a time and each
 * gets a synchronous scheduling cycle (filter, score, pick a node, assume
 * the pod there); its binding cycle (PreBind, then the POST to
 * pods/binding) runs in the background, many at once, while the next
 * cycles go on with the pod already counted on its node.
 */
export class Scheduler {
  private nextStartNodeIndex = 0;
  private readonly bindings = new Set<Promise<void>>();
  /** PodScheduled=False writes on their way, by pod uid: a binding waits for its pod's. */
  private readonly statusWrites = new Map<string, Promise<void>>();
  private readonly bindSlots: Slots;
  private readonly random: () => number;

  constructor(private readonly opts: SchedulerOptions) {
    this.bindSlots = new Slots(opts.maxBindingsInFlight ?? 64);
    this.random = opts.random ?? Math.random;
  }

  /** Schedules until `signal` aborts and the queue is closed; then waits for the bindings in flight. */
  async run(signal: AbortSignal): Promise<void> {
    for (;;) {
      const q = await this.opts.queue.pop();
      if (!q) break;
      if (signal.aborted) {
        this.opts.queue.done(q.podInfo.uid);
        break;
      }
      this.scheduleOne(q, signal);
      // A cycle is synchronous; let informer events and binding answers in between cycles.
      await yieldToEvents();
    }
    await Promise.allSettled([...this.bindings]);
  }

  /** One scheduling cycle; starts the binding cycle when a node was found. */
  scheduleOne(q: QueuedPodInfo, signal: AbortSignal): void {
    const pod = q.podInfo;
    const { cache, framework, queue } = this.opts;
    // The informer may not have caught up with a pod this scheduler placed already.
    if (cache.hasPod(pod.uid)) {
      queue.done(pod.uid);
      return;
    }
    const start = performance.now();
    const state = new CycleState();
    let nodeName: string;
    try {
      nodeName = this.schedulePod(state, pod);
    } catch (err) {
      this.handleFailure(q, err, start);
      return;
    }
    cache.assume(pod, nodeName);
    try {
      framework.runReserve(state, pod, nodeName);
    } catch (err) {
      cache.forget(pod.uid);
      this.handleFailure(q, err, start);
      return;
    }
    const binding: Promise<void> = this.bindingCycle(state, q, nodeName, start, signal).finally(() => this.bindings.delete(binding));
    this.bindings.add(binding);
  }

  /** Finds the node for a pod, or throws why there is none (a FitError when none fits). */
  schedulePod(state: CycleState, pod: PodInfo): string {
    const { cache, framework } = this.opts;
    const all = cache.list();
    if (!all.length) throw new NoNodesAvailableError();
    const diagnosis: Diagnosis = { nodeStatuses: new Map(), unschedulablePlugins: new Set() };
    const pre = framework.runPreFilter(state, pod, all);
    if (pre.rejected) {
      diagnosis.absentStatus = pre.rejected.status;
      diagnosis.preFilterMsg = statusMessage(pre.rejected.status);
      diagnosis.unschedulablePlugins.add(pre.rejected.plugin);
      throw this.fitError(pod, all.length, diagnosis);
    }
    let nodes = all;
    if (pre.nodeNames) {
      nodes = [...pre.nodeNames].map((n) => cache.get(n)).filter((n): n is NodeInfo => !!n);
      diagnosis.absentStatus = unresolvable(`node(s) didn't satisfy plugin(s) [${[...pre.narrowedBy].sort().join(' ')}]`);
      for (const plugin of pre.narrowedBy) diagnosis.unschedulablePlugins.add(plugin);
    }
    const wanted = framework.hasScorers ? this.numFeasibleNodesToFind(nodes.length) : 1;
    const feasible: NodeInfo[] = [];
    let processed = 0;
    for (let i = 0; i < nodes.length && feasible.length < wanted; i++) {
      // Each search starts where the previous one stopped, so every node gets its turn.
      const node = nodes[(this.nextStartNodeIndex + i) % nodes.length];
      processed++;
      const rejected = framework.runFilters(pre.filters, state, pod, node);
      if (!rejected) {
        feasible.push(node);
        continue;
      }
      diagnosis.nodeStatuses.set(node.name, rejected.status);
      diagnosis.unschedulablePlugins.add(rejected.plugin);
    }
    this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % all.length;
    if (!feasible.length) throw this.fitError(pod, all.length, diagnosis);
    if (feasible.length === 1) return feasible[0].name;
    return this.selectHost(feasible, framework.runScores(state, pod, feasible));
  }

  /** kube's adaptive percentageOfNodesToScore: 50% less 1% per 125 nodes, at least 5%, and at least 100 nodes. */
  numFeasibleNodesToFind(numAllNodes: number): number {
    if (numAllNodes < MIN_FEASIBLE_NODES) return numAllNodes;
    let percentage = this.opts.percentageOfNodesToScore ?? 0;
    if (percentage === 0) percentage = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - Math.trunc(numAllNodes / 125));
    return Math.max(MIN_FEASIBLE_NODES, Math.trunc((numAllNodes * percentage) / 100));
  }

  /** The highest total; ties broken at random, each tied node equally likely. */
  private selectHost(nodes: readonly NodeInfo[], totals: number[]): string {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < nodes.length; i++) {
      if (totals[i] > totals[best]) {
        best = i;
        ties = 1;
      } else if (totals[i] === totals[best] && this.random() * ++ties < 1) {
        best = i;
      }
    }
    return nodes[best].name;
  }

  private fitError(pod: PodInfo, numAllNodes: number, diagnosis: Diagnosis): FitError {
    diagnosis.postFilterMsg = preemptionMessage(pod.pod, numAllNodes);
    return new FitError(numAllNodes, diagnosis);
  }

  private async bindingCycle(state: CycleState, q: QueuedPodInfo, nodeName: string, start: number, signal: AbortSignal): Promise<void> {
    const pod = q.podInfo;
    const { cache, client, framework, queue } = this.opts;
    try {
      await framework.runPreBind(state, pod, nodeName, signal);
      await this.statusWrites.get(pod.uid);
      await this.bindSlots.run(() => client.create(PODS, {
        apiVersion: 'v1', kind: 'Binding',
        metadata: { name: pod.name, namespace: pod.namespace, uid: pod.uid },
        target: { kind: 'Node', name: nodeName },
      }, { subresource: 'binding', signal })).catch((err) => {
        throw new Error(`running Bind plugin "DefaultBinder": ${(err as Error).message}`);
      });
    } catch (err) {
      framework.runUnreserve(state, pod, nodeName);
      cache.forget(pod.uid);
      if (signal.aborted) {
        queue.done(pod.uid);
        return;
      }
      // What the assumed pod held is free again: that may help parked pods, as a deleted pod would.
      queue.moveAllToActiveOrBackoff(ASSIGNED_POD_DELETE, pod.pod, undefined, (other) => other.podInfo.uid !== pod.uid);
      this.handleFailure(q, err, start);
      return;
    }
    queue.done(pod.uid);
    const metrics = this.opts.metrics;
    metrics?.attempt('scheduled', framework.profileName, (performance.now() - start) / 1000);
    metrics?.scheduled(q.attempts, q.initialTimestamp === undefined ? undefined : (Date.now() - q.initialTimestamp) / 1000);
    this.opts.recorder.event(pod.pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.namespace}/${pod.name} to ${nodeName}`);
  }

  /**
   * handleSchedulingFailure: the pod goes back to the queue (parked when
   * plugins rejected it, to backoff on errors) in its latest version, unless
   * it is gone or bound meanwhile; a FailedScheduling event says why, and so
   * does its PodScheduled condition.
   */
  private handleFailure(q: QueuedPodInfo, err: unknown, start: number): void {
    const { framework, pods, queue } = this.opts;
    const unschedulable = err instanceof FitError || err instanceof NoNodesAvailableError;
    const message = err instanceof Error ? err.message : String(err);
    if (!unschedulable) logError(err, { component: 'scheduler', pod: q.podInfo.key });
    else if (err instanceof NoNodesAvailableError) log.info('unable to schedule pod; no nodes are registered to the cluster; waiting', { pod: q.podInfo.key });
    this.opts.metrics?.attempt(unschedulable ? 'unschedulable' : 'error', framework.profileName, (performance.now() - start) / 1000);
    const current = pods.get(q.podInfo.key);
    const pending = current && current.metadata.uid === q.podInfo.uid && !current.spec?.nodeName && !current.metadata.deletionTimestamp;
    if (pending) {
      if (current !== q.podInfo.pod) q.podInfo = new PodInfo(current);
      queue.addUnschedulable(q, err instanceof FitError ? err.diagnosis.unschedulablePlugins : new Set());
    } else {
      queue.done(q.podInfo.uid);
    }
    const note = message.length <= NOTE_LENGTH_LIMIT ? message : `${message.slice(0, NOTE_LENGTH_LIMIT - 4)} ...`;
    this.opts.recorder.event(q.podInfo.pod, 'Warning', 'FailedScheduling', note);
    if (pending) this.writeCondition(current, unschedulable ? 'Unschedulable' : 'SchedulerError', message);
  }

  /** Writes PodScheduled=False through pods/status, only when it says something new. */
  private writeCondition(pod: AnyObject, reason: string, message: string): void {
    const existing = podCondition(pod, 'PodScheduled');
    if (existing?.status === 'False' && existing.reason === reason && existing.message === message) return;
    const condition = {
      type: 'PodScheduled', status: 'False', lastProbeTime: null,
      lastTransitionTime: existing?.status === 'False' && existing.lastTransitionTime ? existing.lastTransitionTime : now(),
      reason, message,
    };
    const uid = pod.metadata.uid!;
    const write: Promise<void> = this.opts.client
      .patch(PODS, pod.metadata.name!, 'strategic', { status: { conditions: [condition] } }, { namespace: pod.metadata.namespace, subresource: 'status' })
      .then(() => undefined, (err) => {
        if (!isNotFound(err)) logError(err, { component: 'scheduler', pod: `${pod.metadata.namespace}/${pod.metadata.name}`, write: 'PodScheduled condition' });
      })
      .finally(() => {
        if (this.statusWrites.get(uid) === write) this.statusWrites.delete(uid);
      });
    this.statusWrites.set(uid, write);
  }
}

/** At most `limit` calls at once; the rest wait their turn in order. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      // A freed slot passes straight to the next waiter, so nobody overtakes it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
