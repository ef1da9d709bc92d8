import test from 'ava';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';

// No serviceaccount controller: each test makes the accounts it wants, or
// leaves them out, and sees what a cluster whose controller lags behind sees.
let cluster: TestCluster;
test.before(async () => {
  cluster = await startCluster({}, { controllers: { controllers: ['-serviceaccount'] } });
});
test.after.always(async () => {
  await cluster?.stop();
});

const MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** kube's generated names: kube-api-access- and five characters of apimachinery's rand alphabet. */
const VOLUME_NAME = /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
/** The volume exactly as kube-apiserver 1.32 writes it into a pod spec. */
const KUBE_API_ACCESS = {
  projected: {
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
    defaultMode: 420,
  },
};

async function namespace(name: string, accounts: Array<Record<string, unknown>> = [{ metadata: { name: 'default' } }]): Promise<void> {
  const ns = await call(cluster, 'POST', '/api/v1/namespaces', { metadata: { name } });
  if (ns.status !== 201) throw new Error(`namespace ${name}: ${ns.text}`);
  for (const sa of accounts) {
    const made = await call(cluster, 'POST', `/api/v1/namespaces/${name}/serviceaccounts`, sa);
    if (made.status !== 201) throw new Error(`service account: ${made.text}`);
  }
}

const createPod = (ns: string, name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) =>
  call(cluster, 'POST', `/api/v1/namespaces/${ns}/pods`, { metadata: { name, ...metadata }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

test('every container and init container mounts the kube-api-access volume read-only, unless something is at the path already', async (t) => {
  await namespace('shape');
  const r = await createPod('shape', 'p', {
    initContainers: [{ name: 'init', image: 'busybox' }],
    containers: [
      { name: 'app', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      { name: 'own', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: MOUNT_PATH }] },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
  });
  t.is(r.status, 201, r.text);
  const spec = r.body.spec;
  t.is(spec.serviceAccountName, 'default');
  t.is(spec.serviceAccount, 'default', 'the deprecated field says the same');
  t.is(spec.volumes.length, 2);
  t.deepEqual(spec.volumes[0], { name: 'data', emptyDir: {} });
  const volume = spec.volumes[1];
  t.regex(volume.name, VOLUME_NAME);
  t.deepEqual(volume, { name: volume.name, ...KUBE_API_ACCESS });
  const mount = { name: volume.name, readOnly: true, mountPath: MOUNT_PATH };
  t.deepEqual(spec.initContainers[0].volumeMounts, [mount]);
  t.deepEqual(spec.containers[0].volumeMounts, [{ name: 'data', mountPath: '/data' }, mount]);
  t.deepEqual(spec.containers[1].volumeMounts, [{ name: 'data', mountPath: MOUNT_PATH }], 'its own mount at the path stays, alone');
  t.falsy(spec.imagePullSecrets);

  const second = await createPod('shape', 'q');
  t.not(second.body.spec.volumes[0].name, volume.name, 'each pod gets a name of its own');

  const kept = await createPod('shape', 'kept', {
    containers: [{ name: 'c', image: 'busybox' }],
    volumes: [{ name: 'kube-api-access-abcde', ...KUBE_API_ACCESS }],
  });
  t.is(kept.status, 201, kept.text);
  t.deepEqual(kept.body.spec.volumes.map((v: any) => v.name), ['kube-api-access-abcde'], 'a pod that has the volume already (a copy of another) keeps it');
  t.is(kept.body.spec.containers[0].volumeMounts[0].name, 'kube-api-access-abcde');
});

test('automountServiceAccountToken: false on the pod, or on the account unless the pod says true, mounts nothing', async (t) => {
  await namespace('automount', [{ metadata: { name: 'default' } }, { metadata: { name: 'quiet' }, automountServiceAccountToken: false }]);
  const off = await createPod('automount', 'off', { automountServiceAccountToken: false });
  t.is(off.status, 201, off.text);
  t.falsy(off.body.spec.volumes);
  t.falsy(off.body.spec.containers[0].volumeMounts);

  const quiet = await createPod('automount', 'quiet', { serviceAccountName: 'quiet' });
  t.is(quiet.status, 201, quiet.text);
  t.falsy(quiet.body.spec.volumes, 'the account turns it off');
  t.falsy(quiet.body.spec.containers[0].volumeMounts);

  const insists = await createPod('automount', 'insists', { serviceAccountName: 'quiet', automountServiceAccountToken: true });
  t.is(insists.status, 201, insists.text);
  t.regex(insists.body.spec.volumes[0].name, VOLUME_NAME, 'the pod\'s own word wins');
  t.is(insists.body.spec.containers[0].volumeMounts[0].mountPath, MOUNT_PATH);
});

test('an account that does not exist is refused with kube\'s message', async (t) => {
  await namespace('ghosts');
  const r = await createPod('ghosts', 'haunted', { serviceAccountName: 'ghost' });
  t.is(r.status, 403);
  t.is(r.body.reason, 'Forbidden');
  t.is(r.body.message, 'pods "haunted" is forbidden: error looking up service account ghosts/ghost: serviceaccount "ghost" not found');
  const generated = await call(cluster, 'POST', '/api/v1/namespaces/ghosts/pods', { metadata: { generateName: 'web-' }, spec: { serviceAccountName: 'ghost', containers: [{ name: 'c', image: 'busybox' }] } });
  t.is(generated.body.message, 'pods "web-" is forbidden: error looking up service account ghosts/ghost: serviceaccount "ghost" not found');
  t.is((await call(cluster, 'GET', '/api/v1/namespaces/ghosts/pods/haunted')).status, 404, 'nothing stored');
});

test('the default account is waited for, as the serviceaccount controller may be about to make it; without it the pod is refused', async (t) => {
  await namespace('late', []);
  const started = Date.now();
  const pending = createPod('late', 'patient');
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.is((await call(cluster, 'POST', '/api/v1/namespaces/late/serviceaccounts', { metadata: { name: 'default' } })).status, 201);
  const r = await pending;
  t.is(r.status, 201, r.text);
  t.true(Date.now() - started >= 400);
  t.is(r.body.spec.serviceAccountName, 'default');

  await namespace('never', []);
  const before = Date.now();
  const refused = await createPod('never', 'p');
  t.is(refused.status, 403);
  t.is(refused.body.message, 'pods "p" is forbidden: error looking up service account never/default: serviceaccount "default" not found');
  t.true(Date.now() - before >= 900, 'ten lookups, 100 to 200 ms apart');
});

test('the account\'s imagePullSecrets are copied to a pod that has none', async (t) => {
  await namespace('pulls', [{ metadata: { name: 'default' }, imagePullSecrets: [{ name: 'registry-a' }, { name: 'registry-b' }] }]);
  const copied = await createPod('pulls', 'copied');
  t.is(copied.status, 201, copied.text);
  t.deepEqual(copied.body.spec.imagePullSecrets, [{ name: 'registry-a' }, { name: 'registry-b' }]);
  const own = await createPod('pulls', 'own', { imagePullSecrets: [{ name: 'mine' }] });
  t.deepEqual(own.body.spec.imagePullSecrets, [{ name: 'mine' }], 'the pod\'s own stay, alone');
});

test('a pod may not change its service account', async (t) => {
  await namespace('immutable', [{ metadata: { name: 'default' } }, { metadata: { name: 'other' } }]);
  t.is((await createPod('immutable', 'p')).status, 201);
  const r = await call(cluster, 'PATCH', '/api/v1/namespaces/immutable/pods/p', { spec: { serviceAccountName: 'other' } }, { 'Content-Type': 'application/merge-patch+json' });
  t.is(r.status, 422, r.text);
  t.regex(r.body.message, /pod updates may not change fields other than/);
  t.regex(r.body.message, /spec\.serviceAccountName: "default" -> "other"/);
});

test('a mirror pod gets no account or token, and may not name an account, a secret or a token projection', async (t) => {
  await namespace('static');
  const mirror = { 'kubernetes.io/config.mirror': 'abc123' };
  const plain = await createPod('static', 'mirror', {}, { annotations: mirror });
  t.is(plain.status, 201, plain.text);
  t.falsy(plain.body.spec.serviceAccountName);
  t.falsy(plain.body.spec.volumes);
  const refusals: Array<[Record<string, unknown>, string]> = [
    [{ serviceAccountName: 'default' }, 'a mirror pod may not reference service accounts'],
    [{ volumes: [{ name: 's', secret: { secretName: 'creds' } }] }, 'a mirror pod may not reference secrets'],
    [{ volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }] }, 'a mirror pod may not use ServiceAccountToken volume projections'],
  ];
  for (const [spec, why] of refusals) {
    const r = await createPod('static', 'refused', spec, { annotations: mirror });
    t.is(r.status, 403, why);
    t.is(r.body.message, `pods "refused" is forbidden: ${why}`);
  }
});
