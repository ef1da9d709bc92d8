import type { AnyObject } from '../../client/resource.js';
import type { Payload } from './atomic-writer.js';
import { configMapData, DEFAULT_MODE, keysToPayload } from './key-to-path.js';
import type { VolumeContext, VolumePlugin } from './volume-plugin.js';

/** configMap: the config map's keys as files, kept up to date as it changes; on the node's disk, as kube keeps them. */
export const configMapPlugin: VolumePlugin = {
  name: 'kubernetes.io~configmap',
  readOnly: true,
  refreshes: true,
  async setUp(volume, dir, ctx) {
    const payload = await configMapPayload(volume.configMap, ctx, volume.configMap.defaultMode ?? DEFAULT_MODE);
    await ctx.emptyDir(dir, 'disk');
    ctx.writeAtomically(dir, payload);
    return dir;
  },
};

/** The files of a configMap volume or projection; a missing config map is an empty volume when optional. */
export async function configMapPayload(source: AnyObject, ctx: VolumeContext, defaultMode: number): Promise<Payload> {
  const cm = await ctx.configMap(source.name);
  if (!cm && !source.optional) throw new Error(`configmap "${source.name}" not found`);
  return keysToPayload(configMapData(cm), source.items, defaultMode, !!source.optional, (key) => `configmap references non-existent config key: ${key}`);
}
