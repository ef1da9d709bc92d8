import test from 'ava';
import { quantityValue } from '../../api/validation/quantity.js';
import type { AnyObject } from '../../client/resource.js';
import { NODES, PODS } from '../../client/resources.js';
import { RestClient } from '../../client/rest-client.js';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { NODE_AGENT_DEFAULTS, NodeAgent, type NodeAgentOptions } from '../../node-agent/node-agent.js';
import { oomScoreAdj } from '../../node-agent/pods/container-resources.js';
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
  ...NODE_AGENT_DEFAULTS, nodeName: name, nodeIP: '10.0.0.8', externalCloudProvider: false, labels: {}, taints: [],
  rootDir: runtime.dir, leaseDurationSeconds: 4, nodeStatusUpdateFrequencyMs: 1_000,
});

/** Capability bits as /proc/<pid>/status shows them. */
const CAP_NET_BIND_SERVICE = 10;
const CAP_NET_RAW = 13;
const CAP_SYS_ADMIN = 21;
const has = (capEff: string, bit: number) => (BigInt(`0x${capEff}`) >> BigInt(bit)) & 1n;

test.serial('the security context and resources reach the container: user and groups, a read-only root, capabilities, no_new_privs, privileged, cgroup limits, the OOM score, its own PID namespace', async (t) => {
  const client = new RestClient(await identityConfig(cluster, 'system:node:secure-a', ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const agent = new NodeAgent(client, cri, options('secure-a'));
  t.teardown(async () => {
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  });
  await agent.start();
  const sleeper = (name: string, extra: object) => ({ name, image: BUSYBOX_IMAGE, command: ['sleep', '3600'], ...extra });
  await admin.create(PODS, {
    metadata: { name: 'secured', namespace: 'default' },
    spec: {
      nodeName: 'secure-a', terminationGracePeriodSeconds: 0,
      securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000] },
      containers: [
        sleeper('who', { securityContext: { runAsUser: 1001, readOnlyRootFilesystem: true } }),
        sleeper('caps', { securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }),
        sleeper('plain', { securityContext: { runAsUser: 0 } }),
        sleeper('admin', { securityContext: { runAsUser: 0, privileged: true } }),
        sleeper('limited', { resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '64Mi' } } }),
      ],
    },
  });
  await admin.create(PODS, {
    metadata: { name: 'rooted', namespace: 'default' },
    spec: { nodeName: 'secure-a', terminationGracePeriodSeconds: 0, containers: [sleeper('main', { securityContext: { runAsNonRoot: true } })] },
  });
  const pod = await eventually('secured Running', async () => {
    const p = await admin.get(PODS, 'secured', { namespace: 'default' });
    return p.status?.phase === 'Running' && p.status.containerStatuses.every((s: AnyObject) => s.state.running) && p;
  }, 30_000, 100);
  const run = async (container: string, script: string) => {
    const id = pod.status.containerStatuses.find((s: AnyObject) => s.name === container).containerID.replace('containerd://', '');
    const out = await cri.runtimeCall('ExecSync', { containerId: id, cmd: ['sh', '-c', script], timeout: 5 });
    return { exitCode: out.exitCode, stdout: Buffer.from(out.stdout).toString().trim(), stderr: Buffer.from(out.stderr).toString().trim() };
  };
  const status = async (container: string, field: string) => (await run(container, `grep '^${field}:' /proc/self/status | cut -f2`)).stdout;

  t.regex((await run('who', 'id')).stdout, /^uid=1001 gid=3000 groups=.*\b2000\b.*\b4000\b/);
  const write = await run('who', 'echo x > /written');
  t.not(write.exitCode, 0);
  t.regex(write.stderr, /Read-only file system/);

  const caps = await status('caps', 'CapEff');
  t.is(BigInt(`0x${caps}`), 1n << BigInt(CAP_NET_BIND_SERVICE), `CapEff ${caps}`);
  t.is(await status('caps', 'NoNewPrivs'), '1');
  const plain = await status('plain', 'CapEff');
  t.is(has(plain, CAP_NET_RAW), 1n, `the runtime's default set keeps NET_RAW: ${plain}`);
  t.is(has(plain, CAP_SYS_ADMIN), 0n);
  t.is(await status('plain', 'NoNewPrivs'), '0');
  t.is(has(await status('admin', 'CapEff'), CAP_SYS_ADMIN), 1n, 'privileged has every capability');
  t.regex((await run('plain', 'cat /proc/1/cmdline | tr "\\0" " "')).stdout, /^sleep 3600$/, 'PID 1 is the container\'s own process');

  t.is((await run('limited', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes')).stdout, String(64 * 1024 * 1024));
  t.is((await run('limited', 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.shares')).stdout.split('\n').join(' '), '50000 100000 256');
  const capacity = quantityValue((await admin.get(NODES, 'secure-a')).status.capacity.memory);
  const limited = pod.spec.containers.find((c: AnyObject) => c.name === 'limited');
  const expected = oomScoreAdj(pod, limited, capacity);
  t.true(expected > 900 && expected < 1000, `a Burstable container's score: ${expected}`);
  t.is((await run('limited', 'cat /proc/1/oom_score_adj')).stdout, String(expected));
  t.is((await run('plain', 'cat /proc/1/oom_score_adj')).stdout, '999', 'no memory request: just below BestEffort');

  const rooted = await eventually('rooted refused', async () => {
    const s = (await admin.get(PODS, 'rooted', { namespace: 'default' })).status?.containerStatuses?.[0];
    return s?.state?.waiting?.reason === 'CreateContainerConfigError' && s;
  }, 30_000, 100);
  const uid = (await admin.get(PODS, 'rooted', { namespace: 'default' })).metadata.uid;
  t.is(rooted.state.waiting.message, `container has runAsNonRoot and image will run as root (pod: "rooted_default(${uid})", container: main)`);
  for (const name of ['secured', 'rooted']) await admin.delete(PODS, name, { namespace: 'default' });
  await eventually('pods gone', async () => (await admin.list(PODS, { namespace: 'default', fieldSelector: 'spec.nodeName=secure-a' })).items.length === 0, 30_000, 200);
});
