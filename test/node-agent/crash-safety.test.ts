import test from 'ava';
import { dirname, join } from 'node:path';
import { nodeCondition } from '../../api/node-status.js';
import { NODES, PODS } from '../../client/resources.js';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { containerConfig, LABEL_NODE_NAME, LABEL_POD_NAME, LABEL_POD_UID, sandboxConfig } from '../../node-agent/pods/cri-config.js';
import { adminClient } from '../helpers/apiserver.js';
import { startAgentNode, type AgentNode } from '../helpers/agent-node.js';
import { BUSYBOX_IMAGE } from '../helpers/containerd.js';
import { eventually } from '../helpers/eventually.js';

let node: AgentNode;
test.before(async () => {
  node = await startAgentNode('worker-crash');
});
test.after.always(async () => {
  await node?.stop();
});

/** The agent has run once: its node is Ready, so the runtime has the pod range and CNI works for sandboxes made by hand. */
async function agentHasRun(admin: ReturnType<typeof adminClient>): Promise<void> {
  await eventually('worker-crash Ready', async () => nodeCondition((await admin.get(NODES, 'worker-crash')).status, 'Ready')?.status === 'True', 60_000, 300);
}

const pod = (name: string) => ({
  metadata: { name, namespace: 'default', labels: { batch: 'crash' } },
  spec: { nodeName: 'worker-crash', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] },
});

/** What the runtime holds, by pod name: its sandboxes' states, and for each container whether it runs and whether it ever started. */
async function runtimeView(cri: RuntimeClient): Promise<Map<string, { sandboxes: string[]; running: number; startedThenStopped: number }>> {
  const view = new Map<string, { sandboxes: string[]; running: number; startedThenStopped: number }>();
  const entry = (name: string) => view.get(name) ?? (view.set(name, { sandboxes: [], running: 0, startedThenStopped: 0 }), view.get(name)!);
  for (const s of (await cri.runtimeCall('ListPodSandbox', {})).items ?? []) entry(s.metadata.name).sandboxes.push(s.state);
  for (const c of (await cri.runtimeCall('ListContainers', {})).containers ?? []) {
    const status = (await cri.runtimeCall('ContainerStatus', { containerId: c.id })).status;
    const e = entry(c.labels['io.kubernetes.pod.name']);
    if (status.state === 'CONTAINER_RUNNING') e.running++;
    // A start the crash cut short (the runtime gives up on it: StartError, never started) is not a second start.
    else if (status.startedAt !== '0') e.startedThenStopped++;
  }
  return view;
}

test.serial('an agent killed with SIGKILL while 30 pods start and stop loses track of none: it adopts what runs, starts nothing twice, finishes deletions and removes what is gone', async (t) => {
  const admin = adminClient(node.cluster);
  const cri = new RuntimeClient(`unix://${node.worker.runtime.socket}`);
  try {
    const first = Array.from({ length: 30 }, (_, i) => `crash-${i}`);
    await Promise.all(first.map((name) => admin.create(PODS, pod(name))));
    await eventually('some pods running, others still starting', async () => {
      const running = (await admin.list(PODS, { namespace: 'default', labelSelector: 'batch=crash' })).items.filter((p) => p.status?.phase === 'Running').length;
      return running >= 5;
    }, 60_000, 50);
    await node.killAgent();
    // While it is down: graceful deletions it must finish, pods deleted outright, new pods.
    await Promise.all(first.slice(0, 5).map((name) => admin.delete(PODS, name, { namespace: 'default' })));
    await Promise.all(first.slice(5, 10).map((name) => admin.delete(PODS, name, { namespace: 'default', gracePeriodSeconds: 0 })));
    const late = Array.from({ length: 5 }, (_, i) => `late-${i}`);
    await Promise.all(late.map((name) => admin.create(PODS, pod(name))));
    node.startAgent();
    const kept = [...first.slice(10), ...late];
    await eventually('every kept pod Running, every deleted pod gone', async () => {
      const pods = (await admin.list(PODS, { namespace: 'default', labelSelector: 'batch=crash' })).items;
      const names = pods.map((p) => p.metadata.name).sort();
      if (JSON.stringify(names) === JSON.stringify([...kept].sort()) && pods.every((p) => p.status?.phase === 'Running')) return true;
      // What is not there yet, for the timeout's message.
      throw new Error(pods.filter((p) => p.status?.phase !== 'Running' || !kept.includes(p.metadata.name!))
        .map((p) => `${p.metadata.name} ${p.status?.phase} ${p.metadata.deletionTimestamp ? 'deleting ' : ''}${JSON.stringify(p.status?.containerStatuses?.[0]?.state ?? {})}`).join('; ') || `listed ${names.join(',')}`);
    }, 90_000, 300);
    // Sandboxes a start cut short left behind go with the agent's housekeeping (every 2 s), once the pod runs in a new one.
    let last = new Map<string, { sandboxes: string[]; running: number; startedThenStopped: number }>();
    const view = await eventually('the runtime holds exactly the kept pods, each in one sandbox', async () => {
      last = await runtimeView(cri);
      return [...last.keys()].sort().join() === [...kept].sort().join() && [...last.values()].every((e) => e.sandboxes.length === 1) && last;
    }, 30_000, 300).catch(() => last);
    for (const name of kept) {
      t.deepEqual(view.get(name), { sandboxes: ['SANDBOX_READY'], running: 1, startedThenStopped: 0 }, `${name}: one sandbox, one container running, nothing started twice`);
    }
    const pods = (await admin.list(PODS, { namespace: 'default', labelSelector: 'batch=crash' })).items;
    t.true(pods.every((p) => p.status.containerStatuses[0].ready && p.status.containerStatuses[0].state.running));

    // A runtime restart: the pods keep running, the agent keeps them as they are.
    const before = new Map(pods.map((p) => [p.metadata.name, [p.status.containerStatuses[0].containerID, p.status.containerStatuses[0].restartCount]]));
    await node.restartRuntime();
    await new Promise((r) => setTimeout(r, 3000));
    const after = (await admin.list(PODS, { namespace: 'default', labelSelector: 'batch=crash' })).items;
    t.is(after.length, kept.length);
    for (const p of after) {
      t.is(p.status.phase, 'Running', p.metadata.name);
      t.deepEqual([p.status.containerStatuses[0].containerID, p.status.containerStatuses[0].restartCount], before.get(p.metadata.name), `${p.metadata.name} kept its container`);
    }
    await Promise.all(kept.map((name) => admin.delete(PODS, name, { namespace: 'default', gracePeriodSeconds: 0 })));
  } finally {
    cri.close();
    admin.close();
  }
});

