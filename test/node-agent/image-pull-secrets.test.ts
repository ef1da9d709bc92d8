import test from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PODS, SECRETS } from '../../client/resources.js';
import { pushBusyboxImage, writeRegistryConfig } from '../../infra/local/local-registry.js';
import { adminClient } from '../helpers/apiserver.js';
import { startAgentNode, type AgentNode } from '../helpers/agent-node.js';
import { eventually } from '../helpers/eventually.js';

const PORT = 5050;
let node: AgentNode;
let registry: ChildProcess;
let dir: string;
let image: string;
test.before(async () => {
  node = await startAgentNode('worker-pull', { registryPort: PORT });
  dir = mkdtempSync('/tmp/skiff-registry-');
  const htpasswd = join(dir, 'htpasswd');
  execFileSync('htpasswd', ['-Bbc', htpasswd, 'puller', 's3cret'], { stdio: 'ignore' });
  registry = spawn('docker-registry', ['serve', writeRegistryConfig(dir, node.masterAddress, { htpasswd, port: PORT })], { stdio: 'ignore' });
  const address = `${node.masterAddress}:${PORT}`;
  await eventually('the registry answering', async () => (await fetch(`http://${address}/v2/`).catch(() => undefined))?.status === 401, 10_000, 100);
  image = pushBusyboxImage(address, dir, ['private'], 'puller:s3cret');
});
test.after.always(async () => {
  registry?.kill();
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an image from a registry that asks for credentials is pulled with the pod\'s imagePullSecrets, and refused without them', async (t) => {
  const admin = adminClient(node.cluster);
  try {
    const auths = { [`${node.masterAddress}:${PORT}`]: { auth: Buffer.from('puller:s3cret').toString('base64') } };
    await admin.create(SECRETS, {
      metadata: { name: 'registry-creds', namespace: 'default' }, type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') },
    });
    const pod = (name: string, secrets: string[]) => ({
      metadata: { name, namespace: 'default' },
      spec: { nodeName: 'worker-pull', terminationGracePeriodSeconds: 0, imagePullSecrets: secrets.map((s) => ({ name: s })), containers: [{ name: 'main', image, command: ['sleep', '3600'] }] },
    });
    // Without credentials first: once pulled, the image is on the node for every pod (IfNotPresent), as in Kubernetes.
    await admin.create(PODS, pod('without', []));
    const refused = await eventually('the pod without them failing to pull', async () => {
      const s = (await admin.get(PODS, 'without', { namespace: 'default' })).status?.containerStatuses?.[0]?.state?.waiting;
      return ['ErrImagePull', 'ImagePullBackOff'].includes(s?.reason) && s;
    }, 30_000, 200);
    t.truthy(refused.message);
    await admin.create(PODS, pod('with', ['registry-creds']));
    await eventually('the pod with credentials Running', async () => (await admin.get(PODS, 'with', { namespace: 'default' })).status?.phase === 'Running', 30_000, 200)
      .catch(async (err) => { throw new Error(`${err.message}: ${JSON.stringify((await admin.get(PODS, 'with', { namespace: 'default' })).status?.containerStatuses)}`); });
    t.regex((await admin.get(PODS, 'with', { namespace: 'default' })).status.containerStatuses[0].imageID, /@sha256:/);
  } finally {
    admin.close();
  }
});
