import type { ProbeKind } from './prober.js';

/** What a probe worker last concluded of a container; Unknown is a startup probe that has not yet passed or failed. */
export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

/**
 * The probe results of the node's containers, by kind and container ID: what
 * the pod sync reads to write readiness and started, and to kill a container
 * that failed its liveness or startup probe. A change calls `onChange` with
 * the pod's key, so the pod is synced at once, not at its next relist.
 */
export class ProbeResults {
  private readonly results = new Map<string, ProbeResult>();

  constructor(private readonly onChange: (podKey: string) => void) {}

  get(kind: ProbeKind, containerId: string): ProbeResult | undefined {
    return this.results.get(`${kind}/${containerId}`);
  }

  set(kind: ProbeKind, containerId: string, result: ProbeResult, podKey: string): void {
    const key = `${kind}/${containerId}`;
    if (this.results.get(key) === result) return;
    this.results.set(key, result);
    this.onChange(podKey);
  }

  remove(kind: ProbeKind, containerId: string): void {
    this.results.delete(`${kind}/${containerId}`);
  }
}
