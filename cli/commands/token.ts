import { randomInt } from 'node:crypto';
import { parseDuration, rfc3339 } from '../../api/time.js';
import { NAMESPACE_SYSTEM } from '../../api/well-known.js';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest-client.js';
import { SECRETS } from '../../client/resources.js';
import { readState } from '../local-cluster.js';
import { parseTypedFlags } from '../../component-base/flags.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const randomString = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

/**
 * `skiff token create [--ttl=24h] [--kubeconfig=PATH]`: a bootstrap token
 * for joining a node, as `kubeadm token create` makes it: a Secret in
 * kube-system that authenticates as system:bootstrap:<id> in
 * system:bootstrappers until it expires. Prints `<id>.<secret>`.
 */
export async function tokenCommand(argv: string[]): Promise<void> {
  const [verb, ...rest] = argv;
  if (verb !== 'create') throw new Error('usage: skiff token create [--ttl=24h] [--kubeconfig=PATH]');
  const flags = parseTypedFlags(rest, { ttl: 'duration', kubeconfig: 'string', description: 'string' } as const);
  const ttl = flags.ttl ?? parseDuration('24h');
  if (ttl <= 0) throw new Error(`invalid --ttl: must be positive`);
  const path = flags.kubeconfig ?? readState()?.kubeconfig;
  const client = new RestClient(loadKubeconfig(path ? { path } : {}), { qps: 0 });
  try {
    const id = randomString(6);
    const secret = randomString(16);
    await client.create(SECRETS, {
      apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token',
      metadata: { name: `bootstrap-token-${id}`, namespace: NAMESPACE_SYSTEM },
      stringData: {
        'token-id': id, 'token-secret': secret, 'usage-bootstrap-authentication': 'true',
        expiration: rfc3339(Date.now() + ttl),
        ...(flags.description ? { description: flags.description } : {}),
      },
    }, { namespace: NAMESPACE_SYSTEM });
    process.stdout.write(`${id}.${secret}\n`);
  } finally {
    client.close();
  }
}
