import type { AnyObject } from '../../client/resource.js';
import type { Payload } from './atomic-writer.js';
import { DEFAULT_MODE, keysToPayload, secretData } from './key-to-path.js';
import type { VolumeContext, VolumePlugin } from './volume-plugin.js';

/** secret: the secret's keys as files, kept up to date; in memory (a tmpfs), so they never reach the node's disk. */
export const secretPlugin: VolumePlugin = {
  name: 'kubernetes.io~secret',
  readOnly: true,
  refreshes: true,
  async setUp(volume, dir, ctx) {
    const source = volume.secret;
    const payload = await secretPayload({ ...source, name: source.secretName }, ctx, source.defaultMode ?? DEFAULT_MODE);
    await ctx.emptyDir(dir, 'memory');
    ctx.writeAtomically(dir, payload);
    return dir;
  },
};

/** The files of a secret volume or projection (`name` the secret's); a missing secret is an empty volume when optional. */
export async function secretPayload(source: AnyObject, ctx: VolumeContext, defaultMode: number): Promise<Payload> {
  const secret = await ctx.secret(source.name);
  if (!secret && !source.optional) throw new Error(`secret "${source.name}" not found`);
  return keysToPayload(secretData(secret), source.items, defaultMode, !!source.optional, (key) => `references non-existent secret key: ${key}`);
}
