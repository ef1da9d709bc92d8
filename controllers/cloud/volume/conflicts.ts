import { isConflict } from '../../../client/api-error.js';
import type { ReconcileResult } from '../../../client/controller-loop.js';

/** A conflict means a newer version is on its way to the cache; looking again soon beats the cloud queue's 5 s backoff. */
const CONFLICT_RETRY_MS = 500;

/** Runs a reconcile, answering a write conflict with a quick look again instead of an error. */
export async function requeueOnConflict(sync: () => Promise<ReconcileResult>): Promise<ReconcileResult> {
  try {
    return await sync();
  } catch (err) {
    if (isConflict(err)) return { requeueAfter: CONFLICT_RETRY_MS };
    throw err;
  }
}
