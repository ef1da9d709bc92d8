import test from 'ava';
import { setTimeout as delay } from 'node:timers/promises';
import type { AnyObject } from '../../client/resource.js';
import { EVENTS, PODS } from '../../client/resources.js';
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
  ...NODE_AGENT_DEFAULTS, nodeName: name, nodeIP: '10.0.0.7', externalCloudProvider: false, labels: {}, taints: [],
  rootDir: runtime.dir, leaseDurationSeconds: 4, nodeStatusUpdateFrequencyMs: 1_000,
});

/** A loop that ends at SIGTERM, so a kill takes no longer than the probe takes to notice. */
const LOOP = 'trap "exit 0" TERM; while true; do sleep 0.1; done';

/** A node agent of its own for one test, with the clients the test reads and drives the node through. */
async function node(t: { teardown(fn: () => Promise<void>): void }, name: string) {
  const client = new RestClient(await identityConfig(cluster, `system:node:${name}`, ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const ctx = { client, cri, admin, agent: new NodeAgent(client, cri, options(name)) };
  t.teardown(async () => {
    await ctx.agent.stop();
    cri.close();
    client.close();
    admin.close();
  });
  await ctx.agent.start();
  const pod = (podName: string) => admin.get(PODS, podName, { namespace: 'default' });
  const exec = async (p: AnyObject, cmd: string[]) => {
    const out = await cri.runtimeCall('ExecSync', { containerId: p.status.containerStatuses[0].containerID.replace('containerd://', ''), cmd, timeout: 5 });
    if (out.exitCode !== 0) throw new Error(`${cmd.join(' ')} exited ${out.exitCode}: ${Buffer.from(out.stderr).toString()}`);
  };
  const events = async (podName: string) => (await admin.list(EVENTS, { namespace: 'default' })).items
    .filter((e: AnyObject) => e.involvedObject?.name === podName).map((e: AnyObject) => `${e.type} ${e.reason} ${e.message}`);
  const condition = (p: AnyObject, type: string) => p.status?.conditions?.find((c: AnyObject) => c.type === type)?.status;
  const removeAll = async (names: string[]) => {
    for (const n of names) await admin.delete(PODS, n, { namespace: 'default' });
    await eventually('pods gone', async () => (await admin.list(PODS, { namespace: 'default', fieldSelector: `spec.nodeName=${name}` })).items.length === 0, 30_000, 200);
  };
  return Object.assign(ctx, { pod, exec, events, condition, removeAll });
}

test.serial('an exec readiness probe makes the pod Ready while the file it reads is there, and not Ready once it is gone; an agent restart probes again', async (t) => {
  const n = await node(t, 'probe-a');
  await n.admin.create(PODS, {
    metadata: { name: 'gated', namespace: 'default' },
    spec: {
      nodeName: 'probe-a', terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', LOOP], readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 } }],
    },
  });
  await n.admin.create(PODS, {
    metadata: { name: 'sluggish', namespace: 'default' },
    spec: {
      nodeName: 'probe-a', terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', LOOP], readinessProbe: { exec: { command: ['sleep', '3'] }, periodSeconds: 1, timeoutSeconds: 1 } }],
    },
  });
  const unready = await eventually('gated Running, not ready', async () => {
    const p = await n.pod('gated');
    return p.status?.phase === 'Running' && p.status.containerStatuses[0].started === true && p;
  }, 30_000, 100);
  t.is(n.condition(unready, 'Ready'), 'False');
  t.is(n.condition(unready, 'ContainersReady'), 'False');
  t.false(unready.status.containerStatuses[0].ready);
  await n.exec(unready, ['touch', '/tmp/ready']);
  // Within a few probe periods, well before the agent's 10 s resync: a probe result queues its pod at once.
  const ready = await eventually('Ready', async () => {
    const p = await n.pod('gated');
    return n.condition(p, 'Ready') === 'True' && p;
  }, 7_000, 100);
  t.is(n.condition(ready, 'ContainersReady'), 'True');
  t.true(ready.status.containerStatuses[0].ready);
  await n.exec(ready, ['rm', '/tmp/ready']);
  await eventually('not Ready again', async () => n.condition(await n.pod('gated'), 'Ready') === 'False', 10_000, 100);
  const failed = await eventually('the Unhealthy event', async () => (await n.events('gated')).find((e) => e.startsWith('Warning Unhealthy Readiness probe failed: ')), 10_000, 200);
  t.regex(failed, /can't open '\/tmp\/ready'/);
  const timedOut = await eventually('the timed out probe', async () => (await n.events('sluggish')).find((e) => e.includes('timed out')), 10_000, 200);
  t.is(timedOut, 'Warning Unhealthy Readiness probe failed: command "sleep 3" timed out');
  t.is(n.condition(await n.pod('sluggish'), 'Ready'), 'False');
  // The file comes back while no agent runs: only probes the new agent runs can tell.
  await n.agent.stop();
  await n.exec(ready, ['touch', '/tmp/ready']);
  n.agent = new NodeAgent(n.client, n.cri, options('probe-a'));
  await n.agent.start();
  const after = await eventually('Ready after the agent restart', async () => {
    const p = await n.pod('gated');
    return n.condition(p, 'Ready') === 'True' && p;
  }, 10_000, 100);
  t.is(after.status.containerStatuses[0].restartCount, 0, 'the container was adopted, not restarted');
  await n.removeAll(['gated', 'sluggish']);
});

test.serial('a failing exec liveness probe kills the container, which restarts: restartCount 1, its last state terminated, Unhealthy and Killing events', async (t) => {
  const n = await node(t, 'probe-b');
  await n.admin.create(PODS, {
    metadata: { name: 'mortal', namespace: 'default' },
    spec: {
      nodeName: 'probe-b', terminationGracePeriodSeconds: 5,
      containers: [{
        name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', `touch /tmp/alive; ${LOOP}`],
        livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 2 },
      }],
    },
  });
  const alive = await eventually('mortal Running', async () => {
    const p = await n.pod('mortal');
    return p.status?.phase === 'Running' && p.status.containerStatuses[0].ready && p;
  }, 30_000, 100);
  const firstId = alive.status.containerStatuses[0].containerID;
  await n.exec(alive, ['rm', '/tmp/alive']);
  const restarted = await eventually('restarted', async () => {
    const s = (await n.pod('mortal')).status.containerStatuses[0];
    return s.restartCount === 1 && s.state.running && s;
  }, 15_000, 100);
  t.like(restarted.lastState.terminated, { containerID: firstId, exitCode: 0 });
  t.not(restarted.containerID, firstId);
  const events = await eventually('the events', async () => {
    const all = await n.events('mortal');
    return all.some((e) => e.startsWith('Normal Killing')) && all;
  }, 10_000, 200);
  t.true(events.some((e) => /^Warning Unhealthy Liveness probe failed: cat: can't open '\/tmp\/alive'/.test(e)), events.join('\n'));
  t.true(events.includes('Normal Killing Container main failed liveness probe, will be restarted'), events.join('\n'));
  // Two failures in a row would kill it in two periods: a passing probe leaves it alone.
  await delay(2_500);
  t.is((await n.pod('mortal')).status.containerStatuses[0].restartCount, 1, 'the new container passes its probe and stays');
  await n.removeAll(['mortal']);
});

test.serial('a startup probe holds liveness and readiness until it passes (started false, then true); one that keeps failing kills the container', async (t) => {
  const n = await node(t, 'probe-c');
  const probe = (command: string[], extra: object = {}) => ({ exec: { command }, periodSeconds: 1, ...extra });
  await n.admin.create(PODS, {
    metadata: { name: 'slow-start', namespace: 'default' },
    spec: {
      nodeName: 'probe-c', terminationGracePeriodSeconds: 0,
      containers: [{
        name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', LOOP],
        startupProbe: probe(['cat', '/tmp/started'], { failureThreshold: 60 }),
        // Would kill the container at once if it ran before the startup probe passed.
        livenessProbe: probe(['cat', '/tmp/started-and-alive'], { failureThreshold: 1 }),
        readinessProbe: probe(['true']),
      }],
    },
  });
  await n.admin.create(PODS, {
    metadata: { name: 'never-starts', namespace: 'default' },
    spec: {
      nodeName: 'probe-c', terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', LOOP], startupProbe: probe(['false'], { failureThreshold: 2 }) }],
    },
  });
  const starting = await eventually('slow-start Running', async () => {
    const p = await n.pod('slow-start');
    return p.status?.phase === 'Running' && p;
  }, 30_000, 100);
  for (let i = 0; i < 4; i++) {
    const s = (await n.pod('slow-start')).status.containerStatuses[0];
    t.like(s, { started: false, ready: false, restartCount: 0 });
    await delay(500);
  }
  t.is(n.condition(await n.pod('slow-start'), 'Ready'), 'False');
  await n.exec(starting, ['sh', '-c', 'touch /tmp/started /tmp/started-and-alive']);
  const started = await eventually('started and ready', async () => {
    const p = await n.pod('slow-start');
    return p.status.containerStatuses[0].started && n.condition(p, 'Ready') === 'True' && p;
  }, 10_000, 100);
  t.like(started.status.containerStatuses[0], { started: true, ready: true, restartCount: 0 });
  const killed = await eventually('never-starts restarted', async () => {
    const s = (await n.pod('never-starts')).status?.containerStatuses?.[0];
    return s?.restartCount >= 1 && s;
  }, 15_000, 100);
  t.false(killed.started);
  t.truthy(killed.lastState.terminated);
  const events = await eventually('the events', async () => {
    const all = await n.events('never-starts');
    return all.some((e) => e.startsWith('Normal Killing')) && all;
  }, 10_000, 200);
  t.true(events.includes('Normal Killing Container main failed startup probe, will be restarted'), events.join('\n'));
  t.true(events.includes('Warning Unhealthy Startup probe failed: '), events.join('\n'));
  await n.removeAll(['slow-start', 'never-starts']);
});
