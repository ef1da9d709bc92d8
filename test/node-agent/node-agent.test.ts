import test from 'ava';
import { Registry } from 'prom-client';
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { nodeCondition } from '../../api/node-status.js';
import { CONFIG_MAPS, LEASES, NODES, PODS, SECRETS } from '../../client/resources.js';
import { RestClient } from '../../client/rest-client.js';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { NODE_AGENT_DEFAULTS, NodeAgent, type NodeAgentOptions } from '../../node-agent/node-agent.js';
import { adminClient, identityConfig, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { BUSYBOX_IMAGE, startContainerd, type TestRuntime } from '../helpers/containerd.js';
import { eventually } from '../helpers/eventually.js';

let cluster: TestCluster;
let runtime: TestRuntime;
test.before(async () => {
  // The root CA publisher: every pod mounts kube-root-ca.crt with its token.
  [cluster, runtime] = await Promise.all([startCluster({}, { controllers: { controllers: ['root-ca-cert-publisher'] } }), startContainerd()]);
});
test.after.always(async () => {
  await runtime?.stop();
  await cluster?.stop();
});

const options = (name: string): NodeAgentOptions => ({
  ...NODE_AGENT_DEFAULTS, nodeName: name, nodeIP: '10.0.0.5', externalCloudProvider: true,
  labels: { 'skiff.dev/pool': 'a' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }],
  rootDir: runtime.dir, leaseDurationSeconds: 4, nodeStatusUpdateFrequencyMs: 300,
});

test.serial('the agent registers its node as itself, with the host\'s capacity, the runtime in nodeInfo, Ready from the runtime, and renews its Lease', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:worker-a', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const agent = new NodeAgent(client, cri, options('worker-a'));
  try {
    await agent.start();
    const node = await admin.get(NODES, 'worker-a');
    t.is(node.status.capacity.cpu, String(availableParallelism()));
    t.regex(node.status.capacity.memory, /^\d+Ki$/);
    t.is(node.status.capacity.pods, '110');
    t.true(Number(node.status.allocatable.memory.slice(0, -2)) < Number(node.status.capacity.memory.slice(0, -2)), 'allocatable keeps back the eviction threshold');
    t.regex(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/1\./);
    t.deepEqual(node.status.addresses, [{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'Hostname', address: 'worker-a' }]);
    t.is(nodeCondition(node.status, 'Ready')?.status, 'True', JSON.stringify(nodeCondition(node.status, 'Ready')));
    for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) t.is(nodeCondition(node.status, type)?.status, 'False', type);
    t.deepEqual(node.spec.taints.map((x: any) => x.key), ['dedicated', 'node.cloudprovider.kubernetes.io/uninitialized']);
    t.is(node.metadata.labels!['skiff.dev/pool'], 'a');
    const first = (await admin.get(LEASES, 'worker-a', { namespace: 'kube-node-lease' })).spec.renewTime;
    await eventually('the Lease renewed', async () => (await admin.get(LEASES, 'worker-a', { namespace: 'kube-node-lease' })).spec.renewTime !== first);
    // A condition the agent does not own stays through its status posts.
    const current = await admin.get(NODES, 'worker-a');
    await admin.updateStatus(NODES, { ...current, status: { ...current.status, conditions: [...current.status.conditions, { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'routed' }] } });
    await delay(1_000);
    t.is(nodeCondition((await admin.get(NODES, 'worker-a')).status, 'NetworkUnavailable')?.reason, 'RouteCreated');
  } finally {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
});

test.serial('an agent restarted on a registered node takes it over: labels put back, taints left as they are, status posted', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:worker-a', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const node = await admin.get(NODES, 'worker-a');
  await admin.update(NODES, { ...node, metadata: { ...node.metadata, labels: { ...node.metadata.labels, 'skiff.dev/pool': 'changed' } }, spec: { ...node.spec, taints: [] } });
  const agent = new NodeAgent(client, cri, options('worker-a'));
  try {
    await agent.start();
    const after = await admin.get(NODES, 'worker-a');
    t.is(after.metadata.labels!['skiff.dev/pool'], 'a');
    t.is(after.spec.taints, undefined, 'the uninitialized taint is only for a new registration');
    t.is(nodeCondition(after.status, 'Ready')?.status, 'True');
  } finally {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
});

