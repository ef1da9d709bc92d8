import { logError, type ErrorReporter } from './log.js';
import type { WorkQueue } from './workqueue.js';

/**
 * What a reconcile asks for besides success: to look again after a while,
 * or (`requeue`) again with the queue's backoff, as client-go's AddRateLimited
 * without Forget: nothing failed, but the key is not done yet.
 */
export type ReconcileResult = { requeueAfter?: number; requeue?: boolean } | void;

/**
 * Brings the world in line with the desired state of the object `key` names.
 * Throwing retries the key with backoff; returning forgets its failures.
 */
export type Reconcile<K> = (key: K) => Promise<ReconcileResult>;

export interface ControllerLoopOptions {
  /** Names the controller in error reports. */
  name: string;
  /** Keys reconciled at once; one key is never reconciled twice at the same time. Default 1. */
  workers?: number;
  /** Aborting stops the workers after their current key; the queue is shut down. */
  signal?: AbortSignal;
  onError?: ErrorReporter;
}

/**
 * Runs `workers` loops that take keys from the queue and reconcile them.
 * Resolves once the queue is shut down (or the signal aborts) and every
 * worker has finished its current key.
 */
export async function runControllerLoop<K extends NonNullable<unknown>>(
  queue: WorkQueue<K>,
  reconcile: Reconcile<K>,
  options: ControllerLoopOptions,
): Promise<void> {
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`a controller needs at least one worker, got ${workers}`);
  const onError = options.onError ?? logError;
  const signal = options.signal;
  const stop = () => queue.shutDown();
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });

  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      // After an abort the queue still hands out what it held; leave that for the next run.
      if (signal?.aborted) {
        queue.done(key);
        return;
      }
      try {
        const result = await reconcile(key);
        if (result && result.requeue) queue.addRateLimited(key);
        else queue.forget(key);
        if (result && result.requeueAfter !== undefined && result.requeueAfter > 0) queue.addAfter(key, result.requeueAfter);
      } catch (err) {
        onError(err, { controller: options.name, key: String(key), requeues: queue.numRequeues(key) });
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
