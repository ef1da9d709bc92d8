import test from 'ava';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { eventually } from '../helpers/eventually.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';

// kubectl's `create` subcommands send protobuf: every non-pointer scalar of
// the Go struct travels, zero or not. kube-apiserver decodes into the Go
// struct, so its JSON answer leaves out the zeros of `omitempty` fields; so
// must Skiff, on the create answer and on every read after it.

type J = Record<string, any>;

/**
 * Runs `kubectl create ...` and answers the object the server sent back, as
 * sent: `-o json` would re-encode it through kubectl's own Go structs, which
 * hides any zero field the server kept, so the answer is read from kubectl's
 * -v=10 log of the response body instead.
 */
async function create(cluster: TestCluster, args: string[], kind: string, name: string): Promise<J> {
  const r = await kubectl(cluster, ['create', ...args, '-v=10']);
  if (r.code !== 0) throw new Error(`kubectl create ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  for (const m of r.stderr.matchAll(/"Response Body" body="((?:[^"\\]|\\.)*)"/g)) {
    const body = JSON.parse(JSON.parse(`"${m[1]}"`) as string) as J;
    if (body.kind === kind && body.metadata?.name === name) return body;
  }
  throw new Error(`kubectl create ${args.join(' ')} logged no ${kind} ${name} answer`);
}

const get = async (cluster: TestCluster, resource: string, name: string): Promise<J> =>
  JSON.parse(await kubectlOk(cluster, ['get', resource, name, '-o', 'json'])) as J;

/** Paths of every zero scalar ('', 0, false) in a JSON value. */
function zeros(value: unknown, path = ''): string[] {
  if (value === '' || value === 0 || value === false) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => zeros(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => zeros(v, path ? `${path}.${k}` : k));
  return [];
}

test.serial('objects kubectl creates as protobuf read back without Go zero values, as the create answered', async (t) => {
  const cluster = await startCluster();
  try {
    const check = async (args: string[], kind: string, resource: string, name: string, keptZeros: string[] = []): Promise<J> => {
      const created = await create(cluster, args, kind, name);
      const got = await get(cluster, resource, name);
      t.deepEqual(got, created, `${kind} ${name}: GET answers what create answered`);
      t.deepEqual(zeros(got), keptZeros, `${kind} ${name}: zero values`);
      return got;
    };

    const web = await check(['deployment', 'web', '--image=nginx:1.25', '--port=80'], 'Deployment', 'deployment', 'web');
    const spec = web.spec;
    for (const f of ['minReadySeconds', 'paused']) t.false(f in spec, `spec.${f}`);
    t.is(spec.replicas, 1);
    t.is(spec.progressDeadlineSeconds, 600);
    t.is(spec.revisionHistoryLimit, 10);
    t.false('generation' in spec.template.metadata);
    const pod = spec.template.spec;
    for (const f of ['hostIPC', 'hostNetwork', 'hostPID']) t.false(f in pod, `template.spec.${f}`);
    t.is(pod.terminationGracePeriodSeconds, 30);
    t.deepEqual(pod.securityContext, {}, 'an empty struct stays, as Go writes it');
    const container = pod.containers[0];
    for (const f of ['stdin', 'stdinOnce', 'tty']) t.false(f in container, `containers[0].${f}`);
    t.deepEqual(container.resources, {});
    t.deepEqual(container.ports, [{ containerPort: 80, protocol: 'TCP' }]);

    // A pointer set to zero is kept: replicas is *int32.
    const none = await check(['deployment', 'none', '--image=nginx:1.25', '--replicas=0'], 'Deployment', 'deployment', 'none', ['spec.replicas']);
    t.is(none.spec.replicas, 0);

    const svc = await check(['service', 'clusterip', 'web', '--tcp=80:8080'], 'Service', 'service', 'web');
    for (const f of ['healthCheckNodePort', 'publishNotReadyAddresses', 'externalName', 'loadBalancerIP']) t.false(f in svc.spec, `spec.${f}`);
    t.deepEqual(svc.spec.ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], 'no nodePort: 0');
    t.deepEqual(svc.status, { loadBalancer: {} });

    const np = await check(['service', 'nodeport', 'np', '--tcp=80:8080'], 'Service', 'service', 'np');
    t.true(np.spec.ports[0].nodePort >= 30000);
    t.false('healthCheckNodePort' in np.spec);

    // A map value is never omitted, empty or not.
    const cm = await check(['configmap', 'cm', '--from-literal=a=b', '--from-literal=empty='], 'ConfigMap', 'configmap', 'cm', ['data.empty']);
    t.deepEqual(cm.data, { a: 'b', empty: '' });
    t.false('immutable' in cm);

    const secret = await check(['secret', 'generic', 's', '--from-literal=k=v'], 'Secret', 'secret', 's');
    t.is(secret.type, 'Opaque');
    t.false('immutable' in secret);

    const sa = await check(['serviceaccount', 'sa'], 'ServiceAccount', 'serviceaccount', 'sa');
    t.false('automountServiceAccountToken' in sa);

    // The core group's name is '' in a list: a list's items are never omitted.
    const role = await check(['role', 'r', '--verb=get', '--resource=pods'], 'Role', 'role', 'r', ['rules[0].apiGroups[0]']);
    t.deepEqual(role.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);

    const rb = await check(['rolebinding', 'rb', '--role=r', '--serviceaccount=default:sa'], 'RoleBinding', 'rolebinding', 'rb');
    t.deepEqual(rb.subjects, [{ kind: 'ServiceAccount', name: 'sa', namespace: 'default' }], 'no apiGroup: ""');
    t.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' });
  } finally {
    await cluster.stop();
  }
});

test.serial('rollout undo to a kubectl-created revision reuses its ReplicaSet', async (t) => {
  const cluster = await startCluster({}, { controllers: { controllers: ['replicaset', 'deployment'] } });
  try {
    const revision = (o: J): string | undefined => o.metadata.annotations?.['deployment.kubernetes.io/revision'];
    const replicaSets = async (): Promise<J[]> =>
      (JSON.parse(await kubectlOk(cluster, ['get', 'replicasets', '-l', 'app=web', '-o', 'json'])) as J).items;
    const rolledTo = (rev: string) => eventually(`revision ${rev}`, async () => {
      const d = await get(cluster, 'deployment', 'web');
      return revision(d) === rev && (await replicaSets()).some((rs) => revision(rs) === rev) ? d : undefined;
    });

    await kubectlOk(cluster, ['create', 'deployment', 'web', '--image=nginx:1.25']);
    await rolledTo('1');
    const first = (await replicaSets()).find((rs) => revision(rs) === '1')!;
    await kubectlOk(cluster, ['set', 'image', 'deployment/web', 'nginx=nginx:1.26']);
    await rolledTo('2');
    await kubectlOk(cluster, ['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
    await rolledTo('3');
    t.is((await replicaSets()).length, 3);

    t.regex(await kubectlOk(cluster, ['rollout', 'undo', 'deployment/web', '--to-revision=1']), /deployment.apps\/web rolled back/);
    const d = await rolledTo('4');
    t.is(d.spec.template.spec.containers[0].image, 'nginx:1.25');
    const after = await replicaSets();
    t.is(after.length, 3, 'no new ReplicaSet');
    const reused = after.find((rs) => rs.metadata.uid === first.metadata.uid)!;
    t.is(revision(reused), '4');
    t.is(reused.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
    t.is(reused.metadata.labels['pod-template-hash'], first.metadata.labels['pod-template-hash']);
  } finally {
    await cluster.stop();
  }
});
