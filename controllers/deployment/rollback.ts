import { clone } from '../../api/deep-equal.js';
import type { AnyObject } from '../../client/resource.js';
import { DEPLOYMENTS } from '../../client/resources.js';
import { copiedAnnotation, lastRevision, revisionOf, ROLLBACK_TO, rollbackTo } from './annotations.js';
import { equalIgnoreHash, POD_TEMPLATE_HASH } from './pod-template-hash.js';
import { getAllReplicaSetsAndSyncRevision, type SyncContext } from './sync.js';

async function clearRollbackTo(ctx: SyncContext, d: AnyObject): Promise<void> {
  delete d.metadata.annotations?.[ROLLBACK_TO];
  await ctx.client.update(DEPLOYMENTS, d);
}

/**
 * The rollback extensions/v1beta1 clients request through
 * deprecated.deployment.rollback.to (kubectl now rolls back on its own,
 * by patching the template): copies the template and annotations of the
 * ReplicaSet of that revision into the Deployment and clears the request.
 */
export async function rollback(ctx: SyncContext, d: AnyObject, rsList: AnyObject[]): Promise<void> {
  const [newRS, oldRSs] = await getAllReplicaSetsAndSyncRevision(ctx, d, rsList, true);
  const allRSs = [...oldRSs, ...(newRS ? [newRS] : [])];
  let revision = rollbackTo(d)!;
  if (revision === 0) {
    revision = lastRevision(allRSs);
    if (revision === 0) {
      ctx.recorder.event(d, 'Warning', 'DeploymentRollbackRevisionNotFound', 'Unable to find last revision.');
      return clearRollbackTo(ctx, d);
    }
  }
  const target = allRSs.find((rs) => revisionOf(rs) === revision);
  if (!target) {
    ctx.recorder.event(d, 'Warning', 'DeploymentRollbackRevisionNotFound', 'Unable to find the revision to rollback to.');
    return clearRollbackTo(ctx, d);
  }
  if (equalIgnoreHash(d.spec.template, target.spec.template)) {
    ctx.recorder.event(d, 'Warning', 'DeploymentRollbackTemplateUnchanged', `The rollback revision contains the same template as current deployment "${d.metadata.name}"`);
    return clearRollbackTo(ctx, d);
  }
  const template = clone(target.spec.template);
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH];
  d.spec.template = template;
  // The Deployment keeps its own bookkeeping annotations and takes the rest (change-cause) from the revision.
  const kept = Object.entries(d.metadata.annotations ?? {}).filter(([k]) => !copiedAnnotation(k));
  const taken = Object.entries(target.metadata.annotations ?? {}).filter(([k]) => copiedAnnotation(k));
  d.metadata.annotations = Object.fromEntries([...kept, ...taken]);
  await clearRollbackTo(ctx, d);
  ctx.recorder.event(d, 'Normal', 'DeploymentRollback', `Rolled back deployment "${d.metadata.name}" to revision ${revision}`);
}