test.serial('pods bound to the node run through CRI: Running with an address from the pod range, a finished one Succeeded, a deleted one gone with its sandbox', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:worker-b', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const registry = new Registry();
  const agent = new NodeAgent(client, cri, { ...options('worker-b'), externalCloudProvider: false, taints: [], registry });
  try {
    await agent.start();
    const pod = (name: string, spec: Record<string, unknown>) => ({ metadata: { name, namespace: 'default' }, spec: { nodeName: 'worker-b', ...spec } });
    await admin.create(PODS, pod('sleeper', { containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 1 }));
    await admin.create(PODS, pod('once', { restartPolicy: 'Never', containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo done'] }] }));
    const running = await eventually('sleeper Running and Ready', async () => {
      const p = await admin.get(PODS, 'sleeper', { namespace: 'default' });
      return p.status?.phase === 'Running' && p.status.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True' && p;
    }, 30_000, 200);
    t.true(running.status.podIP.startsWith(`${runtime.podCidr!.split('.').slice(0, 3).join('.')}.`), running.status.podIP);
    t.is(running.status.hostIP, '10.0.0.5');
    t.truthy(running.status.containerStatuses[0].state.running);
    const done = await eventually('once Succeeded', async () => {
      const p = await admin.get(PODS, 'once', { namespace: 'default' });
      return p.status?.phase === 'Succeeded' && p;
    }, 30_000, 200);
    t.like(done.status.containerStatuses[0].state.terminated, { exitCode: 0, reason: 'Completed' });
    // The kubelet's metrics, by its names.
    const metrics = await registry.metrics();
    t.regex(metrics, /^kubelet_running_pods 1$/m);
    t.regex(metrics, /^kubelet_running_containers\{container_state="running"\} 1$/m);
    t.regex(metrics, /^kubelet_runtime_operations_total\{operation_type="run_podsandbox"\} 2$/m);
    t.regex(metrics, /^kubelet_pod_start_duration_seconds_count [12]$/m, "the sleeper, and the finished pod if it was seen Running");
    t.regex(metrics, /^kubelet_node_name\{node="worker-b"\} 1$/m);
    await admin.delete(PODS, 'sleeper', { namespace: 'default' });
    await eventually('sleeper gone', () => admin.get(PODS, 'sleeper', { namespace: 'default' }).then(() => false, () => true), 30_000, 200);
    const left = (await cri.runtimeCall('ListPodSandbox', { filter: { labelSelector: { 'io.kubernetes.pod.name': 'sleeper' } } })).items;
    t.deepEqual(left, [], 'its sandbox removed');
  } finally {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
});

test.serial('a crashing container goes into CrashLoopBackOff with its last state; a missing image is ErrImagePull then ImagePullBackOff; Never pulls nothing', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:worker-c', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const agent = new NodeAgent(client, cri, { ...options('worker-c'), externalCloudProvider: false, taints: [] });
  const state = async (name: string) => (await admin.get(PODS, name, { namespace: 'default' })).status?.containerStatuses?.[0];
  try {
    await agent.start();
    const pod = (name: string, container: Record<string, unknown>) => ({ metadata: { name, namespace: 'default' }, spec: { nodeName: 'worker-c', terminationGracePeriodSeconds: 0, containers: [{ name: 'main', ...container }] } });
    await admin.create(PODS, pod('crasher', { image: BUSYBOX_IMAGE, command: ['sh', '-c', 'exit 1'] }));
    await admin.create(PODS, pod('nowhere', { image: 'skiff.local/missing:1' }));
    await admin.create(PODS, pod('never', { image: 'skiff.local/missing:1', imagePullPolicy: 'Never' }));
    const crashing = await eventually('CrashLoopBackOff', async () => {
      const s = await state('crasher');
      return s?.state?.waiting?.reason === 'CrashLoopBackOff' && s;
    }, 30_000, 200);
    t.regex(crashing.state.waiting.message, /^back-off 10s restarting failed container=main pod=crasher_default\(/);
    t.is(crashing.restartCount, 1);
    t.like(crashing.lastState.terminated, { exitCode: 1, reason: 'Error' });
    t.is((await admin.get(PODS, 'crasher', { namespace: 'default' })).status.phase, 'Running', 'a pod that restarts is Running');
    const pulling = await eventually('ErrImagePull', async () => {
      const s = await state('nowhere');
      return ['ErrImagePull', 'ImagePullBackOff'].includes(s?.state?.waiting?.reason) && s;
    }, 30_000, 200);
    t.truthy(pulling.state.waiting.message);
    await eventually('ImagePullBackOff', async () => (await state('nowhere'))?.state?.waiting?.reason === 'ImagePullBackOff', 30_000, 200);
    const never = await eventually('ErrImageNeverPull', async () => {
      const s = await state('never');
      return s?.state?.waiting?.reason === 'ErrImageNeverPull' && s;
    }, 30_000, 200);
    t.is(never.state.waiting.message, 'Container image "skiff.local/missing:1" is not present with pull policy of Never');
    for (const name of ['crasher', 'nowhere', 'never']) await admin.delete(PODS, name, { namespace: 'default' });
    await eventually('all gone', async () => (await admin.list(PODS, { namespace: 'default', fieldSelector: 'spec.nodeName=worker-c' })).items.length === 0, 30_000, 200);
  } finally {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
});

test.serial('the container environment: values, $(VAR), config map and secret keys, envFrom with a prefix, the downward API, resources, the Service variables; a missing config map is CreateContainerConfigError', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:worker-d', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const agent = new NodeAgent(client, cri, { ...options('worker-d'), externalCloudProvider: false, taints: [] });
  try {
    await admin.create(CONFIG_MAPS, { metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast', level: '3' } });
    await admin.create(SECRETS, { metadata: { name: 'creds', namespace: 'default' }, data: { password: Buffer.from('s3cret').toString('base64') } });
    await agent.start();
    await admin.create(PODS, {
      metadata: { name: 'envy', namespace: 'default', labels: { app: 'envy' } },
      spec: {
        nodeName: 'worker-d', terminationGracePeriodSeconds: 0,
        containers: [{
          name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'env | sort; sleep 3600'],
          resources: { limits: { memory: '64Mi' } },
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings' } }],
          env: [
            { name: 'GREETING', value: 'hello' }, { name: 'MESSAGE', value: '$(GREETING) world' },
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'MEMORY_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          ],
        }],
      },
    });
    await admin.create(PODS, { metadata: { name: 'lacking', namespace: 'default' }, spec: { nodeName: 'worker-d', containers: [{ name: 'main', image: BUSYBOX_IMAGE, envFrom: [{ configMapRef: { name: 'absent' } }] }] } });
    const pod = await eventually('envy Running', async () => {
      const p = await admin.get(PODS, 'envy', { namespace: 'default' });
      return p.status?.phase === 'Running' && p;
    }, 30_000, 200);
    const logFile = `${runtime.dir}/pods/default_envy_${pod.metadata.uid}/main/0.log`;
    const env = await eventually('the environment printed', async () => {
      const { readFileSync } = await import('node:fs');
      const text = readFileSync(logFile, 'utf8');
      return text.includes('PASSWORD=') && Object.fromEntries(text.split('\n').map((l) => l.split(' ').slice(3).join(' ')).filter(Boolean).map((l) => [l.split('=')[0], l.slice(l.indexOf('=') + 1)]));
    }, 10_000, 200);
    t.like(env, {
      GREETING: 'hello', MESSAGE: 'hello world', MODE: 'fast', PASSWORD: 's3cret', CFG_mode: 'fast', CFG_level: '3',
      POD_NAME: 'envy', APP: 'envy', POD_IP: pod.status.podIP, MEMORY_MI: '64', KUBERNETES_SERVICE_PORT: '443',
    });
    t.regex(env.KUBERNETES_SERVICE_HOST, /^\d+\.\d+\.\d+\.\d+$/);
    t.is(env.KUBERNETES_PORT, `tcp://${env.KUBERNETES_SERVICE_HOST}:443`);
    const lacking = await eventually('CreateContainerConfigError', async () => {
      const s = (await admin.get(PODS, 'lacking', { namespace: 'default' })).status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === 'CreateContainerConfigError' && s;
    }, 30_000, 200);
    t.is(lacking.state.waiting.message, 'configmap "absent" not found');
    for (const name of ['envy', 'lacking']) await admin.delete(PODS, name, { namespace: 'default' });
    await eventually('all gone', async () => (await admin.list(PODS, { namespace: 'default', fieldSelector: 'spec.nodeName=worker-d' })).items.length === 0, 30_000, 200);
  } finally {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
});

test.serial('init containers run in order to a successful exit before the others; a failing one with restartPolicy Never fails the pod', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:worker-e', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const agent = new NodeAgent(client, cri, { ...options('worker-e'), externalCloudProvider: false, taints: [] });
  try {
    await agent.start();
    await admin.create(PODS, {
      metadata: { name: 'staged', namespace: 'default' },
      spec: {
        nodeName: 'worker-e', terminationGracePeriodSeconds: 0,
        initContainers: [{ name: 'first', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'sleep 0.3'] }, { name: 'second', image: BUSYBOX_IMAGE, command: ['true'] }],
        containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }],
      },
    });
    await admin.create(PODS, {
      metadata: { name: 'doomed', namespace: 'default' },
      spec: {
        nodeName: 'worker-e', restartPolicy: 'Never', terminationGracePeriodSeconds: 0,
        initContainers: [{ name: 'check', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'exit 2'] }],
        containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }],
      },
    });
    const staged = await eventually('staged Running', async () => {
      const p = await admin.get(PODS, 'staged', { namespace: 'default' });
      return p.status?.phase === 'Running' && p;
    }, 30_000, 200);
    t.deepEqual(staged.status.initContainerStatuses.map((s: any) => [s.name, s.state.terminated?.reason]), [['first', 'Completed'], ['second', 'Completed']]);
    const firstDone = Date.parse(staged.status.initContainerStatuses[0].state.terminated.finishedAt);
    t.true(Date.parse(staged.status.initContainerStatuses[1].state.terminated.startedAt) >= firstDone - 1000, 'the second started after the first ended');
    t.is(staged.status.conditions.find((c: any) => c.type === 'Initialized').status, 'True');
    const doomed = await eventually('doomed Failed', async () => {
      const p = await admin.get(PODS, 'doomed', { namespace: 'default' });
      return p.status?.phase === 'Failed' && p;
    }, 30_000, 200);
    t.like(doomed.status.initContainerStatuses[0].state.terminated, { exitCode: 2, reason: 'Error' });
    t.is(doomed.status.containerStatuses[0].state.waiting.reason, 'PodInitializing');
    t.is(doomed.status.conditions.find((c: any) => c.type === 'Initialized').status, 'False');
    for (const name of ['staged', 'doomed']) await admin.delete(PODS, name, { namespace: 'default' });
    await eventually('all gone', async () => (await admin.list(PODS, { namespace: 'default', fieldSelector: 'spec.nodeName=worker-e' })).items.length === 0, 30_000, 200);
  } finally {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
});

