import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { BUSYBOX_IMAGE, startContainerd, type TestRuntime } from '../helpers/containerd.js';

let runtime: TestRuntime;
let cri: RuntimeClient;
test.before(async () => {
  runtime = await startContainerd();
  cri = new RuntimeClient(runtime.endpoint);
});
test.after.always(async () => {
  cri?.close();
  await runtime?.stop();
});

test('the runtime names itself, and runs a sandbox with an address from the pod range and a container whose output and exit code come back', async (t) => {
  const version = await cri.runtimeCall('Version', { version: 'v1' });
  t.is(version.runtimeName, 'containerd');
  t.is(version.runtimeApiVersion, 'v1');
  const logs = join(runtime.dir, 'pods', 'default_web_1');
  const sandboxConfig = {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1', attempt: 0 },
    hostname: 'web', logDirectory: logs, labels: { 'io.kubernetes.pod.uid': 'uid-1' },
    linux: { cgroupParent: '/skiff-test', securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
  };
  const { podSandboxId } = await cri.runtimeCall('RunPodSandbox', { config: sandboxConfig });
  const sandbox = (await cri.runtimeCall('PodSandboxStatus', { podSandboxId })).status;
  t.is(sandbox.state, 'SANDBOX_READY');
  const prefix = `${runtime.podCidr!.split('.').slice(0, 3).join('.')}.`;
  t.true(sandbox.network.ip.startsWith(prefix), `pod IP ${sandbox.network.ip} in ${runtime.podCidr}`);
  const { containerId } = await cri.runtimeCall('CreateContainer', {
    podSandboxId, sandboxConfig,
    config: {
      metadata: { name: 'main', attempt: 0 }, image: { image: BUSYBOX_IMAGE },
      command: ['sh', '-c'], args: ['echo "hello $WHO from $(hostname)"; exit 3'],
      envs: [{ key: 'WHO', value: Buffer.from('skiff') }], logPath: 'main/0.log',
    },
  });
  await cri.runtimeCall('StartContainer', { containerId });
  let status: any;
  for (let i = 0; i < 100; i++) {
    status = (await cri.runtimeCall('ContainerStatus', { containerId })).status;
    if (status.state === 'CONTAINER_EXITED') break;
    await delay(50);
  }
  t.is(status.state, 'CONTAINER_EXITED');
  t.is(status.exitCode, 3);
  t.is(status.reason, 'Error');
  // CRI log lines: time, stream, P(artial) or F(ull), the text.
  t.regex(readFileSync(join(logs, 'main', '0.log'), 'utf8'), /^\S+ stdout F hello skiff from web$/m);
  const listed = (await cri.runtimeCall('ListContainers', { filter: { podSandboxId } })).containers;
  t.deepEqual(listed.map((c: any) => c.id), [containerId]);
  await cri.runtimeCall('RemoveContainer', { containerId });
  await cri.runtimeCall('StopPodSandbox', { podSandboxId });
  await cri.runtimeCall('RemovePodSandbox', { podSandboxId });
  t.deepEqual((await cri.runtimeCall('ListPodSandbox', {})).items, []);
});

test('a call the runtime refuses fails with its message', async (t) => {
  const err = await t.throwsAsync(cri.runtimeCall('ContainerStatus', { containerId: 'no-such-container' }));
  t.regex(err!.message, /^CRI ContainerStatus: .*not found/);
});
