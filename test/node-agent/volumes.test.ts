import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyObject } from '../../client/resource.js';
import { CONFIG_MAPS, EVENTS, PODS, SECRETS } from '../../client/resources.js';
import { RestClient } from '../../client/rest-client.js';
import { RuntimeClient } from '../../node-agent/cri/runtime-client.js';
import { NODE_AGENT_DEFAULTS, NodeAgent } from '../../node-agent/node-agent.js';
import { mountPointsUnder } from '../../node-agent/volumes/mount-points.js';
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

interface Harness {
  admin: RestClient;
  cri: RuntimeClient;
  /** Makes a pod bound to this test's node, in `default`. */
  create(name: string, spec: Record<string, unknown>, labels?: Record<string, string>): Promise<AnyObject>;
  running(name: string): Promise<AnyObject>;
  /** Runs `cmd` in the pod's container; answers its output and exit code. */
  exec(pod: AnyObject, container: string, cmd: string[]): Promise<{ out: string; code: number }>;
  restartAgent(): Promise<void>;
}

/**
 * An agent of its own on node `node` for the length of `fn`; the pods it made are deleted after. Pods get a
 * grace period of 1 s: one of 0 is deleted by the API server at once, before the agent can tear anything down.
 */
async function withAgent(node: string, fn: (h: Harness) => Promise<void>): Promise<void> {
  const client = new RestClient(await identityConfig(cluster, `system:node:${node}`, ['system:nodes']));
  const cri = new RuntimeClient(runtime.endpoint);
  const admin = adminClient(cluster);
  const options = { ...NODE_AGENT_DEFAULTS, nodeName: node, nodeIP: '10.0.0.9', externalCloudProvider: false, labels: {}, taints: [], rootDir: runtime.dir, leaseDurationSeconds: 4, nodeStatusUpdateFrequencyMs: 1_000 };
  let agent = new NodeAgent(client, cri, options);
  const h: Harness = {
    admin, cri,
    create: (name, spec, labels) => admin.create(PODS, { metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) }, spec: { nodeName: node, terminationGracePeriodSeconds: 1, ...spec } }),
    running: (name) => eventually(`${name} Running`, async () => {
      const p = await admin.get(PODS, name, { namespace: 'default' });
      return p.status?.phase === 'Running' && p.status.containerStatuses.every((s: AnyObject) => s.state.running) && p;
    }, 30_000, 100),
    async exec(pod, container, cmd) {
      const id = pod.status.containerStatuses.find((s: AnyObject) => s.name === container).containerID.replace(/^containerd:\/\//, '');
      const r = await cri.runtimeCall('ExecSync', { containerId: id, cmd, timeout: 5 });
      return { out: Buffer.from(r.stdout ?? '').toString('utf8') + Buffer.from(r.stderr ?? '').toString('utf8'), code: r.exitCode };
    },
    async restartAgent() {
      await agent.stop();
      agent = new NodeAgent(client, cri, options);
      await agent.start();
    },
  };
  try {
    await agent.start();
    await fn(h);
  } finally {
    const mine = (await admin.list(PODS, { namespace: 'default', fieldSelector: `spec.nodeName=${node}` })).items;
    for (const p of mine) await admin.delete(PODS, p.metadata.name!, { namespace: 'default' }).catch(() => undefined);
    await eventually('the pods gone', async () => (await admin.list(PODS, { namespace: 'default', fieldSelector: `spec.nodeName=${node}` })).items.length === 0, 30_000, 100).catch(() => undefined);
    await agent.stop();
    cri.close();
    client.close();
    admin.close();
  }
}

const volumeDir = (pod: AnyObject, plugin: string, name: string) => join(runtime.dir, 'pods', pod.metadata.uid!, 'volumes', plugin, name);
const mountLine = (mounts: string, path: string) => mounts.split('\n').find((l) => l.split(' ')[1] === path);

async function eventsOf(admin: RestClient, pod: string): Promise<AnyObject[]> {
  return (await admin.list(EVENTS, { namespace: 'default' })).items.filter((e) => e.involvedObject?.name === pod);
}

