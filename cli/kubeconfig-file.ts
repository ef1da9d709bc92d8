import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** An admin kubeconfig with the CA embedded, usable by kubectl as is. */
export function renderKubeconfig(opts: { server: string; caFile?: string; token: string; name?: string }): string {
  const name = opts.name ?? 'skiff';
  const cluster: Record<string, string> = { server: opts.server };
  if (opts.caFile) cluster['certificate-authority-data'] = readFileSync(opts.caFile).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': name,
    clusters: [{ name, cluster }],
    users: [{ name: `${name}-admin`, user: { token: opts.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
    preferences: {},
  });
}
