import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { bootstrapNodeCredential } from '../../node-agent/bootstrap/node-credential.js';
import { writeNodeKubeconfig } from '../../node-agent/bootstrap/node-kubeconfig.js';
import { parseTypedFlags } from '../../component-base/flags.js';

/**
 * `skiff join --server=URL --ca-file=F --token=ID.SECRET [--node-name=N]
 * --kubeconfig-out=F`: a worker's TLS bootstrap. With the bootstrap token it
 * asks the cluster for its own client certificate (system:node:<name>) and
 * writes a kubeconfig holding it; the token is not kept.
 */
export async function joinCommand(argv: string[]): Promise<void> {
  const flags = parseTypedFlags(argv, { server: 'string', 'ca-file': 'string', token: 'string', 'node-name': 'string', 'kubeconfig-out': 'string' } as const);
  for (const required of ['server', 'ca-file', 'token', 'kubeconfig-out'] as const) {
    if (!flags[required]) throw new Error(`--${required} is required`);
  }
  const nodeName = flags['node-name'] ?? hostname().toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(nodeName) || nodeName.length > 253) {
    throw new Error(`invalid --node-name ${JSON.stringify(nodeName)}: a node name is a DNS subdomain (lower case letters, digits, '-' and '.')`);
  }
  const ca = readFileSync(flags['ca-file']!, 'utf8');
  const { cert, key } = await bootstrapNodeCredential({ server: flags.server!, ca, bootstrapToken: flags.token!, nodeName }).catch((err: Error & { code?: number }) => {
    if (err.code === 401) throw new Error('the API server refused the bootstrap token (Unauthorized): it is wrong or has expired; make a new one with skiff token create');
    if (err.code === 403) throw new Error(`the bootstrap token may not ask for a node certificate (Forbidden): ${err.message}`);
    throw err;
  });
  const user = `system:node:${nodeName}`;
  writeNodeKubeconfig(flags['kubeconfig-out']!, { server: flags.server!, ca, cert, key, nodeName });
  process.stdout.write(`${nodeName} joined as ${user}; credentials in ${flags['kubeconfig-out']}\n`);
}
