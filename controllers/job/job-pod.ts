import { JOB_COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from '../../api/batch/well-known.js';
import type { OwnerReference } from '../../api/owner-references.js';
import type { AnyObject } from '../../client/resource.js';
import { podFromTemplate } from '../replicaset/pod-template.js';

/** The index an Indexed Job's pod runs, from its annotation (or label); undefined when missing or malformed. */
export function completionIndexOf(pod: AnyObject): number | undefined {
  const value = pod.metadata.annotations?.[JOB_COMPLETION_INDEX] ?? pod.metadata.labels?.[JOB_COMPLETION_INDEX];
  return typeof value === 'string' && /^(0|[1-9][0-9]*)$/.test(value) ? Number(value) : undefined;
}

export const hasTrackingFinalizer = (pod: AnyObject): boolean => (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

/**
 * A pod for the Job: its template, the tracking finalizer, and for an
 * Indexed Job the index as annotation, label, JOB_COMPLETION_INDEX (read
 * from the annotation, so it is the one the pod really has) and a
 * `<job>-<index>` hostname for a headless Service to resolve.
 */
export function jobPod(job: AnyObject, ref: OwnerReference, index?: number): AnyObject {
  const pod = podFromTemplate(job.spec.template, job, ref);
  pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
  if (index === undefined) return pod;
  const ix = String(index);
  pod.metadata.generateName = `${job.metadata.name}-${ix}-`;
  pod.metadata.annotations = { ...pod.metadata.annotations, [JOB_COMPLETION_INDEX]: ix };
  pod.metadata.labels = { ...pod.metadata.labels, [JOB_COMPLETION_INDEX]: ix };
  pod.spec.hostname ??= `${job.metadata.name}-${ix}`;
  const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } };
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    if (!(c.env ?? []).some((e: AnyObject) => e.name === env.name)) c.env = [...(c.env ?? []), env];
  }
  return pod;
}
