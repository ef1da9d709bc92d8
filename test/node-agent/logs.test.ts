import test from 'ava';
import { PODS } from '../../client/resources.js';
import { adminClient, type TestCluster } from '../helpers/apiserver.js';
import { startAgentNode, type AgentNode } from '../helpers/agent-node.js';
import { BUSYBOX_IMAGE } from '../helpers/containerd.js';
import { eventually } from '../helpers/eventually.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';

let node: AgentNode;
let cluster: TestCluster;
test.before(async () => {
  node = await startAgentNode('worker-logs');
  cluster = node.cluster;
});
test.after.always(async () => {
  await node?.stop();
});

const runningPod = (name: string, containers: Record<string, unknown>[], extra: Record<string, unknown> = {}) => node.runningPod(name, containers, extra);
const NODE = 'worker-logs';

const main = (command: string) => [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', command] }];

test.serial('kubectl logs prints the container\'s output; --tail, --timestamps, --since and --limit-bytes shape it', async (t) => {
  await runningPod('talker', main('for i in 1 2 3; do echo line $i; done; sleep 0.2; echo oops >&2; sleep 0.2; echo done; sleep 3600'));
  const logs = await eventually('all lines written', async () => {
    const out = await kubectlOk(cluster, ['logs', 'talker']);
    return out.includes('done') && out;
  }, 10_000, 200);
  t.is(logs, 'line 1\nline 2\nline 3\noops\ndone\n');
  t.is(await kubectlOk(cluster, ['logs', 'talker', '--tail=2']), 'oops\ndone\n');
  t.is(await kubectlOk(cluster, ['logs', 'talker', '--tail=0']), '');
  const stamped = (await kubectlOk(cluster, ['logs', 'talker', '--timestamps', '--tail=1'])).trim();
  t.regex(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z done$/);
  t.is(await kubectlOk(cluster, ['logs', 'talker', '--since=1h', '--tail=1']), 'done\n');
  t.is(await kubectlOk(cluster, ['logs', 'talker', '--since-time=2999-01-01T00:00:00Z']), '');
  t.is(await kubectlOk(cluster, ['logs', 'talker', '--limit-bytes=9']), 'line 1\nli');
  const bad = await kubectl(cluster, ['logs', 'talker', '-c', 'nope']);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /container nope is not valid for pod talker/);
  const invalid = await kubectl(cluster, ['get', '--raw', '/api/v1/namespaces/default/pods/talker/log?tailLines=-1']);
  t.regex(invalid.stderr, /tailLines: Invalid value: -1: must be greater than or equal to 0/);
});

test.serial('-c picks a container, a pod with several needs one through the API, and --all-containers prints each', async (t) => {
  await runningPod('pair', [
    { name: 'left', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo from left; sleep 3600'] },
    { name: 'right', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo from right; sleep 3600'] },
  ]);
  t.is(await eventually('right logged', async () => (await kubectlOk(cluster, ['logs', 'pair', '-c', 'right'])) || undefined, 10_000, 200), 'from right\n');
  const raw = await kubectl(cluster, ['get', '--raw', '/api/v1/namespaces/default/pods/pair/log']);
  t.regex(raw.stderr, /a container name must be specified for pod pair, choose one of: \[left right\]/);
  const all = await kubectlOk(cluster, ['logs', 'pair', '--all-containers', '--prefix']);
  t.is(all, '[pod/pair/left] from left\n[pod/pair/right] from right\n');
});

test.serial('--previous shows the last run of a restarted container; -f follows until the container ends', async (t) => {
  await runningPod('restarter', main('echo run at $(date +%s); sleep 0.3; exit 1'));
  const admin = adminClient(cluster);
  try {
    await eventually('restarted once', async () => ((await admin.get(PODS, 'restarter', { namespace: 'default' })).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000, 200);
  } finally {
    admin.close();
  }
  const previous = await kubectlOk(cluster, ['logs', 'restarter', '--previous']);
  t.regex(previous, /^run at \d+\n$/);
  const none = await kubectl(cluster, ['logs', 'talker', '--previous']);
  t.regex(none.stderr, /previous terminated container "main" in pod "talker" not found/);

  await runningPod('counter', main('for i in 1 2 3 4 5; do echo tick $i; sleep 0.3; done'), { restartPolicy: 'Never' });
  const followed = await kubectl(cluster, ['logs', '-f', 'counter']);
  t.is(followed.code, 0, followed.stderr);
  t.is(followed.stdout, 'tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n');
});

test.serial('a pod whose container has not started, or one not yet scheduled, gets kube\'s messages', async (t) => {
  const admin = adminClient(cluster);
  try {
    await admin.create(PODS, { metadata: { name: 'unplaced', namespace: 'default' }, spec: { containers: main('true') } });
    const unplaced = await kubectl(cluster, ['logs', 'unplaced']);
    t.regex(unplaced.stderr, /pod unplaced does not have a host assigned/);
    await admin.create(PODS, { metadata: { name: 'missing-image', namespace: 'default' }, spec: { nodeName: NODE, containers: [{ name: 'main', image: 'skiff.local/absent:1' }] } });
    const waiting = await eventually('a waiting answer', async () => {
      const r = await kubectl(cluster, ['logs', 'missing-image']);
      return r.code !== 0 && /is waiting to start/.test(r.stderr) && r.stderr;
    }, 10_000, 300);
    t.regex(waiting, /container "main" in pod "missing-image" is waiting to start: /);
  } finally {
    admin.close();
  }
});
