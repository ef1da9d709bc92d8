import { deepEqual } from '../../../api/deep-equal.js';
import type { AnyObject } from '../../../client/resource.js';
import type { ClusterEvent, EventRegistration } from '../framework/cluster-event.js';
import type { PodInfo } from '../framework/pod-info.js';
import { KeyedHeap } from './heap.js';

/** A pod waiting in the scheduling queue, with what its earlier attempts left behind. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When the pod last entered a queue: its place in activeQ and the start of its backoff. */
  timestamp: number;
  /** When the pod first entered the queue past its scheduling gates: the start of the scheduling SLI. */
  initialTimestamp?: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** The plugins that rejected the last attempt: only events they registered for bring the pod back. */
  unschedulablePlugins: Set<string>;
}

export type QueueName = 'active' | 'backoff' | 'unschedulable' | 'gated';

export interface SchedulingQueueOptions {
  /** kube's podInitialBackoffSeconds and podMaxBackoffSeconds. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** kube's podMaxInUnschedulablePodsDuration: parked pods are retried after this long regardless. */
  maxInUnschedulableMs?: number;
  /** The events each plugin registered, by plugin name. */
  pluginEvents: ReadonlyMap<string, readonly EventRegistration[]>;
  /** PreEnqueue (SchedulingGates): undefined lets the pod in, otherwise why it waits. */
  preEnqueue(pod: PodInfo): string | undefined;
  /** scheduler_queue_incoming_pods_total. */
  onIncoming?(queue: QueueName, event: string): void;
  now?(): number;
}

/** What a pod update changes beyond its status and bookkeeping (kube's isPodUpdated). */
function specOrLabelsChanged(oldPod: AnyObject, newPod: AnyObject): boolean {
  const strip = (p: AnyObject) => ({ ...p.metadata, resourceVersion: undefined, generation: undefined, managedFields: undefined });
  return !deepEqual(oldPod.spec, newPod.spec) || !deepEqual(strip(oldPod), strip(newPod));
}

/**
 * kube-scheduler's priority queue. activeQ holds pods ready for an attempt,
 * highest priority first and then in the order they came; backoffQ holds
 * pods waiting out a backoff that doubles per attempt; pods no node fitted
 * are parked until a cluster event that one of the plugins which rejected
 * them registered for (or five minutes pass); pods with scheduling gates
 * wait apart until the gates are removed.
 */
