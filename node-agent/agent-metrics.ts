import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the agent runs now, from its pods' statuses: pods Running, and containers by state. */
export interface RunningCounts {
  pods: number;
  containers: Record<'running' | 'exited' | 'created' | 'unknown', number>;
}

/** kube's buckets for kubelet_pod_start_duration_seconds. */
const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

/** The kubelet's metrics the agent keeps, by the kubelet's names and labels. */
export class AgentMetrics {
  private readonly podStart: Histogram;
  private readonly operations: Counter<'operation_type'>;
  private readonly operationErrors: Counter<'operation_type'>;
  private readonly operationDuration: Histogram<'operation_type'>;

  constructor(registry: Registry, nodeName: string, running: () => RunningCounts | undefined) {
    const registers = [registry];
    new Gauge({ name: 'kubelet_node_name', help: 'The node\'s name. The count is always 1.', labelNames: ['node'], registers }).set({ node: nodeName }, 1);
    new Gauge({
      name: 'kubelet_running_pods', help: 'Number of pods that have a running pod sandbox.', registers,
      collect() {
        const counts = running();
        if (counts) this.set(counts.pods);
      },
    });
    new Gauge({
      name: 'kubelet_running_containers', help: 'Number of containers currently running.', labelNames: ['container_state'], registers,
      collect() {
        const counts = running();
        if (counts) for (const [state, n] of Object.entries(counts.containers)) this.set({ container_state: state }, n);
      },
    });
    this.podStart = new Histogram({
      name: 'kubelet_pod_start_duration_seconds', registers, buckets: POD_START_BUCKETS,
      help: 'Duration in seconds from the pod\'s creation to its first time Running, as this agent saw it.',
    });
    this.operations = new Counter({ name: 'kubelet_runtime_operations_total', help: 'Cumulative number of runtime operations by operation type.', labelNames: ['operation_type'], registers });
    this.operationErrors = new Counter({ name: 'kubelet_runtime_operations_errors_total', help: 'Cumulative number of runtime operation errors by operation type.', labelNames: ['operation_type'], registers });
    this.operationDuration = new Histogram({
      name: 'kubelet_runtime_operations_duration_seconds', help: 'Duration in seconds of runtime operations by operation type.', labelNames: ['operation_type'], registers,
      buckets: [0.005, 0.0125, 0.03125, 0.078125, 0.1953125, 0.48828125, 1.220703125, 3.0517578125, 7.62939453125, 19.073486328125, 47.6837158203125, 119.20928955078125],
    });
  }

  podStarted(seconds: number): void {
    this.podStart.observe(seconds);
  }

  /** One CRI call: its method in the kubelet's snake case (run_podsandbox, create_container, ...). */
  runtimeCall(method: string, seconds: number, failed: boolean): void {
    const operation_type = method.replace(/PodSandbox/, 'Podsandbox').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
    this.operations.inc({ operation_type });
    this.operationDuration.observe({ operation_type }, seconds);
    if (failed) this.operationErrors.inc({ operation_type });
  }
}
