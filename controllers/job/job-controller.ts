import { JOB_TRACKING_FINALIZER } from '../../api/batch/well-known.js';
import { clone, deepEqual } from '../../api/deep-equal.js';
import { getControllerOf, newControllerRef } from '../../api/owner-references.js';
import { isPodActive, isPodReady, isPodTerminal } from '../../api/pod-status.js';
import { tryLabelSelectorFromObject } from '../../api/selectors/label-selector.js';
import { now as nowText } from '../../api/time.js';
import { isNamespaceTerminating, isNotFound } from '../../client/api-error.js';
import type { ReconcileResult } from '../../client/controller-loop.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { AnyObject } from '../../client/resource.js';
import { JOBS, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { namespaceIndex, objectKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { workersFor, type ControllerDescriptor } from '../controller.js';
import { claimObjects } from '../controller-ref-manager.js';
import { ControllerExpectations } from '../replicaset/controller-expectations.js';
import { PodControl } from '../replicaset/pod-control.js';
import { BURST_REPLICAS } from '../replicaset/replicaset-controller.js';
import { SelectorCache } from '../selector-cache.js';
import { formatIndexes, parseIndexes } from './completed-indexes.js';
import { conditionOf, setJobCondition, type JobCondition } from './job-conditions.js';
import { completionIndexOf, hasTrackingFinalizer, jobPod } from './job-pod.js';
import { pastBackoffLimitOnFailure, remainingBackoffMs } from './pod-failure-backoff.js';

interface JobDeps {
  client: RestClient;
  jobs: Informer;
  pods: Informer;
  expectations: ControllerExpectations;
  podControl: PodControl;
  recorder: EventRecorder;
  selectors: SelectorCache<AnyObject>;
  clock(): number;
}

const isFinished = (job: AnyObject) => !!(conditionOf(job.status ?? {}, 'Complete') ?? conditionOf(job.status ?? {}, 'Failed'));

/**
 * The Job controller (kube's syncJob): runs pods from the template until
 * enough succeed (per index for Indexed Jobs), replaces failed ones after a
 * backoff, and fails the Job past its backoffLimit or activeDeadlineSeconds.
 * Every pod it makes holds the job-tracking finalizer until its outcome is
 * in status: first the pod's uid goes into uncountedTerminatedPods, then the
 * finalizer comes off, then the uid moves into the counters, so a crash at
 * any point neither loses nor doubles a count. The final Complete or Failed
 * condition follows SuccessCriteriaMet or FailureTarget once no pod of the
 * Job is left running. Keys are "namespace/name" of Jobs.
 */
export function jobReconciler({ client, jobs, pods, expectations, podControl, recorder, selectors, clock }: JobDeps) {
  const removeFinalizer = async (pod: AnyObject): Promise<void> => {
    const at = (pod.metadata.finalizers as string[]).indexOf(JOB_TRACKING_FINALIZER);
    try {
      // The tests make the patch fail rather than remove another finalizer when the pod changed meanwhile.
      await client.patch(PODS, pod.metadata.name!, 'json', [
        { op: 'test', path: '/metadata/uid', value: pod.metadata.uid },
        { op: 'test', path: `/metadata/finalizers/${at}`, value: JOB_TRACKING_FINALIZER },
        { op: 'remove', path: `/metadata/finalizers/${at}` },
      ], { namespace: pod.metadata.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  /** Deletes pods the Job no longer wants; their outcome is no failure, so they leave untracked. */
  const deleteUncounted = async (key: string, job: AnyObject, victims: AnyObject[]): Promise<void> => {
    if (!victims.length) return;
    expectations.expectDeletions(key, victims.map(objectKey));
    await Promise.all(victims.map(async (pod) => {
      try {
        if (hasTrackingFinalizer(pod)) await removeFinalizer(pod);
        await podControl.deletePod(job, pod);
      } catch (err) {
        expectations.deletionObserved(key, objectKey(pod));
        if (!isNotFound(err)) throw err;
      }
    }));
  };

  /** Deletes pods of a failing Job: they keep their finalizer and count as failed once gone. */
  const deleteCounted = async (key: string, job: AnyObject, victims: AnyObject[]): Promise<void> => {
    if (!victims.length) return;
    expectations.expectDeletions(key, victims.map(objectKey));
    await Promise.all(victims.map(async (pod) => {
      try {
        await podControl.deletePod(job, pod);
      } catch (err) {
        expectations.deletionObserved(key, objectKey(pod));
        if (!isNotFound(err)) throw err;
      }
    }));
  };

  const createPods = async (key: string, job: AnyObject, indexes: Array<number | undefined>): Promise<void> => {
    // Expected before the first create: the watch may report a new pod before its create call returns.
    expectations.expectCreations(key, indexes.length);
    const ref = newControllerRef(job, 'batch/v1', 'Job');
    const results = await Promise.allSettled(indexes.map(async (ix) => {
      try {
        const created = await client.create(PODS, jobPod(job, ref, ix));
        recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        expectations.creationObserved(key);
        if (!isNamespaceTerminating(err)) recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  /** Pods whose Job is gone keep no finalizer of it: nothing would ever count them. */
  const releaseOrphans = async (key: string): Promise<void> => {
    const [namespace, name] = key.split('/');
    const orphans = pods.store.byIndex(namespaceIndex, namespace).filter((pod) => {
      const ref = getControllerOf(pod);
      return ref?.kind === 'Job' && ref.name === name && hasTrackingFinalizer(pod);
    });
    await Promise.all(orphans.map(removeFinalizer));
  };

  return async function reconcile(key: string): Promise<ReconcileResult> {
    const job = jobs.store.get(key);
    if (!job) {
      expectations.forget(key);
      await releaseOrphans(key);
      return;
    }
    const selector = selectors.get(job);
    if (!selector) return;
    const { namespace, name } = job.metadata;
    const candidates = pods.store.byIndex(namespaceIndex, namespace!).filter((p) => selector.matches(p.metadata.labels) || getControllerOf(p)?.uid === job.metadata.uid);
    const owned = await claimObjects(candidates, {
      owner: job, ownerApiVersion: 'batch/v1', ownerKind: 'Job', kind: 'Pod', selector,
      getFresh: () => client.get(JOBS, name!, { namespace }),
      patch: (pod, body) => client.patch(PODS, pod.metadata.name!, 'strategic', body, { namespace }),
    });
    if (job.metadata.deletionTimestamp || isFinished(job)) {
      await Promise.all(owned.filter(hasTrackingFinalizer).map(removeFinalizer));
      return;
    }

    const nowMs = clock();
    const spec = job.spec;
    const status: AnyObject = clone(job.status ?? {});
    const indexed = spec.completionMode === 'Indexed';
    const completions: number | undefined = spec.completions ?? undefined;
    const parallelism: number = spec.parallelism ?? 1;
    const uncounted = {
      succeeded: new Set<string>(status.uncountedTerminatedPods?.succeeded ?? []),
      failed: new Set<string>(status.uncountedTerminatedPods?.failed ?? []),
    };
    const completed = parseIndexes(status.completedIndexes);
    let failureTarget = conditionOf(status, 'FailureTarget');
    let successMet = conditionOf(status, 'SuccessCriteriaMet');

    // Newly finished pods: into uncounted while they still hold the finalizer.
    for (const pod of owned) {
      const uid = pod.metadata.uid!;
      if (!hasTrackingFinalizer(pod) || uncounted.succeeded.has(uid) || uncounted.failed.has(uid)) continue;
      if (pod.status?.phase === 'Succeeded') {
        const ix = completionIndexOf(pod);
        if (indexed && ix !== undefined && ix < (completions ?? 0)) completed.add(ix);
        uncounted.succeeded.add(uid);
      } else if (pod.status?.phase === 'Failed' || (pod.metadata.deletionTimestamp && spec.podReplacementPolicy !== 'Failed') || (pod.metadata.deletionTimestamp && failureTarget)) {
        uncounted.failed.add(uid);
      }
    }

    const active = owned.filter(isPodActive);
    const terminating = owned.filter((p) => p.metadata.deletionTimestamp && !isPodTerminal(p));
    const failed = (status.failed ?? 0) + uncounted.failed.size;
    const succeeded = indexed ? completed.size : (status.succeeded ?? 0) + uncounted.succeeded.size;
    const started = Date.parse(status.startTime ?? '');

    if (!failureTarget && !successMet) {
      const deadline = spec.activeDeadlineSeconds;
      let target: JobCondition | undefined;
      if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, active)) {
        target = { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
      } else if (typeof deadline === 'number' && !spec.suspend && !Number.isNaN(started) && nowMs >= started + deadline * 1000) {
        target = { type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
      }
      if (target) {
        setJobCondition(status, target);
        failureTarget = conditionOf(status, 'FailureTarget');
      } else {
        const done = indexed ? completed.size >= (completions ?? 0)
          : completions !== undefined ? succeeded >= completions
            : succeeded > 0 && active.length === 0;
        if (done) {
          setJobCondition(status, { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
          successMet = conditionOf(status, 'SuccessCriteriaMet');
        }
      }
    }

    let requeueAfter: number | undefined;
    let remaining = active;
    const manage = async () => {
      if (failureTarget) {
        await deleteCounted(key, job, active);
        remaining = [];
        return;
      }
      if (successMet || spec.suspend) {
        await deleteUncounted(key, job, active);
        remaining = [];
        if (spec.suspend && !successMet && setJobCondition(status, { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' })) {
          recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
        }
        return;
      }
      if (conditionOf(status, 'Suspended')) {
        setJobCondition(status, { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' });
        recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
        // The deadline counts from the resumption.
        delete status.startTime;
      }
      if (!status.startTime) {
        status.startTime = nowText();
        if (typeof spec.activeDeadlineSeconds === 'number') requeueAfter = spec.activeDeadlineSeconds * 1000;
      } else if (typeof spec.activeDeadlineSeconds === 'number') {
        requeueAfter = Math.max(0, started + spec.activeDeadlineSeconds * 1000 - nowMs);
      }
      if (!expectations.satisfied(key)) return;
      const occupying = spec.podReplacementPolicy === 'Failed' ? [...active, ...terminating] : active;
      if (occupying.length > parallelism) {
        // Newest first: the oldest have run longest.
        const victims = active.slice(-Math.min(active.length, occupying.length - parallelism));
        await deleteUncounted(key, job, victims);
        remaining = active.filter((p) => !victims.includes(p));
        return;
      }
      const backoff = remainingBackoffMs(owned, nowMs);
      let want: Array<number | undefined>;
      if (indexed) {
        const running = new Set(occupying.map(completionIndexOf));
        const pending: number[] = [];
        for (let ix = 0; ix < (completions ?? 0) && pending.length < parallelism - occupying.length; ix++) {
          if (!completed.has(ix) && !running.has(ix)) pending.push(ix);
        }
        want = pending;
      } else {
        const wantActive = completions === undefined ? (succeeded > 0 ? occupying.length : parallelism) : Math.min(parallelism, Math.max(0, completions - succeeded));
        want = Array.from({ length: Math.max(0, wantActive - occupying.length) }, () => undefined);
      }
      want = want.slice(0, BURST_REPLICAS);
      if (!want.length) return;
      if (backoff > 0) {
        requeueAfter = Math.min(requeueAfter ?? backoff, backoff);
        return;
      }
      await createPods(key, job, want);
    };
    const manageError = await manage().then(() => undefined, (err) => err);

    status.active = remaining.length;
    status.ready = remaining.filter(isPodReady).length;
    status.terminating = terminating.length;
    if (indexed) status.completedIndexes = formatIndexes(completed);
    const writeStatus = async (current: AnyObject): Promise<AnyObject> => {
      status.uncountedTerminatedPods = { succeeded: [...uncounted.succeeded], failed: [...uncounted.failed] };
      if (!status.uncountedTerminatedPods.succeeded.length) delete status.uncountedTerminatedPods.succeeded;
      if (!status.uncountedTerminatedPods.failed.length) delete status.uncountedTerminatedPods.failed;
      if (indexed) status.succeeded = completed.size;
      if (deepEqual(current.status ?? {}, status)) return current;
      return client.updateStatus(JOBS, { ...current, status: clone(status) });
    };

    // First the uids, then the finalizers, then the counters.
    const stored = await writeStatus(job);
    const tracked = owned.filter((p) => hasTrackingFinalizer(p) && (uncounted.succeeded.has(p.metadata.uid!) || uncounted.failed.has(p.metadata.uid!)));
    await Promise.all(tracked.map(removeFinalizer));
    for (const uid of uncounted.succeeded) {
      uncounted.succeeded.delete(uid);
      if (!indexed) status.succeeded = (status.succeeded ?? 0) + 1;
    }
    for (const uid of uncounted.failed) {
      uncounted.failed.delete(uid);
      status.failed = (status.failed ?? 0) + 1;
    }

    if ((failureTarget || successMet) && remaining.length === 0 && terminating.length === 0) {
      if (failureTarget) {
        setJobCondition(status, { type: 'Failed', status: 'True', reason: failureTarget.reason, message: failureTarget.message });
        recorder.event(job, 'Warning', failureTarget.reason, failureTarget.message);
      } else {
        setJobCondition(status, { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
        status.completionTime = nowText();
        recorder.event(job, 'Normal', 'Completed', 'Job completed');
      }
    }
    await writeStatus(stored);
    if (manageError) throw manageError;
    if (requeueAfter !== undefined) return { requeueAfter: requeueAfter + 1 };
  };
}

export const jobController: ControllerDescriptor = {
  name: 'job-controller', aliases: ['job'], enabledByDefault: true,
  create(ctx) {
    const jobs = ctx.informers.for<AnyObject>(JOBS);
    const pods = ctx.informers.for<AnyObject>(PODS);
    const queue = new WorkQueue<string>();
    const expectations = new ControllerExpectations();
    const selectors = new SelectorCache<AnyObject>((job) => tryLabelSelectorFromObject(job.spec?.selector));
    selectors.forgetDeleted(jobs);

    /** The Job key a pod's controller reference names, whether or not that Job still exists (its pods may need their finalizer off). */
    const ownerKey = (pod: AnyObject): string | undefined => {
      const ref = getControllerOf(pod);
      return ref?.kind === 'Job' && ref.apiVersion.startsWith('batch/') ? `${pod.metadata.namespace}/${ref.name}` : undefined;
    };
    const selecting = (pod: AnyObject) => jobs.store.byIndex(namespaceIndex, pod.metadata.namespace!).filter((job) => {
      const selector = selectors.get(job);
      return selector && !selector.empty() && selector.matches(pod.metadata.labels);
    });
    const podChanged = (pod: AnyObject, created: boolean) => {
      const key = ownerKey(pod);
      if (!key) {
        for (const job of selecting(pod)) queue.add(objectKey(job));
        return;
      }
      if (pod.metadata.deletionTimestamp) expectations.deletionObserved(key, objectKey(pod));
      else if (created) expectations.creationObserved(key);
      queue.add(key);
    };

    jobs.addEventHandler({
      onAdd: (job) => queue.add(objectKey(job)),
      onUpdate: (old, job) => {
        if (old.metadata.uid !== job.metadata.uid) expectations.forget(objectKey(old));
        queue.add(objectKey(job));
      },
      onDelete: (job) => {
        expectations.forget(objectKey(job));
        queue.add(objectKey(job));
      },
    });
    pods.addEventHandler({
      onAdd: (pod) => podChanged(pod, true),
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        const before = ownerKey(old);
        if (before && before !== ownerKey(pod)) queue.add(before);
        podChanged(pod, false);
      },
      onDelete: (pod) => {
        const key = ownerKey(pod);
        if (!key) return;
        expectations.deletionObserved(key, objectKey(pod));
        queue.add(key);
      },
    });

    const recorder = ctx.recorder('job-controller');
    return [{
      name: 'job', queue, workers: workersFor(ctx, 'job', 5),
      reconcile: jobReconciler({
        client: ctx.client, jobs, pods, expectations, podControl: new PodControl(ctx.client, recorder), recorder, selectors, clock: Date.now,
      }),
    }];
  },
};