export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPodInfo>(
    (q) => q.podInfo.uid,
    (a, b) => a.podInfo.priority > b.podInfo.priority || (a.podInfo.priority === b.podInfo.priority && a.timestamp < b.timestamp),
  );
  private readonly backoff = new KeyedHeap<QueuedPodInfo>((q) => q.podInfo.uid, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly gated = new Map<string, QueuedPodInfo>();
  /** Popped and not yet done: being scheduled or bound. */
  private readonly inFlightPods = new Map<string, QueuedPodInfo>();
  private waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: SchedulingQueueOptions) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = opts.maxInUnschedulableMs ?? 300_000;
    this.now = opts.now ?? Date.now;
  }

  /** Starts kube's periodic flushes: finished backoffs every second, long-parked pods every 30 seconds. */
  run(): void {
    this.timers.push(setInterval(() => this.flushBackoffCompleted(), 1000));
    this.timers.push(setInterval(() => this.flushUnschedulableLeftover(), 30_000));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
  }

  /** A new pending pod. */
  add(podInfo: PodInfo): void {
    const uid = podInfo.uid;
    if (this.known(uid)) return this.update(undefined, podInfo);
    const q: QueuedPodInfo = { podInfo, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set() };
    this.admit(q, 'PodAdd');
  }

  /** A pending pod changed; a parked pod whose spec or labels changed gets another chance. */
  update(oldPod: AnyObject | undefined, podInfo: PodInfo): void {
    const uid = podInfo.uid;
    const queued = this.active.get(uid) ?? this.backoff.get(uid);
    if (queued) {
      queued.podInfo = podInfo;
      if (this.active.has(uid)) this.active.push(queued);
      else this.backoff.push(queued);
      return;
    }
    const gated = this.gated.get(uid);
    if (gated) {
      gated.podInfo = podInfo;
      if (this.opts.preEnqueue(podInfo) === undefined) {
        this.gated.delete(uid);
        gated.timestamp = this.now();
        this.admit(gated, 'PodUpdate');
      }
      return;
    }
    const parked = this.unschedulable.get(uid);
    if (parked) {
      const changed = !oldPod || specOrLabelsChanged(oldPod, podInfo.pod);
      parked.podInfo = podInfo;
      if (changed) this.move(parked, 'PodUpdate');
      return;
    }
    const inFlight = this.inFlightPods.get(uid);
    if (inFlight) {
      inFlight.podInfo = podInfo;
      return;
    }
    this.add(podInfo);
  }

  delete(uid: string): void {
    this.active.delete(uid);
    this.backoff.delete(uid);
    this.unschedulable.delete(uid);
    this.gated.delete(uid);
  }

  /** The next pod to schedule; waits while activeQ is empty; undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const next = this.take();
    if (next) return Promise.resolve(next);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The attempt (and its binding) is over; the pod is no longer in flight. */
  done(uid: string): void {
    this.inFlightPods.delete(uid);
  }

  /**
   * A failed attempt: parked until an event for one of `rejectors`, or, when
   * no plugin rejected it (an error), straight to backoff.
   */
  addUnschedulable(q: QueuedPodInfo, rejectors: Set<string>): void {
    this.inFlightPods.delete(q.podInfo.uid);
    if (this.closed) return;
    q.timestamp = this.now();
    q.unschedulablePlugins = rejectors;
    if (rejectors.size === 0) {
      this.backoff.push(q);
      this.opts.onIncoming?.('backoff', 'ScheduleAttemptFailure');
    } else {
      this.unschedulable.set(q.podInfo.uid, q);
      this.opts.onIncoming?.('unschedulable', 'ScheduleAttemptFailure');
    }
  }

  /**
   * MoveAllToActiveOrBackoffQueue: parked pods that `event` may help go to
   * activeQ, or to backoffQ while their backoff lasts. `only` narrows the
   * pods considered.
   */
  moveAllToActiveOrBackoff(event: ClusterEvent, oldObj?: AnyObject, newObj?: AnyObject, only?: (q: QueuedPodInfo) => boolean): void {
    if (!this.unschedulable.size) return;
    for (const q of [...this.unschedulable.values()]) {
      if (only && !only(q)) continue;
      if (this.worthRequeuing(q, event, oldObj, newObj)) this.move(q, event.label);
    }
  }

  /** Pending pods per queue, for scheduler_pending_pods. */
  counts(): Record<QueueName, number> {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, gated: this.gated.size };
  }

  /** Which queue holds the pod, if any (tests and debugging). */
  where(uid: string): QueueName | 'inFlight' | undefined {
    if (this.active.has(uid)) return 'active';
    if (this.backoff.has(uid)) return 'backoff';
    if (this.unschedulable.has(uid)) return 'unschedulable';
    if (this.gated.has(uid)) return 'gated';
    return this.inFlightPods.has(uid) ? 'inFlight' : undefined;
  }

  flushBackoffCompleted(): void {
    const now = this.now();
    for (let q = this.backoff.peek(); q && this.backoffExpiry(q) <= now; q = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(q, 'BackoffComplete');
    }
  }

  flushUnschedulableLeftover(): void {
    const now = this.now();
    for (const q of [...this.unschedulable.values()]) {
      if (now - q.timestamp > this.maxInUnschedulableMs) this.move(q, 'UnschedulableTimeout');
    }
  }

  /** The wait before the next attempt: initial backoff doubled per earlier attempt, capped. */
  backoffDuration(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q.attempts);
  }

  private known(uid: string): boolean {
    return this.active.has(uid) || this.backoff.has(uid) || this.unschedulable.has(uid) || this.gated.has(uid) || this.inFlightPods.has(uid);
  }

  /** PreEnqueue, then activeQ or the gated pods. */
  private admit(q: QueuedPodInfo, event: string): void {
    if (this.opts.preEnqueue(q.podInfo) !== undefined) {
      this.gated.set(q.podInfo.uid, q);
      this.opts.onIncoming?.('gated', event);
      return;
    }
    q.initialTimestamp ??= this.now();
    this.pushActive(q, event);
  }

  private worthRequeuing(q: QueuedPodInfo, event: ClusterEvent, oldObj?: AnyObject, newObj?: AnyObject): boolean {
    if (q.unschedulablePlugins.size === 0) return true;
    for (const plugin of q.unschedulablePlugins) {
      for (const reg of this.opts.pluginEvents.get(plugin) ?? []) {
        if (reg.resource !== event.resource || !(reg.actions & event.action)) continue;
        if (!reg.hint || reg.hint(q.podInfo, oldObj, newObj)) return true;
      }
    }
    return false;
  }

  private move(q: QueuedPodInfo, event: string): void {
    this.unschedulable.delete(q.podInfo.uid);
    if (this.backoffExpiry(q) > this.now()) {
      this.backoff.push(q);
      this.opts.onIncoming?.('backoff', event);
    } else {
      this.pushActive(q, event);
    }
  }

  private pushActive(q: QueuedPodInfo, event: string): void {
    this.opts.onIncoming?.('active', event);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.markInFlight(q);
      waiter(q);
      return;
    }
    this.active.push(q);
  }

  private take(): QueuedPodInfo | undefined {
    const q = this.active.pop();
    if (q) this.markInFlight(q);
    return q;
  }

  /** kube's Pop: one more attempt, and the pod is in flight until done() or addUnschedulable(). */
  private markInFlight(q: QueuedPodInfo): void {
    q.attempts++;
    this.inFlightPods.set(q.podInfo.uid, q);
  }
}