test.serial('an emptyDir is shared by the pod\'s containers; with medium Memory it is a tmpfs of its sizeLimit', async (t) => {
  await withAgent('vol-a', async (h) => {
    await h.create('shared', {
      volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'fast', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }],
      containers: [
        { name: 'writer', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo from-writer > /data/msg; sleep 3600'], volumeMounts: [{ name: 'scratch', mountPath: '/data' }] },
        { name: 'reader', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], volumeMounts: [{ name: 'scratch', mountPath: '/in' }, { name: 'fast', mountPath: '/fast' }] },
      ],
    });
    const pod = await h.running('shared');
    const read = await eventually('the writer\'s file read by the reader', async () => {
      const r = await h.exec(pod, 'reader', ['cat', '/in/msg']);
      return r.code === 0 && r.out;
    }, 5_000, 100);
    t.is(read, 'from-writer\n');
    t.is(readFileSync(join(volumeDir(pod, 'kubernetes.io~empty-dir', 'scratch'), 'msg'), 'utf8'), 'from-writer\n', 'on the node, where the kubelet keeps it');
    const mounts = (await h.exec(pod, 'reader', ['cat', '/proc/mounts'])).out;
    t.regex(mountLine(mounts, '/fast') ?? '', /^tmpfs \/fast tmpfs rw,.*size=16384k/);
    t.notRegex(mountLine(mounts, '/in') ?? '', /^tmpfs/, 'the disk one is not a tmpfs');
    t.is((await h.exec(pod, 'reader', ['sh', '-c', 'echo x > /fast/f && cat /fast/f'])).out, 'x\n', 'writable');
  });
});

test.serial('configMap keys are files (items to paths, modes, optional), read-only; a change reaches the running pod within its periodic sync; a subPath mount keeps what it had', async (t) => {
  await withAgent('vol-b', async (h) => {
    await h.admin.create(CONFIG_MAPS, { metadata: { name: 'app-config', namespace: 'default' }, data: { 'a.conf': 'alpha', b: 'beta' }, binaryData: { bin: Buffer.from([0, 1, 2]).toString('base64') } });
    await h.create('configured', {
      volumes: [
        { name: 'all', configMap: { name: 'app-config' } },
        { name: 'picked', configMap: { name: 'app-config', defaultMode: 0o440, items: [{ key: 'a.conf', path: 'nested/a.txt', mode: 0o600 }, { key: 'b', path: 'b.txt' }] } },
        { name: 'maybe', configMap: { name: 'absent-config', optional: true } },
      ],
      containers: [{
        name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'],
        volumeMounts: [{ name: 'all', mountPath: '/etc/app' }, { name: 'picked', mountPath: '/picked' }, { name: 'all', mountPath: '/single/b', subPath: 'b' }, { name: 'maybe', mountPath: '/maybe' }],
      }],
    });
    const pod = await h.running('configured');
    t.is((await h.exec(pod, 'main', ['cat', '/etc/app/a.conf'])).out, 'alpha');
    t.is((await h.exec(pod, 'main', ['od', '-An', '-tx1', '/etc/app/bin'])).out.trim(), '00 01 02', 'binaryData as its bytes');
    t.is((await h.exec(pod, 'main', ['ls', '/picked'])).out.split('\n').filter(Boolean).sort().join(' '), 'b.txt nested', 'only the items, at their paths');
    t.is((await h.exec(pod, 'main', ['cat', '/picked/nested/a.txt'])).out, 'alpha');
    t.is((await h.exec(pod, 'main', ['stat', '-L', '-c', '%a', '/picked/nested/a.txt', '/picked/b.txt', '/etc/app/b'])).out, '600\n440\n644\n', 'item mode, defaultMode, 0644');
    t.not((await h.exec(pod, 'main', ['touch', '/etc/app/new'])).code, 0, 'mounted read-only');
    t.is((await h.exec(pod, 'main', ['cat', '/single/b'])).out, 'beta');
    t.is((await h.exec(pod, 'main', ['ls', '/maybe'])).out, '', 'an optional config map that does not exist is an empty volume');
    const dir = volumeDir(pod, 'kubernetes.io~configmap', 'all');
    t.regex(execFileSync('readlink', [join(dir, '..data')], { encoding: 'utf8' }), /^\.\.\d{4}_/, 'written the kubelet way, behind ..data');

    const cm = await h.admin.get(CONFIG_MAPS, 'app-config', { namespace: 'default' });
    const changedAt = Date.now();
    await h.admin.update(CONFIG_MAPS, { ...cm, data: { 'a.conf': 'ALPHA', b: 'BETA' } });
    // Refreshed on the pod's periodic sync (10 s), as the kubelet refreshes on its own.
    await eventually('the change in the running pod', async () => (await h.exec(pod, 'main', ['cat', '/etc/app/a.conf'])).out === 'ALPHA', 20_000, 200);
    t.true(Date.now() - changedAt < 12_000, 'within a periodic sync');
    t.is((await h.exec(pod, 'main', ['cat', '/picked/b.txt'])).out, 'BETA');
    t.is((await h.exec(pod, 'main', ['cat', '/single/b'])).out, 'beta', 'a subPath mount is not updated, as in kube');
  });
});

