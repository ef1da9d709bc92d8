import type { EventRecorder } from '../../client/event-recorder.js';
import type { AnyObject } from '../../client/resource.js';
import type { RuntimeClient } from '../cri/runtime-client.js';
import { expand } from '../pods/container-env.js';
import { resolveContainerPort } from './container-port.js';
import { execProbe } from './exec-probe.js';
import { grpcProbe } from './grpc-probe.js';
import { httpGetRequest, httpProbe } from './http-probe.js';
import type { ProbeOutcome } from './probe-outcome.js';
import { tcpProbe } from './tcp-probe.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

/** The container field each kind of probe is declared in. */
export const PROBE_FIELDS: Record<ProbeKind, string> = { liveness: 'livenessProbe', readiness: 'readinessProbe', startup: 'startupProbe' };

const TITLES: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

/** Attempts of a probe that errors (could not run), before the error stands. */
const MAX_PROBE_RETRIES = 3;

/**
 * Runs one probe of a container, whatever its handler (exec through CRI;
 * httpGet, tcpSocket and grpc from the agent, which shares the pods'
 * network), and records the kubelet's events: Unhealthy for a failure, or
 * for an error; ProbeWarning for a redirect it did not follow.
 */
export class Prober {
  constructor(private readonly runtime: RuntimeClient, private readonly recorder: EventRecorder) {}

  /** Success or Failure of the container's probe of `kind`; throws when the probe errored, a result the worker does not count. */
  async probe(kind: ProbeKind, pod: AnyObject, container: Record<string, any>, containerId: string, podIP: string): Promise<'Success' | 'Failure'> {
    const spec: Record<string, any> = container[PROBE_FIELDS[kind]];
    let outcome: ProbeOutcome | undefined;
    let error: unknown;
    for (let attempt = 0; attempt < MAX_PROBE_RETRIES && !outcome; attempt++) {
      try {
        outcome = await this.run(spec, pod, container, containerId, podIP);
      } catch (err) {
        error = err;
      }
    }
    if (!outcome) {
      this.recorder.event(pod, 'Warning', 'Unhealthy', `${TITLES[kind]} probe errored and resulted in unknown state: ${(error as Error).message}`);
      throw error;
    }
    switch (outcome.result) {
      case 'success':
        return 'Success';
      case 'warning':
        this.recorder.event(pod, 'Warning', 'ProbeWarning', `${TITLES[kind]} probe warning: ${outcome.output}`);
        return 'Success';
      case 'failure':
        this.recorder.event(pod, 'Warning', 'Unhealthy', `${TITLES[kind]} probe failed: ${outcome.output}`);
        return 'Failure';
      default:
        return 'Failure';
    }
  }

  private run(spec: Record<string, any>, pod: AnyObject, container: Record<string, any>, containerId: string, podIP: string): Promise<ProbeOutcome> {
    const timeoutSeconds = Math.max(1, spec.timeoutSeconds ?? 1);
    if (spec.exec) {
      // Only the container's literal env values expand in the command: the probe runs outside the environment the container got.
      const literal = new Map<string, string>((container.env ?? []).filter((e: Record<string, any>) => e.value !== undefined).map((e: Record<string, any>) => [e.name, e.value]));
      return execProbe(this.runtime, containerId, (spec.exec.command ?? []).map((c: string) => expand(c, literal)), timeoutSeconds);
    }
    if (spec.httpGet) return httpProbe(httpGetRequest(spec.httpGet, container, podIP), timeoutSeconds * 1000);
    if (spec.tcpSocket) return tcpProbe(spec.tcpSocket.host || podIP, resolveContainerPort(spec.tcpSocket.port, container), timeoutSeconds * 1000);
    if (spec.grpc) return grpcProbe(podIP, spec.grpc.port, spec.grpc.service ?? '', timeoutSeconds * 1000);
    throw new Error(`missing probe handler for ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid}):${container.name}`);
  }
}