test.serial('deletion runs the preStop hook, then SIGTERM, then SIGKILL when the grace period is up; an agent restart adopts running pods and starts nothing twice', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:worker-f', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  let agent = new NodeAgent(client, cri, { ...options('worker-f'), externalCloudProvider: false, taints: [] });
  // Both ignore SIGTERM; the polite one stops when its preStop hook tells it to, the stubborn one only at SIGKILL.
  const stubbornLoop = 'trap "" TERM; while true; do sleep 0.2; done';
  const politeLoop = 'trap "" TERM; while [ ! -f /tmp/stop ]; do sleep 0.2; done';
  // No API credentials: the test times deletions, and setting up and tearing down the kube-api-access volume would eat into their margin on a loaded machine.
  const pod = (name: string, container: Record<string, unknown>) => ({
    metadata: { name, namespace: 'default' },
    spec: { nodeName: 'worker-f', terminationGracePeriodSeconds: 3, automountServiceAccountToken: false, containers: [{ name: 'main', image: BUSYBOX_IMAGE, ...container }] },
  });
  try {
    await agent.start();
    await admin.create(PODS, pod('polite', { command: ['sh', '-c', politeLoop], lifecycle: { preStop: { exec: { command: ['touch', '/tmp/stop'] } } } }));
    await admin.create(PODS, pod('stubborn', { command: ['sh', '-c', stubbornLoop] }));
    const running = async (name: string) => eventually(`${name} Running`, async () => {
      const p = await admin.get(PODS, name, { namespace: 'default' });
      return p.status?.phase === 'Running' && p;
    }, 30_000, 200);
    const polite = await running('polite');
    await running('stubborn');
    const containersOf = async (uid: string | undefined) => (await cri.runtimeCall('ListContainers', { filter: { labelSelector: { 'io.kubernetes.pod.uid': uid } } })).containers.map((c: any) => c.id);
    const before = await containersOf(polite.metadata.uid);
    await agent.stop();
    agent = new NodeAgent(client, cri, { ...options('worker-f'), externalCloudProvider: false, taints: [] });
    await agent.start();
    await delay(2_000);
    t.deepEqual(await containersOf(polite.metadata.uid), before, 'the restarted agent adopted the container');
    t.is((await admin.get(PODS, 'polite', { namespace: 'default' })).status.containerStatuses[0].restartCount, 0);
    const gone = async (name: string) => {
      const started = Date.now();
      await admin.delete(PODS, name, { namespace: 'default' });
      await eventually(`${name} gone`, () => admin.get(PODS, name, { namespace: 'default' }).then(() => false, () => true), 30_000, 100);
      return Date.now() - started;
    };
    const [politeMs, stubbornMs] = await Promise.all([gone('polite'), gone('stubborn')]);
    t.true(politeMs < 2_500, `the preStop hook let the container end before the grace period (${politeMs} ms)`);
    t.true(stubbornMs >= 2_500 && stubbornMs < 10_000, `SIGKILL at the end of the 3 s grace period (${stubbornMs} ms)`);
  } finally {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
});

