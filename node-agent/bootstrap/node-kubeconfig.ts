import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** Writes a node's kubeconfig (mode 0600): the server, the cluster CA, and the node's own client certificate, all embedded. */
export function writeNodeKubeconfig(path: string, c: { server: string; ca: string; cert: string; key: string; nodeName: string }): void {
  const user = `system:node:${c.nodeName}`;
  writeFileSync(path, stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'node',
    clusters: [{ name: 'cluster', cluster: { server: c.server, 'certificate-authority-data': Buffer.from(c.ca).toString('base64') } }],
    users: [{ name: user, user: { 'client-certificate-data': Buffer.from(c.cert).toString('base64'), 'client-key-data': Buffer.from(c.key).toString('base64') } }],
    contexts: [{ name: 'node', context: { cluster: 'cluster', user } }],
  }), { mode: 0o600 });
}
