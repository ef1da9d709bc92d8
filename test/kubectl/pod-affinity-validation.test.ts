import test from 'ava';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';

let cluster: TestCluster;
test.before(async () => { cluster = await startCluster(); });
test.after.always(async () => { await cluster?.stop(); });

const pod = (name: string, affinity: string) => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: web, rev: r1}
spec:
  containers:
  - name: web
    image: nginx:1.27
  affinity:
${affinity.replace(/^/gm, '    ')}
`;

const NODE_TERM = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0]';

const QA_CASES: Array<{ name: string; affinity: string; message: string }> = [
  {
    name: 'bad-operator',
    affinity: `nodeAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchExpressions:
      - {key: zone, operator: Foo, values: [a]}`,
    message: `${NODE_TERM}.operator: Invalid value: "Foo": not a valid selector operator`,
  },
  {
    name: 'empty-topology-key',
    affinity: `podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
  - labelSelector: {matchLabels: {app: web}}
    topologyKey: ""`,
    message: 'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty',
  },
  {
    name: 'heavy-weight',
    affinity: `nodeAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: 500
    preference:
      matchExpressions:
      - {key: disktype, operator: In, values: [ssd]}`,
    message: 'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 500: must be in the range 1-100',
  },
  {
    name: 'exists-with-values',
    affinity: `nodeAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchExpressions:
      - {key: zone, operator: Exists, values: [a]}`,
    message: `${NODE_TERM}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
  },
  {
    name: 'in-without-values',
    affinity: `nodeAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchExpressions:
      - {key: zone, operator: In}`,
    message: `${NODE_TERM}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
  },
];

for (const { name, affinity, message } of QA_CASES) {
  test(`kubectl create of a pod with ${name} is refused with 422 and kube's message, also with --dry-run=server`, async (t) => {
    for (const extra of [[], ['--dry-run=server']]) {
      // -v=6 makes kubectl log each request with its status line.
      const r = await kubectl(cluster, ['create', '-f', '-', '-v=6', ...extra], pod(name, affinity));
      t.not(r.code, 0, extra.join(' '));
      t.regex(r.stderr, /POST https:\/\/\S+\/api\/v1\/namespaces\/default\/pods\S* 422 Unprocessable Entity/);
      t.true(r.stderr.includes(`The Pod "${name}" is invalid: `), r.stderr);
      t.true(r.stderr.includes(message), r.stderr);
    }
    const get = await kubectl(cluster, ['get', 'pod', name]);
    t.regex(get.stderr, /NotFound/);
  });
}

test('a pod with every kind of affinity is accepted and stored, matchLabelKeys merged into its selector', async (t) => {
  const out = await kubectlOk(cluster, ['create', '-f', '-'], pod('everything', `nodeAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchExpressions:
      - {key: topology.kubernetes.io/zone, operator: In, values: [a, b]}
      - {key: node.example.com/cores, operator: Gt, values: ["4"]}
      - {key: gpu, operator: DoesNotExist}
      matchFields:
      - {key: metadata.name, operator: NotIn, values: [node-9]}
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: 100
    preference:
      matchExpressions:
      - {key: disktype, operator: Exists}
podAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
  - labelSelector: {matchLabels: {app: db}}
    namespaces: [data]
    topologyKey: topology.kubernetes.io/zone
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: 1
    podAffinityTerm:
      labelSelector:
        matchExpressions:
        - {key: app, operator: In, values: [cache]}
      namespaceSelector: {}
      topologyKey: kubernetes.io/hostname
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
  - labelSelector: {matchLabels: {app: web}}
    matchLabelKeys: [rev]
    topologyKey: kubernetes.io/hostname
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: 50
    podAffinityTerm:
      labelSelector: {matchExpressions: [{key: app, operator: Exists}]}
      mismatchLabelKeys: [app]
      topologyKey: topology.kubernetes.io/zone`));
  t.regex(out, /pod\/everything created/);
  const stored = JSON.parse(await kubectlOk(cluster, ['get', 'pod', 'everything', '-o', 'json']));
  const affinity = stored.spec.affinity;
  t.deepEqual(affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields, [{ key: 'metadata.name', operator: 'NotIn', values: ['node-9'] }]);
  t.is(affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight, 1);
  t.deepEqual(affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector, {
    matchLabels: { app: 'web' }, matchExpressions: [{ key: 'rev', operator: 'In', values: ['r1'] }],
  });
  t.deepEqual(affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchExpressions, [
    { key: 'app', operator: 'Exists' }, { key: 'app', operator: 'NotIn', values: ['web'] },
  ]);
});

test('a Deployment whose template has an invalid affinity is refused and not stored', async (t) => {
  const r = await kubectl(cluster, ['create', '-f', '-', '-v=6'], `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: spread
spec:
  replicas: 2
  selector:
    matchLabels: {app: spread}
  template:
    metadata:
      labels: {app: spread}
    spec:
      containers:
      - name: web
        image: nginx:1.27
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 500
            podAffinityTerm:
              labelSelector: {matchLabels: {app: spread}}
              topologyKey: ""
`);
  t.not(r.code, 0);
  t.regex(r.stderr, /POST https:\/\/\S+\/apis\/apps\/v1\/namespaces\/default\/deployments\S* 422 Unprocessable Entity/);
  t.true(r.stderr.includes('The Deployment "spread" is invalid: '), r.stderr);
  const term = 'spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]';
  t.true(r.stderr.includes(`${term}.weight: Invalid value: 500: must be in the range 1-100`), r.stderr);
  t.true(r.stderr.includes(`${term}.podAffinityTerm.topologyKey: Required value: can not be empty`), r.stderr);
  t.regex((await kubectl(cluster, ['get', 'deployment', 'spread'])).stderr, /NotFound/);
});

test('a wrongly typed weight does not decode: 400, as kube-apiserver answers', async (t) => {
  const r = await kubectl(cluster, ['create', '-f', '-', '-v=6'], pod('string-weight', `nodeAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: "high"
    preference: {}`));
  t.not(r.code, 0);
  t.regex(r.stderr, / 400 Bad Request/);
  t.regex(r.stderr, /weight/);
});