test.serial('a pod deleted outright (grace period 0) has its containers and sandbox killed at once; so does one deleted while the agent was down', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:worker-g', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const sandboxesOf = async (name: string) => (await cri.runtimeCall('ListPodSandbox', { filter: { labelSelector: { 'io.kubernetes.pod.name': name } } })).items ?? [];
  let agent = new NodeAgent(client, cri, { ...options('worker-g'), externalCloudProvider: false, taints: [] });
  try {
    await agent.start();
    for (const name of ['forced', 'offline']) {
      await admin.create(PODS, { metadata: { name, namespace: 'default' }, spec: { nodeName: 'worker-g', terminationGracePeriodSeconds: 30, containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] } });
      await eventually(`${name} Running`, async () => (await admin.get(PODS, name, { namespace: 'default' })).status?.phase === 'Running', 30_000, 200);
    }
    await admin.delete(PODS, 'forced', { namespace: 'default', gracePeriodSeconds: 0 });
    await eventually('the forced pod\'s sandbox gone', async () => (await sandboxesOf('forced')).length === 0, 10_000, 200);
    await agent.stop();
    await admin.delete(PODS, 'offline', { namespace: 'default', gracePeriodSeconds: 0 });
    t.is((await sandboxesOf('offline')).length, 1, 'nothing removes it while the agent is down');
    agent = new NodeAgent(client, cri, { ...options('worker-g'), externalCloudProvider: false, taints: [] });
    await agent.start();
    await eventually('the offline pod\'s sandbox gone after the restart', async () => (await sandboxesOf('offline')).length === 0, 10_000, 200);
    t.pass();
  } finally {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
});