test.serial('a secret volume holds the decoded keys with its defaultMode, in memory', async (t) => {
  await withAgent('vol-c', async (h) => {
    await h.admin.create(SECRETS, { metadata: { name: 'db-creds', namespace: 'default' }, data: { password: Buffer.from('s3cret').toString('base64'), user: Buffer.from('admin').toString('base64') } });
    await h.create('secretive', {
      volumes: [{ name: 'creds', secret: { secretName: 'db-creds', defaultMode: 0o400 } }],
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], volumeMounts: [{ name: 'creds', mountPath: '/creds' }] }],
    });
    const pod = await h.running('secretive');
    t.is((await h.exec(pod, 'main', ['cat', '/creds/password'])).out, 's3cret');
    t.is((await h.exec(pod, 'main', ['cat', '/creds/user'])).out, 'admin');
    t.is((await h.exec(pod, 'main', ['stat', '-L', '-c', '%a', '/creds/password'])).out, '400\n');
    const dir = volumeDir(pod, 'kubernetes.io~secret', 'creds');
    t.deepEqual(mountPointsUnder(dir), [dir], 'a tmpfs on the node: secrets never reach its disk');
  });
});

test.serial('a downwardAPI volume holds the pod\'s metadata and resources; its labels file follows a label change', async (t) => {
  await withAgent('vol-d', async (h) => {
    await h.create('introspective', {
      volumes: [{
        name: 'info', downwardAPI: {
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'tier', fieldRef: { fieldPath: "metadata.labels['tier']" } },
            { path: 'mem', resourceFieldRef: { containerName: 'main', resource: 'limits.memory', divisor: '1Mi' } },
          ],
        },
      }],
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], resources: { limits: { memory: '32Mi' } }, volumeMounts: [{ name: 'info', mountPath: '/info' }] }],
    }, { app: 'web', tier: 'front' });
    const pod = await h.running('introspective');
    t.is((await h.exec(pod, 'main', ['cat', '/info/labels'])).out, 'app="web"\ntier="front"');
    t.is((await h.exec(pod, 'main', ['cat', '/info/name'])).out, 'introspective');
    t.is((await h.exec(pod, 'main', ['cat', '/info/tier'])).out, 'front');
    t.is((await h.exec(pod, 'main', ['cat', '/info/mem'])).out, '32');
    await h.admin.patch(PODS, 'introspective', 'merge', { metadata: { labels: { tier: 'back', version: 'v2' } } }, { namespace: 'default' });
    const labels = await eventually('the new labels in the file', async () => {
      const out = (await h.exec(pod, 'main', ['cat', '/info/labels'])).out;
      return out.includes('v2') && out;
    }, 5_000, 100);
    t.is(labels, 'app="web"\ntier="back"\nversion="v2"');
    t.is((await h.exec(pod, 'main', ['cat', '/info/tier'])).out, 'back');
  });
});