test.serial('a sandbox a crash left not ready is replaced by the next attempt and removed, as the kubelet collects dead sandboxes', async (t) => {
  const admin = adminClient(node.cluster);
  const cri = new RuntimeClient(`unix://${node.worker.runtime.socket}`);
  try {
    await agentHasRun(admin);
    await node.killAgent();
    const created: any = await admin.create(PODS, pod('left-behind'));
    const uid = created.metadata.uid;
    // What a start cut short by the crash leaves: the pod's first sandbox, stopped before any container ran in it.
    const { podSandboxId } = await cri.runtimeCall('RunPodSandbox', {
      config: {
        metadata: { name: 'left-behind', namespace: 'default', uid, attempt: 0 },
        labels: { [LABEL_POD_UID]: uid, [LABEL_POD_NAME]: 'left-behind', [LABEL_NODE_NAME]: 'worker-crash' },
        linux: {},
      },
    });
    await cri.runtimeCall('StopPodSandbox', { podSandboxId });
    node.startAgent();
    const sandboxes = await eventually('the pod runs in a new sandbox and the dead one is gone', async () => {
      const items: any[] = (await cri.runtimeCall('ListPodSandbox', { filter: { labelSelector: { [LABEL_POD_UID]: uid } } })).items ?? [];
      const running = (await admin.get(PODS, 'left-behind', { namespace: 'default' })).status?.phase === 'Running';
      return running && items.length === 1 && items;
    }, 60_000, 300);
    t.is(sandboxes[0].state, 'SANDBOX_READY');
    t.is(sandboxes[0].metadata.attempt, 1, 'the next attempt');
    t.not(sandboxes[0].id, podSandboxId);
    await admin.delete(PODS, 'left-behind', { namespace: 'default', gracePeriodSeconds: 0 });
  } finally {
    cri.close();
    admin.close();
  }
});

test.serial('a container an agent made but did not start before it died is started by the next agent, not made again', async (t) => {
  const admin = adminClient(node.cluster);
  const cri = new RuntimeClient(`unix://${node.worker.runtime.socket}`);
  try {
    await agentHasRun(admin);
    await node.killAgent();
    const created: any = await admin.create(PODS, pod('half-made'));
    // What the dead agent got done: the sandbox, and the container made in it, never started.
    const settings = { rootDir: join(dirname(node.worker.agentLog), 'agent'), cgroupParent: '/skiff/worker-crash', nodeName: 'worker-crash', clusterDomain: 'cluster.local' };
    const config = sandboxConfig(created, settings, 0, { servers: [], searches: [], options: [] });
    const { podSandboxId } = await cri.runtimeCall('RunPodSandbox', { config });
    const { containerId } = await cri.runtimeCall('CreateContainer', {
      podSandboxId, sandboxConfig: config, config: containerConfig(created, created.spec.containers[0], 0, [], [], 1 << 30),
    });
    node.startAgent();
    const running = await eventually('half-made Running', async () => {
      const p = await admin.get(PODS, 'half-made', { namespace: 'default' });
      return p.status?.phase === 'Running' && p;
    }, 60_000, 300);
    t.is(running.status.containerStatuses[0].containerID, `containerd://${containerId}`, 'the container made before the crash');
    t.is(running.status.containerStatuses[0].restartCount, 0);
    const { containers } = await cri.runtimeCall('ListContainers', { filter: { labelSelector: { [LABEL_POD_UID]: created.metadata.uid } } });
    t.is(containers.length, 1, 'no second container');
    await admin.delete(PODS, 'half-made', { namespace: 'default', gracePeriodSeconds: 0 });
  } finally {
    cri.close();
    admin.close();
  }
});
