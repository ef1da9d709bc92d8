import type { AnyObject } from '../../../client/resource.js';

/** Nodes labelled so (with any value but false) never serve as load balancer targets. */
export const LABEL_EXCLUDE_FROM_EXTERNAL_LOAD_BALANCERS = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** The cluster autoscaler's taint on a node it is about to remove. */
export const TAINT_TO_BE_DELETED = 'ToBeDeletedByClusterAutoscaler';

/** The EC2 instance id in a node's providerID (`aws:///<zone>/<instance-id>`), or undefined. */
export function instanceIdOf(node: AnyObject): string | undefined {
  const providerID: string | undefined = node.spec?.providerID;
  if (!providerID?.startsWith('aws://')) return undefined;
  const id = providerID.split('/').pop();
  return id?.startsWith('i-') ? id : undefined;
}

function included(node: AnyObject): boolean {
  const labels = node.metadata?.labels ?? {};
  if (!(LABEL_EXCLUDE_FROM_EXTERNAL_LOAD_BALANCERS in labels)) return true;
  // As kube's service controller reads it: only a value that parses as false keeps the node in.
  return /^(0|f|false)$/i.test(labels[LABEL_EXCLUDE_FROM_EXTERNAL_LOAD_BALANCERS]);
}

/**
 * kube's stable node set: nodes not being deleted, not excluded by label,
 * not about to be removed by the cluster autoscaler, and initialized (a
 * providerID names their instance). Readiness is left to the load
 * balancer's health checks, as the AWS cloud-controller-manager does.
 */
export function isBackend(node: AnyObject): boolean {
  return !node.metadata?.deletionTimestamp && included(node)
    && !(node.spec?.taints ?? []).some((t: AnyObject) => t.key === TAINT_TO_BE_DELETED)
    && instanceIdOf(node) !== undefined;
}

/** The instance ids of the backends carrying every label `targetNodeLabels` asks for, sorted. */
export function targetInstances(nodes: AnyObject[], targetNodeLabels: Record<string, string>): string[] {
  const ids = nodes
    .filter((n) => isBackend(n) && Object.entries(targetNodeLabels).every(([k, v]) => n.metadata?.labels?.[k] === v))
    .map((n) => instanceIdOf(n)!);
  return [...new Set(ids)].sort();
}

/** What of a node decides whether (and as what) it is a target: a change here re-syncs the targets. */
export const backendFingerprint = (node: AnyObject): string =>
  JSON.stringify([isBackend(node), instanceIdOf(node), node.metadata?.labels ?? {}]);