test.serial('a pod gets its service account\'s credentials as in any cluster: admission adds the kube-api-access volume, the publisher its CA, and the token authenticates as the account', async (t) => {
  await withAgent('vol-e', async (h) => {
    const ca = readFileSync(cluster.caFile!, 'utf8');
    // Nothing but a container: the volume, its mount and kube-root-ca.crt come from the control plane.
    const created = await h.create('tokened', { containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] });
    const volume = created.spec.volumes.find((v: AnyObject) => v.projected);
    t.regex(volume.name, /^kube-api-access-[a-z0-9]{5}$/);
    t.is(created.spec.serviceAccountName, 'default');
    const pod = await h.running('tokened');
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
    t.is((await h.exec(pod, 'main', ['cat', `${dir}/namespace`])).out, 'default');
    t.is((await h.exec(pod, 'main', ['cat', `${dir}/ca.crt`])).out, ca, 'the cluster CA, from kube-root-ca.crt');
    t.is((await h.exec(pod, 'main', ['sh', '-c', `touch ${dir}/x 2>&1; echo $?`])).out.trim().split('\n').pop(), '1', 'mounted read-only');
    const token = (await h.exec(pod, 'main', ['cat', `${dir}/token`])).out;
    t.regex(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    t.is(claims.exp - claims.iat, 3607);
    t.like(claims['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'default' }, pod: { name: 'tokened', uid: pod.metadata.uid } });
    // The files as an in-cluster client reads them: the token as its bearer token, ca.crt to verify the server.
    const asPod = new RestClient({ server: cluster.url, ca: (await h.exec(pod, 'main', ['cat', `${dir}/ca.crt`])).out, token }, { qps: 0 });
    try {
      const review = await asPod.request<AnyObject>({ method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
      t.is(review.status.userInfo.username, 'system:serviceaccount:default:default');
      t.true(review.status.userInfo.groups.includes('system:serviceaccounts:default'));
      const denied = await t.throwsAsync(asPod.list(SECRETS, { namespace: 'default' }));
      t.is((denied as Error & { code?: number }).code, 403);
      t.regex(denied!.message, /User "system:serviceaccount:default:default" cannot list resource "secrets"/);
    } finally {
      asPod.close();
    }
  });
});

test.serial('a hostPath volume: DirectoryOrCreate makes the folder on the node; a failed type check is a FailedMount and the pod waits', async (t) => {
  await withAgent('vol-f', async (h) => {
    const hostDir = join(runtime.dir, 'host-data', 'made');
    await h.create('host-writer', {
      volumes: [{ name: 'host', hostPath: { path: hostDir, type: 'DirectoryOrCreate' } }],
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo on-host > /host/file; sleep 3600'], volumeMounts: [{ name: 'host', mountPath: '/host' }] }],
    });
    await h.running('host-writer');
    await eventually('the file on the node', () => existsSync(join(hostDir, 'file')) && readFileSync(join(hostDir, 'file'), 'utf8') === 'on-host\n', 5_000, 100);
    const missing = join(runtime.dir, 'host-data', 'absent.sock');
    await h.create('host-socket', {
      volumes: [{ name: 'sock', hostPath: { path: missing, type: 'Socket' } }],
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], volumeMounts: [{ name: 'sock', mountPath: '/run/app.sock' }] }],
    });
    const event = await eventually('FailedMount', async () => (await eventsOf(h.admin, 'host-socket')).find((e) => e.reason === 'FailedMount'), 10_000, 100);
    t.is(event.type, 'Warning');
    t.is(event.message, `MountVolume.SetUp failed for volume "sock" : hostPath type check failed: ${missing} is not a socket file`);
    t.is(event.source.component, 'kubelet');
    // The status follows once the pod's other volumes (its kube-api-access one) have had their turn.
    const pod = await eventually('the pod waiting', async () => {
      const p = await h.admin.get(PODS, 'host-socket', { namespace: 'default' });
      return p.status?.containerStatuses && p;
    }, 5_000, 100);
    t.is(pod.status.phase, 'Pending');
    t.is(pod.status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');
  });
});

test.serial('a missing configMap is a FailedMount and the pod waits in ContainerCreating, then starts once it exists; so does a missing claim', async (t) => {
  await withAgent('vol-g', async (h) => {
    await h.create('patient', {
      volumes: [{ name: 'cfg', configMap: { name: 'late-config' } }],
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }],
    });
    await h.create('claimed', {
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'db-data' } }],
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    });
    const event = await eventually('FailedMount', async () => (await eventsOf(h.admin, 'patient')).find((e) => e.reason === 'FailedMount'), 10_000, 100);
    t.is(event.message, 'MountVolume.SetUp failed for volume "cfg" : configmap "late-config" not found');
    const waiting = await eventually('the pod waiting', async () => {
      const p = await h.admin.get(PODS, 'patient', { namespace: 'default' });
      return p.status?.containerStatuses && p;
    }, 5_000, 100);
    t.is(waiting.status.phase, 'Pending');
    t.is(waiting.status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');
    t.is(waiting.status.podIP, undefined, 'no sandbox yet');
    const sandboxes = (await h.cri.runtimeCall('ListPodSandbox', { filter: { labelSelector: { 'io.kubernetes.pod.uid': waiting.metadata.uid } } })).items ?? [];
    t.deepEqual(sandboxes, []);

    await h.admin.create(CONFIG_MAPS, { metadata: { name: 'late-config', namespace: 'default' }, data: { setting: 'on' } });
    const pod = await h.running('patient');
    t.is((await h.exec(pod, 'main', ['cat', '/cfg/setting'])).out, 'on');

    const claimed = await eventually('FailedMount for the claim', async () => (await eventsOf(h.admin, 'claimed')).find((e) => e.reason === 'FailedMount'), 5_000, 100);
    t.is(claimed.message, 'MountVolume.SetUp failed for volume "data" : error processing PVC default/db-data: failed to fetch PVC from API server: persistentvolumeclaims "db-data" not found');
    t.is((await h.admin.get(PODS, 'claimed', { namespace: 'default' })).status.phase, 'Pending');
  });
});

