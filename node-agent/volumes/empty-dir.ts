import { quantityValue } from '../../api/validation/quantity.js';
import type { AnyObject } from '../../client/resource.js';
import type { VolumePlugin } from './volume-plugin.js';

/**
 * emptyDir: a folder that lives as long as the pod, on the node's disk, or
 * with `medium: Memory` a tmpfs. Its sizeLimit on disk is an eviction
 * threshold in kube, not something the folder enforces.
 */
export const emptyDirPlugin: VolumePlugin = {
  name: 'kubernetes.io~empty-dir',
  readOnly: false,
  refreshes: false,
  async setUp(volume, dir, ctx) {
    const medium = volume.emptyDir?.medium ?? '';
    if (medium !== '' && medium !== 'Memory') throw new Error(`emptyDir medium ${medium} is not supported by this node agent`);
    const memory = medium === 'Memory';
    await ctx.emptyDir(dir, memory ? 'memory' : 'disk', volume.emptyDir?.sizeLimit);
    return dir;
  },
};

/**
 * The size of a memory-backed volume as the kubelet computes it: what the
 * pod may use at most (its memory limit when every container has one,
 * else the node's allocatable memory), or the volume's sizeLimit when
 * that is smaller. Memory-backed secret and projected volumes get the same.
 */
export function memoryVolumeSize(pod: AnyObject, allocatable: Record<string, string>, sizeLimit?: string): number {
  let size = allocatable.memory ? quantityValue(allocatable.memory) : 0;
  const podLimit = podMemoryLimit(pod);
  if (podLimit !== undefined && podLimit > 0 && (size === 0 || podLimit <= size)) size = podLimit;
  const volumeLimit = sizeLimit !== undefined ? quantityValue(sizeLimit) : 0;
  if (volumeLimit > 0 && (size === 0 || volumeLimit <= size)) size = volumeLimit;
  return size;
}

/** The pod's memory limit (its containers' together, or its largest init container's), undefined when a container has none. */
function podMemoryLimit(pod: AnyObject): number | undefined {
  const limitOf = (c: AnyObject) => (c.resources?.limits?.memory !== undefined ? quantityValue(c.resources.limits.memory) : undefined);
  let sum = 0;
  for (const c of pod.spec?.containers ?? []) {
    const limit = limitOf(c);
    if (limit === undefined) return undefined;
    sum += limit;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const limit = limitOf(c);
    if (limit === undefined) return undefined;
    sum = Math.max(sum, limit);
  }
  const overhead = pod.spec?.overhead?.memory;
  return sum + (overhead !== undefined ? quantityValue(overhead) : 0);
}
