/** Labels, annotations and finalizers of batch/v1, under the names kube gives them. */

/** The uid of the Job a pod belongs to; the generated selector selects on it alone, which is unique. */
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
/** The unprefixed forms kube still writes, for selectors written before the prefixed ones existed. */
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

/** An Indexed Job's pod index, as an annotation (read through JOB_COMPLETION_INDEX) and as a label. */
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/**
 * Held on every pod the Job controller makes until the pod's outcome is in the
 * Job's status, so a pod deleted (or garbage collected) before the
 * controller saw it finish still counts.
 */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

/** When the CronJob controller meant its Job to run, in the CronJob's time zone. */
export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** Set by `kubectl create job --from=cronjob/...` on Jobs made by hand from a CronJob. */
export const CRONJOB_INSTANTIATE = 'cronjob.kubernetes.io/instantiate';
