import type { AnyObject } from '../../client/resource.js';
import type { ProbeResult, ProbeResults } from './probe-results.js';
import { PROBE_FIELDS, type ProbeKind, type Prober } from './prober.js';

/** The container a worker probes, as the pod's latest status shows it. */
export interface ObservedContainer {
  id: string;
  running: boolean;
  exited: boolean;
  /** When the current run started (ms since the epoch). */
  startedAtMs: number;
}

/** What a result is before the first probe: a container is not ready until probed, alive until it fails, not started until it passes. */
const INITIAL: Record<ProbeKind, ProbeResult> = { readiness: 'Failure', liveness: 'Success', startup: 'Unknown' };

export interface ProbeWorkerDeps {
  prober: Pick<Prober, 'probe'>;
  results: ProbeResults;
  /** Whether the container passed its startup probe (or has none): liveness and readiness wait for it, startup stops. */
  started(containerId: string): boolean;
  /** When the agent started: workers starting within a period of it spread their first probes over the period. */
  agentStartedAt: number;
}

/**
 * One probe of one container, run every periodSeconds for as long as the
 * pod lives: nothing before initialDelaySeconds of each run, the result
 * changed only after successThreshold successes or failureThreshold
 * failures in a row, and after a liveness or startup failure nothing more
 * until the container is replaced. A container that is not running fails
 * readiness; one that exited for good ends the worker.
 */
export class ProbeWorker {
  private pod: AnyObject;
  private observed?: ObservedContainer;
  private podIP = '';
  private containerId?: string;
  private lastResult?: ProbeResult;
  private resultRun = 0;
  private onHold = false;
  /** The container last probed: a readiness probe that has not looked at the current one is run at once rather than a period later. */
  private probedId?: string;
  private triggered = false;
  private wake?: () => void;
  private readonly stopper = new AbortController();
  private readonly spec: Record<string, any>;
  private readonly podKey: string;
  readonly done: Promise<void>;

  constructor(readonly kind: ProbeKind, pod: AnyObject, readonly container: Record<string, any>, private readonly deps: ProbeWorkerDeps) {
    this.pod = pod;
    this.podKey = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.spec = container[PROBE_FIELDS[kind]];
    this.done = this.run();
  }

  /** The latest pod, its IP and this worker's container in its status (none while it waits to be created or restarted). */
  observe(pod: AnyObject, container: ObservedContainer | undefined, podIP: string): void {
    this.pod = pod;
    this.observed = container;
    this.podIP = podIP;
  }

  /** Whether the container `id` was probed yet. */
  probed(id: string): boolean {
    return this.probedId === id;
  }

  /** Probes now instead of at the next period. */
  trigger(): void {
    this.triggered = true;
    this.wake?.();
  }

  stop(): Promise<void> {
    this.stopper.abort();
    return this.done;
  }

  private async run(): Promise<void> {
    const periodMs = (this.spec.periodSeconds ?? 10) * 1000;
    // Right after an agent restart every worker starts at once; spread their probes over a period.
    if (Date.now() - this.deps.agentStartedAt < periodMs) await this.pause(Math.random() * periodMs);
    let next = Date.now() + periodMs;
    try {
      while (!this.stopper.signal.aborted && await this.probeOnce()) {
        if (!this.triggered && next > Date.now()) await this.pause(next - Date.now());
        this.triggered = false;
        while (next <= Date.now()) next += periodMs;
      }
    } finally {
      if (this.containerId) this.deps.results.remove(this.kind, this.containerId);
    }
  }

  /** One probe, or the reason there is none yet; answers whether the worker goes on. */
  private async probeOnce(): Promise<boolean> {
    const c = this.observed;
    if (!c) return true;
    const { results } = this.deps;
    if (c.id !== this.containerId) {
      if (this.containerId) results.remove(this.kind, this.containerId);
      this.containerId = c.id;
      results.set(this.kind, c.id, INITIAL[this.kind], this.podKey);
      this.onHold = false;
    }
    if (this.onHold) return true;
    if (!c.running) {
      results.set(this.kind, c.id, 'Failure', this.podKey);
      return !(c.exited && this.pod.spec?.restartPolicy === 'Never');
    }
    if (this.pod.metadata.deletionTimestamp && this.kind !== 'readiness') {
      // A pod on its way out is not killed for failing: its last word is success.
      results.set(this.kind, c.id, 'Success', this.podKey);
      return false;
    }
    if (Math.floor((Date.now() - c.startedAtMs) / 1000) < (this.spec.initialDelaySeconds ?? 0)) return true;
    if (this.deps.started(c.id) === (this.kind === 'startup')) return true;
    let result: 'Success' | 'Failure';
    try {
      result = await this.deps.prober.probe(this.kind, this.pod, this.container, c.id, this.podIP);
    } catch {
      // The probe errored (its event says why): no result to count.
      return true;
    } finally {
      this.probedId = c.id;
    }
    if (this.stopper.signal.aborted) return false;
    if (this.lastResult === result) this.resultRun++;
    else {
      this.lastResult = result;
      this.resultRun = 1;
    }
    if ((result === 'Failure' && this.resultRun < (this.spec.failureThreshold ?? 3)) || (result === 'Success' && this.resultRun < (this.spec.successThreshold ?? 1))) return true;
    results.set(this.kind, c.id, result, this.podKey);
    if (this.kind !== 'readiness' && result === 'Failure') {
      // The container is about to be killed; probing it meanwhile would only race the kill.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }

  /** Waits `ms`, or less when triggered or stopped. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.stopper.signal;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      if (signal.aborted) done();
      else signal.addEventListener('abort', done);
    });
  }
}
