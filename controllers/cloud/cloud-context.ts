import { defaultControllerRateLimiter } from '../../client/rate-limiter.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { AwsClients } from '../aws/aws-clients.js';
import type { ControllerContext, ControllerDescriptor, ControllerSetOptions } from '../controller.js';

/** The AWS cloud-controller-manager's flags, where Skiff's meaning is the same. */
export interface CloudControllerManagerOptions extends ControllerSetOptions {
  /** --cluster-name: the `kubernetes.io/cluster/<name>` tag that marks this cluster's resources. */
  clusterName: string;
  /** --region; else AWS_REGION / AWS_DEFAULT_REGION, else the instance metadata. */
  region?: string;
  /** --configure-cloud-routes with --cluster-cidr: routes for node podCIDRs in the cluster's route table. */
  configureCloudRoutes: boolean;
  clusterCidr?: string;
  /** --node-monitor-period: how often the cloud-node-lifecycle controller checks nodes' instances. */
  nodeMonitorPeriodMs: number;
  /** --node-status-update-frequency: how often initialized nodes' addresses are refreshed from the cloud. */
  nodeStatusUpdateFrequencyMs: number;
  /** --route-reconciliation-period. */
  routeReconciliationPeriodMs: number;
  /** Per-item retry backoff of every cloud controller's queue (the AWS cloud-controller-manager's 5 s to 300 s). */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** How long an EBS attachment may stay `attaching` before it is detached and tried again. */
  attachTimeoutMs: number;
}

export const CLOUD_CONTROLLER_MANAGER_DEFAULTS: CloudControllerManagerOptions = {
  controllers: ['*'],
  concurrentSyncs: {},
  clusterName: 'kubernetes',
  configureCloudRoutes: true,
  nodeMonitorPeriodMs: 5_000,
  nodeStatusUpdateFrequencyMs: 5 * 60_000,
  routeReconciliationPeriodMs: 10_000,
  retryBaseDelayMs: 5_000,
  retryMaxDelayMs: 300_000,
  attachTimeoutMs: 90_000,
};

/** What a cloud controller is built from: the shared context plus the process's AWS clients. */
export interface CloudContext extends ControllerContext<CloudControllerManagerOptions> {
  aws: AwsClients;
}

export type CloudControllerDescriptor = ControllerDescriptor<CloudContext>;

/** A cloud controller's queue: per-item exponential backoff within the configured bounds, no overall limit (AWS's own throttling slows the process). */
export function cloudQueue<K extends NonNullable<unknown> = string>(ctx: CloudContext): WorkQueue<K> {
  return new WorkQueue<K>({ rateLimiter: defaultControllerRateLimiter<K>({ baseDelayMs: ctx.options.retryBaseDelayMs, maxDelayMs: ctx.options.retryMaxDelayMs, qps: 0 }) });
}
