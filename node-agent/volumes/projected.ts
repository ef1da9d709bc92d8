import type { Payload } from './atomic-writer.js';
import { configMapPayload } from './config-map.js';
import { downwardAPIPayload } from './downward-api.js';
import { DEFAULT_MODE } from './key-to-path.js';
import { secretPayload } from './secret.js';
import type { VolumePlugin } from './volume-plugin.js';

/**
 * projected: config maps, secrets, downward API fields and service account
 * tokens in one folder (the kube-api-access volume every pod gets is one),
 * kept up to date; in memory like a secret volume, since it may hold
 * secrets and tokens. Every source's failure is reported, not just the first.
 */
export const projectedPlugin: VolumePlugin = {
  name: 'kubernetes.io~projected',
  readOnly: true,
  refreshes: true,
  async setUp(volume, dir, ctx) {
    const defaultMode: number = volume.projected.defaultMode ?? DEFAULT_MODE;
    const payload: Payload = new Map();
    const errors: string[] = [];
    for (const source of volume.projected.sources ?? []) {
      try {
        let part: Payload;
        if (source.configMap) part = await configMapPayload(source.configMap, ctx, defaultMode);
        else if (source.secret) part = await secretPayload(source.secret, ctx, defaultMode);
        else if (source.downwardAPI) part = downwardAPIPayload(source.downwardAPI.items, ctx, defaultMode);
        else if (source.serviceAccountToken) {
          const token = await ctx.serviceAccountToken(source.serviceAccountToken);
          part = new Map([[source.serviceAccountToken.path, { data: Buffer.from(token, 'utf8'), mode: defaultMode }]]);
        } else {
          throw new Error(`projected source ${Object.keys(source).join(', ')} is not supported by this node agent`);
        }
        for (const [path, file] of part) payload.set(path, file);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (errors.length === 1) throw new Error(errors[0]);
    if (errors.length) throw new Error(`[${errors.join(', ')}]`);
    await ctx.emptyDir(dir, 'memory');
    ctx.writeAtomically(dir, payload);
    return dir;
  },
};
