import type { AnyObject } from '../../client/resource.js';
import { objectKey } from '../../client/store.js';
import { ProbeResults } from './probe-results.js';
import { ProbeWorker, type ObservedContainer } from './probe-worker.js';
import { PROBE_FIELDS, type ProbeKind, type Prober } from './prober.js';

const KINDS: ProbeKind[] = ['startup', 'liveness', 'readiness'];

/** The runtime's ID in a status's containerID (`containerd://<id>`). */
const runtimeId = (containerID: string) => containerID.replace(/^[a-z]+:\/\//, '');

/**
 * The probe workers of the node's pods, one per container and kind of
 * probe, started when the pod sync first writes a pod's status and stopped
 * when the pod goes (deleted, finished, or replaced by one of the same
 * name), and what the pod's status makes of their results: started from
 * the startup probe, ready from the readiness probe once started.
 */
export class ProbeManager {
  private readonly results: ProbeResults;
  private readonly pods = new Map<string, { uid: string; workers: ProbeWorker[] }>();
  private readonly startedAt = Date.now();
  private readonly stopping = new Set<Promise<void>>();

  constructor(private readonly prober: Prober, onChange: (podKey: string) => void) {
    this.results = new ProbeResults(onChange);
  }

  /**
   * Sets each container's `started` and `ready` in the pod's freshly built
   * `statuses` from its probes' results, after handing the workers the
   * containers those statuses show. A started container whose readiness
   * probe has not looked at it yet is probed at once.
   */
  updatePodStatus(pod: AnyObject, statuses: Record<string, any>[], podIP: string): void {
    const workers = this.workersOf(pod);
    for (const s of statuses) {
      const mine = workers.filter((w) => w.container.name === s.name);
      const id = s.containerID ? runtimeId(s.containerID) : undefined;
      // The start time is the status's, whole seconds: initialDelaySeconds may end up to a second early.
      const observed: ObservedContainer | undefined = id
        ? { id, running: !!s.state.running, exited: !!s.state.terminated, startedAtMs: Date.parse(s.state.running?.startedAt ?? '') || Date.now() }
        : undefined;
      for (const w of mine) w.observe(pod, observed, podIP);
      const started = !!id && !!s.state.running && this.started(id, mine.some((w) => w.kind === 'startup'));
      const readiness = mine.find((w) => w.kind === 'readiness');
      let ready = false;
      if (started && id) {
        ready = !readiness || this.results.get('readiness', id) === 'Success';
        if (!ready && readiness && !readiness.probed(id)) readiness.trigger();
      }
      s.started = started;
      s.ready = ready;
    }
  }

  /** Why the running container `containerId` must be killed: it failed its liveness or its startup probe. */
  unhealthy(containerId: string): 'liveness' | 'startup' | undefined {
    if (this.results.get('liveness', containerId) === 'Failure') return 'liveness';
    if (this.results.get('startup', containerId) === 'Failure') return 'startup';
    return undefined;
  }

  /** Stops the workers of the pod at `podKey`: it is gone, going, or done. A probe under way finishes on its own, unheeded. */
  removePod(podKey: string): void {
    const entry = this.pods.get(podKey);
    this.pods.delete(podKey);
    for (const worker of entry?.workers ?? []) {
      const done = worker.stop();
      this.stopping.add(done);
      void done.then(() => this.stopping.delete(done));
    }
  }

  /** Stops every worker and waits for the probes under way. */
  async stopAll(): Promise<void> {
    for (const key of [...this.pods.keys()]) this.removePod(key);
    await Promise.all(this.stopping);
  }

  /** The pod's workers, started at the first sight of the pod (a container's probes never change). */
  private workersOf(pod: AnyObject): ProbeWorker[] {
    const key = objectKey(pod);
    const uid = pod.metadata.uid!;
    let entry = this.pods.get(key);
    if (entry && entry.uid !== uid) {
      this.removePod(key);
      entry = undefined;
    }
    if (!entry) {
      entry = { uid, workers: [] };
      for (const container of pod.spec?.containers ?? []) {
        for (const kind of KINDS) {
          if (!container[PROBE_FIELDS[kind]]) continue;
          entry.workers.push(new ProbeWorker(kind, pod, container, {
            prober: this.prober, results: this.results, agentStartedAt: this.startedAt,
            started: (id) => this.started(id, !!container.startupProbe),
          }));
        }
      }
      this.pods.set(key, entry);
    }
    return entry.workers;
  }

  /** Whether a container passed its startup probe; one without a startup probe starts when it runs. */
  private started(containerId: string, hasStartupProbe: boolean): boolean {
    return !hasStartupProbe || this.results.get('startup', containerId) === 'Success';
  }
}
