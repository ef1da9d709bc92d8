import test from 'ava';
import * as k8s from '@kubernetes/client-node';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { startAgentNode, type AgentNode } from '../helpers/agent-node.js';
import { BUSYBOX_IMAGE } from '../helpers/containerd.js';

let node: AgentNode;
let kc: k8s.KubeConfig;
test.before(async () => {
  node = await startAgentNode('worker-client-node');
  await node.runningPod('web', [{
    name: 'main', image: BUSYBOX_IMAGE,
    command: ['sh', '-c', 'mkdir -p /www && echo served > /www/index.html && echo started && exec httpd -f -p 8080 -h /www'],
  }]);
  kc = new k8s.KubeConfig();
  kc.loadFromFile(node.cluster.kubeconfig);
});
test.after.always(async () => {
  await node?.stop();
});

test('the official client\'s Exec runs a command and reports its exit status', async (t) => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => { out += d; });
  stderr.on('data', (d) => { err += d; });
  const status = await new Promise<k8s.V1Status>((resolve, reject) => {
    new k8s.Exec(kc).exec('default', 'web', 'main', ['sh', '-c', 'echo hello; echo oops >&2; exit 4'], stdout, stderr, null, false, (s) => resolve(s)).catch(reject);
  });
  t.is(out, 'hello\n');
  t.is(err, 'oops\n');
  t.is(status.status, 'Failure');
  t.is(status.reason, 'NonZeroExitCode');
  t.deepEqual(status.details?.causes, [{ reason: 'ExitCode', message: '4' }]);
});

test('the official client\'s Log reads the container log', async (t) => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => { text += d; });
  const ended = new Promise((resolve) => out.once('end', resolve));
  await new k8s.Log(kc).log('default', 'web', 'main', out, { follow: false, tailLines: 5 });
  await ended;
  t.is(text, 'started\n');
});

test('the official client\'s PortForward reaches the pod\'s port over its WebSocket protocol', async (t) => {
  const forward = new k8s.PortForward(kc);
  const server = createServer((socket) => {
    void forward.portForward('default', 'web', [8080], socket, null, socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const { port } = server.address() as AddressInfo;
    const body = await (await fetch(`http://127.0.0.1:${port}/`, { headers: { Connection: 'close' } })).text();
    t.is(body, 'served\n');
  } finally {
    server.close();
  }
});
