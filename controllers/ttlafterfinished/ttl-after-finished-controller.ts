import { isNotFound } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { JOBS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { WorkQueue } from '../../client/workqueue.js';
import { enqueueFrom, workersFor, type ControllerDescriptor } from '../controller.js';

/** When a finished Job finished: its Complete or Failed condition's transition. */
function finishedAt(job: AnyObject): number | undefined {
  const done = (job.status?.conditions ?? []).find((c: AnyObject) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!done) return undefined;
  const at = Date.parse(done.lastTransitionTime ?? '');
  return Number.isNaN(at) ? undefined : at;
}

/** Milliseconds until the Job's TTL runs out (0 or less: expired); undefined when it has no TTL or has not finished. */
function ttlRemainingMs(job: AnyObject, nowMs: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (typeof ttl !== 'number' || job.metadata.deletionTimestamp) return undefined;
  const at = finishedAt(job);
  return at === undefined ? undefined : at + ttl * 1000 - nowMs;
}

/**
 * kube's TTL-after-finished controller: deletes a finished Job once
 * ttlSecondsAfterFinished has passed, re-reading it first so a TTL changed
 * meanwhile is honoured, and deleting in the foreground (as kube does) so
 * the Job stays visible until its pods are gone.
 */
export function ttlAfterFinishedReconciler(client: RestClient, jobs: Informer, clock: () => number) {
  return async function reconcile(key: string): Promise<ReconcileResult> {
    const cached = jobs.store.get(key);
    if (!cached) return;
    const left = ttlRemainingMs(cached, clock());
    if (left === undefined) return;
    if (left > 0) return { requeueAfter: left };
    const { namespace, name } = cached.metadata;
    let fresh: AnyObject;
    try {
      fresh = await client.get(JOBS, name!, { namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const freshLeft = ttlRemainingMs(fresh, clock());
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfter: freshLeft };
    try {
      await client.delete(JOBS, name!, { namespace, propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
}

export const ttlAfterFinishedController: ControllerDescriptor = {
  name: 'ttl-after-finished-controller', aliases: ['ttl-after-finished'], enabledByDefault: true,
  create(ctx) {
    const jobs = ctx.informers.for<AnyObject>(JOBS);
    const queue = new WorkQueue<string>();
    enqueueFrom(jobs, queue, undefined, { onDelete: false });
    return [{ name: 'ttl-after-finished', queue, workers: workersFor(ctx, 'ttl-after-finished', 5), reconcile: ttlAfterFinishedReconciler(ctx.client, jobs, Date.now) }];
  },
};
