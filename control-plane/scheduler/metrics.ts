import { Counter, Gauge, Histogram, exponentialBuckets, type Registry } from 'prom-client';
import type { QueueName } from './queue/scheduling-queue.js';

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** kube-scheduler's metrics, by kube's names, labels and buckets. */
export class SchedulerMetrics {
  private readonly attempts: Counter<'result' | 'profile'>;
  private readonly attemptDuration: Histogram<'result' | 'profile'>;
  private readonly sliDuration: Histogram<'attempts'>;
  private readonly attemptsToSchedule: Histogram;
  private readonly incoming: Counter<'queue' | 'event'>;

  constructor(registry: Registry, pending: () => Record<QueueName, number> | undefined) {
    const registers = [registry];
    new Gauge({
      name: 'scheduler_pending_pods', registers, labelNames: ['queue'],
      help: 'Pods waiting to be scheduled, by queue: active (ready for an attempt), backoff (waiting out a backoff), unschedulable (parked after failed attempts), gated (held by scheduling gates, never attempted).',
      collect() {
        const counts = pending();
        if (!counts) return;
        for (const [queue, n] of Object.entries(counts)) this.set({ queue }, n);
      },
    });
    this.attempts = new Counter({
      name: 'scheduler_schedule_attempts_total', registers, labelNames: ['result', 'profile'],
      help: "Attempts to schedule pods, by result: 'unschedulable' when no node fitted, 'error' when the scheduler itself failed.",
    });
    this.attemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds', registers, labelNames: ['result', 'profile'],
      help: 'Latency of one scheduling attempt in seconds, from the start of its cycle to its outcome (binding included).',
      buckets: exponentialBuckets(0.001, 2, 15),
    });
    this.sliDuration = new Histogram({
      name: 'scheduler_pod_scheduling_sli_duration_seconds', registers, labelNames: ['attempts'],
      help: 'Seconds from a pod first entering the scheduling queue to its binding, over all its attempts.',
      buckets: exponentialBuckets(0.01, 2, 20),
    });
    this.attemptsToSchedule = new Histogram({
      name: 'scheduler_pod_scheduling_attempts', registers,
      help: 'Attempts it took to schedule a pod.',
      buckets: exponentialBuckets(1, 2, 5),
    });
    this.incoming = new Counter({
      name: 'scheduler_queue_incoming_pods_total', registers, labelNames: ['queue', 'event'],
      help: 'Pods added to the scheduling queues, by queue and by the event that moved them.',
    });
  }

  attempt(result: AttemptResult, profile: string, seconds: number): void {
    this.attempts.inc({ result, profile });
    this.attemptDuration.observe({ result, profile }, seconds);
  }

  /** A pod was bound after `attempts` attempts, `sliSeconds` after it first entered the queue. */
  scheduled(attempts: number, sliSeconds: number | undefined): void {
    this.attemptsToSchedule.observe(attempts);
    if (sliSeconds !== undefined) this.sliDuration.observe({ attempts: attempts >= 15 ? '15+' : String(attempts) }, sliSeconds);
  }

  queueIncoming(queue: QueueName, event: string): void {
    this.incoming.inc({ queue, event });
  }
}
