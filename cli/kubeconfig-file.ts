import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';

/**
 * A kubeconfig with the CA and the credential embedded, usable by kubectl
 * as is: a client certificate and key, or a bearer token.
 */
export function renderKubeconfig(opts: { server: string; caFile?: string; token?: string; certFile?: string; keyFile?: string; name?: string; user?: string }): string {
  const name = opts.name ?? 'skiff';
  const cluster: Record<string, string> = { server: opts.server };
  if (opts.caFile) cluster['certificate-authority-data'] = readFileSync(opts.caFile).toString('base64');
  const user: Record<string, string> = opts.certFile && opts.keyFile
    ? { 'client-certificate-data': readFileSync(opts.certFile).toString('base64'), 'client-key-data': readFileSync(opts.keyFile).toString('base64') }
    : { token: opts.token ?? '' };
  const userName = opts.user ?? `${name}-admin`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': name,
    clusters: [{ name, cluster }],
    users: [{ name: userName, user }],
    contexts: [{ name, context: { cluster: name, user: userName } }],
    preferences: {},
  });
}
