import { SYSTEM_PRIORITY_CLASSES } from '../../api/kinds/priority-class.js';
import { log } from '../../client/log.js';
import { toStatusError } from './http/respond.js';
import type { ResourceStore } from './registry/resource-store.js';

/**
 * kube-apiserver's scheduling/bootstrap-system-priority-classes hook: the
 * system classes are created when missing (never changed when present)
 * before the server answers, so critical pods can name them at once.
 */
export async function ensureSystemPriorityClasses(store: ResourceStore): Promise<void> {
  for (const { name, value, description } of SYSTEM_PRIORITY_CLASSES) {
    try {
      await store.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description }, undefined);
      log.info('created PriorityClass', { name, value });
    } catch (err) {
      if (toStatusError(err).code !== 409) throw err;
    }
  }
}