test.serial('a pod\'s volume folders go with it, tmpfs unmounted; an agent restart removes the folders of pods that are gone', async (t) => {
  await withAgent('vol-h', async (h) => {
    await h.admin.create(CONFIG_MAPS, { metadata: { name: 'short-lived', namespace: 'default' }, data: { k: 'v' } });
    await h.create('ephemeral', {
      volumes: [{ name: 'mem', emptyDir: { medium: 'Memory' } }, { name: 'cfg', configMap: { name: 'short-lived' } }],
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'], volumeMounts: [{ name: 'mem', mountPath: '/mem' }, { name: 'cfg', mountPath: '/cfg' }] }],
    });
    const pod = await h.running('ephemeral');
    const podDir = join(runtime.dir, 'pods', pod.metadata.uid!);
    t.true(existsSync(volumeDir(pod, 'kubernetes.io~configmap', 'cfg')));
    t.is(mountPointsUnder(podDir).length, 2, 'the Memory emptyDir and the kube-api-access volume mounted');
    await h.admin.delete(PODS, 'ephemeral', { namespace: 'default' });
    await eventually('the pod gone', () => h.admin.get(PODS, 'ephemeral', { namespace: 'default' }).then(() => false, () => true), 10_000, 100);
    t.false(existsSync(podDir), 'its folder removed');
    t.deepEqual(mountPointsUnder(podDir), [], 'its tmpfs unmounted');

    // What an agent that stopped before its pod was deleted leaves behind.
    const orphan = join(runtime.dir, 'pods', '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9');
    const orphanVolume = join(orphan, 'volumes', 'kubernetes.io~empty-dir', 'cache');
    mkdirSync(orphanVolume, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', orphanVolume]);
    writeFileSync(join(orphanVolume, 'left'), 'behind');
    await h.restartAgent();
    await eventually('the orphan removed', () => !existsSync(orphan), 5_000, 100);
    t.deepEqual(mountPointsUnder(orphan), []);
    t.true(existsSync(join(runtime.dir, 'pods')), 'the rest of the pods folder stays');
  });
});
