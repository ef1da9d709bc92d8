import test from 'ava';
import { rfc3339 } from '../../api/time.js';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';
import { kubectl, kubectlOk, kubectlStream } from '../helpers/kubectl.js';

let cluster: TestCluster;
test.before(async () => { cluster = await startCluster({}, { controllers: true }); });
test.after.always(async () => { await cluster?.stop(); });

const DEPLOYMENT = (image: string, replicas = 2) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
        env:
        - name: MODE
          value: prod
`;

const SERVICE = `
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
`;

test.serial('apply creates, re-apply patches through strategic merge', async (t) => {
  const created = await kubectlOk(cluster, ['apply', '-f', '-'], DEPLOYMENT('nginx:1.25') + '---' + SERVICE);
  t.regex(created, /deployment.apps\/web created/);
  t.regex(created, /service\/web created/);
  const same = await kubectlOk(cluster, ['apply', '-f', '-'], DEPLOYMENT('nginx:1.25') + '---' + SERVICE);
  t.regex(same, /deployment.apps\/web unchanged/);
  const changed = await kubectlOk(cluster, ['apply', '-f', '-'], DEPLOYMENT('nginx:1.26', 3));
  t.regex(changed, /deployment.apps\/web configured/);
  const dep = JSON.parse(await kubectlOk(cluster, ['get', 'deployment', 'web', '-o', 'json']));
  t.is(dep.spec.replicas, 3);
  t.is(dep.spec.template.spec.containers[0].image, 'nginx:1.26');
  t.is(dep.spec.template.spec.containers[0].env[0].value, 'prod');
  t.is(dep.metadata.generation, 2);
  t.truthy(dep.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  const svc = JSON.parse(await kubectlOk(cluster, ['get', 'svc', 'web', '-o', 'json']));
  t.regex(svc.spec.clusterIP, /^10\.\d+\.\d+\.\d+$/);
  t.true(svc.spec.ports[0].nodePort >= 30000 && svc.spec.ports[0].nodePort <= 32767);
});

test.serial('get prints the usual columns, wide, json, yaml, -A, -l and --show-labels', async (t) => {
  await kubectlOk(cluster, ['apply', '-f', '-'], `
apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {node-role.kubernetes.io/worker: ""}
---
apiVersion: v1
kind: Pod
metadata:
  name: lone
  labels: {app: lone, tier: cache}
spec:
  containers:
  - name: c
    image: busybox
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv1
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /tmp/pv1}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: rs
spec:
  replicas: 1
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec:
      containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: Endpoints
metadata:
  name: web
subsets:
- addresses: [{ip: 10.1.0.5}]
  ports: [{port: 8080}]
`);
  const header = (out: string) => out.split('\n')[0].trim().split(/\s{2,}/);
  t.deepEqual(header(await kubectlOk(cluster, ['get', 'pods'])), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  t.deepEqual(header(await kubectlOk(cluster, ['get', 'pods', '-o', 'wide'])), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
  t.regex(await kubectlOk(cluster, ['get', 'pods']), /lone\s+0\/1\s+Pending\s+0\s+\d+s/);
  t.deepEqual(header(await kubectlOk(cluster, ['get', 'nodes'])), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
  t.regex(await kubectlOk(cluster, ['get', 'nodes']), /worker-1\s+\S+\s+worker/);
  t.deepEqual(header(await kubectlOk(cluster, ['get', 'svc'])), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  t.regex(await kubectlOk(cluster, ['get', 'svc', 'web']), /web\s+NodePort\s+10\.\S+\s+<none>\s+80:3\d{4}\/TCP/);
  t.deepEqual(header(await kubectlOk(cluster, ['get', 'endpoints'])), ['NAME', 'ENDPOINTS', 'AGE']);
  t.regex(await kubectlOk(cluster, ['get', 'ep', 'web']), /10\.1\.0\.5:8080/);
  t.deepEqual(header(await kubectlOk(cluster, ['get', 'deploy'])), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
  t.deepEqual(header(await kubectlOk(cluster, ['get', 'rs'])), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
  t.regex(header(await kubectlOk(cluster, ['get', 'pv'])).join(' '), /^NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS/);
  t.regex(header(await kubectlOk(cluster, ['get', 'pvc'])).join(' '), /^NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS/);
  const all = await kubectlOk(cluster, ['get', 'pods', '-A']);
  t.deepEqual(header(all).slice(0, 2), ['NAMESPACE', 'NAME']);
  const labelled = await kubectlOk(cluster, ['get', 'pods', '-l', 'tier in (cache,db)', '--show-labels']);
  t.regex(labelled, /LABELS/);
  t.regex(labelled, /app=lone,tier=cache/);
  t.notRegex(await kubectlOk(cluster, ['get', 'pods', '-l', 'tier!=cache']), /lone/);
  const yaml = await kubectlOk(cluster, ['get', 'pod', 'lone', '-o', 'yaml']);
  t.regex(yaml, /^apiVersion: v1\nkind: Pod/m);
  t.regex(yaml, /restartPolicy: Always/);
  const list = JSON.parse(await kubectlOk(cluster, ['get', 'pods', '-o', 'json']));
  t.is(list.kind, 'List');
  t.true(list.items.some((p: any) => p.metadata.name === 'lone'));
});

test.serial('events print with their columns and show up in describe', async (t) => {
  const pod = JSON.parse(await kubectlOk(cluster, ['get', 'pod', 'lone', '-o', 'json']));
  const res = await call(cluster, 'POST', '/api/v1/namespaces/default/events', {
    metadata: { name: 'lone.1' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'lone', uid: pod.metadata.uid, apiVersion: 'v1' },
    reason: 'Scheduled', message: 'Successfully assigned default/lone to worker-1', type: 'Normal',
    source: { component: 'default-scheduler' }, firstTimestamp: rfc3339(Date.now()), lastTimestamp: rfc3339(Date.now()), count: 1,
  });
  t.is(res.status, 201, res.text);
  const events = await kubectlOk(cluster, ['get', 'events']);
  t.deepEqual(events.split('\n')[0].trim().split(/\s{2,}/), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
  t.regex(events, /Normal\s+Scheduled\s+pod\/lone\s+Successfully assigned/);
  const described = await kubectlOk(cluster, ['describe', 'pod', 'lone']);
  t.regex(described, /Name:\s+lone/);
  t.regex(described, /Image:\s+busybox/);
  t.regex(described, /Events:[\s\S]*Scheduled[\s\S]*Successfully assigned default\/lone/);
  t.regex(await kubectlOk(cluster, ['describe', 'deployment', 'web']), /Replicas:\s+3 desired/);
  t.regex(await kubectlOk(cluster, ['describe', 'svc', 'web']), /NodePort:\s+<unset>\s+3\d{4}\/TCP/);
});

test.serial('create, patch, label, annotate and delete', async (t) => {
  t.regex(await kubectlOk(cluster, ['create', 'namespace', 'team']), /namespace\/team created/);
  t.regex(await kubectlOk(cluster, ['create', 'configmap', 'settings', '-n', 'team', '--from-literal=a=1']), /configmap\/settings created/);
  const dup = await kubectl(cluster, ['create', 'configmap', 'settings', '-n', 'team']);
  t.not(dup.code, 0);
  t.regex(dup.stderr, /AlreadyExists|already exists/);
  t.regex(await kubectlOk(cluster, ['patch', 'configmap', 'settings', '-n', 'team', '-p', '{"data":{"b":"2"}}']), /patched/);
  t.regex(await kubectlOk(cluster, ['patch', 'configmap', 'settings', '-n', 'team', '--type=json', '-p', '[{"op":"remove","path":"/data/a"}]']), /patched/);
  t.regex(await kubectlOk(cluster, ['patch', 'deployment', 'web', '--type=merge', '-p', '{"spec":{"replicas":1}}']), /patched/);
  t.regex(await kubectlOk(cluster, ['label', 'configmap', 'settings', '-n', 'team', 'env=prod']), /labeled/);
  t.regex(await kubectlOk(cluster, ['annotate', 'configmap', 'settings', '-n', 'team', 'owner=ops']), /annotated/);
  const cm = JSON.parse(await kubectlOk(cluster, ['get', 'cm', 'settings', '-n', 'team', '-o', 'json']));
  t.deepEqual(cm.data, { b: '2' });
  t.is(cm.metadata.labels.env, 'prod');
  t.is(cm.metadata.annotations.owner, 'ops');
  t.regex(await kubectlOk(cluster, ['label', 'configmap', 'settings', '-n', 'team', 'env-']), /unlabeled/);
  t.regex(await kubectlOk(cluster, ['scale', 'deployment', 'web', '--replicas=4']), /scaled/);
  t.is(JSON.parse(await kubectlOk(cluster, ['get', 'deploy', 'web', '-o', 'json'])).spec.replicas, 4);
  // With a precondition kubectl PUTs the Scale, and Go leaves replicas 0 out of it.
  t.regex(await kubectlOk(cluster, ['scale', 'deployment', 'web', '--current-replicas=4', '--replicas=0']), /scaled/);
  t.is(JSON.parse(await kubectlOk(cluster, ['get', 'deploy', 'web', '-o', 'json'])).spec.replicas, 0);
  t.regex(await kubectlOk(cluster, ['delete', 'configmap', 'settings', '-n', 'team']), /deleted/);
  const gone = await kubectl(cluster, ['get', 'configmap', 'settings', '-n', 'team']);
  t.regex(gone.stderr, /NotFound|not found/);
  t.regex(await kubectlOk(cluster, ['delete', '-f', '-'], DEPLOYMENT('nginx:1.26')), /deployment.apps "web" deleted/);
  t.regex(await kubectlOk(cluster, ['delete', 'pod', 'lone', '--wait=true']), /pod "lone" deleted/);
  await kubectlOk(cluster, ['create', 'configmap', 'leftover', '-n', 'team']);
  t.regex(await kubectlOk(cluster, ['delete', 'namespace', 'team']), /namespace "team" deleted/);
  t.regex((await kubectl(cluster, ['get', 'namespace', 'team'])).stderr, /not found/);
  const recreated = await kubectl(cluster, ['create', 'namespace', 'team']);
  t.is(recreated.code, 0, recreated.stderr);
});

test.serial('generator commands send protobuf and are understood: create deployment, service, secret; run, expose, set image', async (t) => {
  t.regex(await kubectlOk(cluster, ['create', 'deployment', 'gen', '--image=nginx:1.25', '--replicas=2', '--port=80']), /deployment.apps\/gen created/);
  const dep = JSON.parse(await kubectlOk(cluster, ['get', 'deploy', 'gen', '-o', 'json']));
  t.is(dep.spec.replicas, 2);
  t.deepEqual(dep.spec.selector.matchLabels, { app: 'gen' });
  t.is(dep.spec.template.spec.containers[0].image, 'nginx:1.25');
  t.is(dep.spec.template.spec.containers[0].ports[0].containerPort, 80);
  t.is(dep.spec.strategy.type, 'RollingUpdate');
  t.regex(await kubectlOk(cluster, ['create', 'service', 'nodeport', 'gen', '--tcp=80:8080', '--node-port=30080']), /service\/gen created/);
  const svc = JSON.parse(await kubectlOk(cluster, ['get', 'svc', 'gen', '-o', 'json']));
  t.is(svc.spec.type, 'NodePort');
  t.deepEqual(svc.spec.ports.map((p: any) => [p.port, p.targetPort, p.nodePort]), [[80, 8080, 30080]]);
  t.regex(await kubectlOk(cluster, ['create', 'secret', 'generic', 'gen', '--from-literal=password=s3cret']), /secret\/gen created/);
  const secret = JSON.parse(await kubectlOk(cluster, ['get', 'secret', 'gen', '-o', 'json']));
  t.is(Buffer.from(secret.data.password, 'base64').toString(), 's3cret');
  t.is(secret.type, 'Opaque');
  t.regex(await kubectlOk(cluster, ['run', 'runner', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']), /pod\/runner created/);
  t.deepEqual(JSON.parse(await kubectlOk(cluster, ['get', 'pod', 'runner', '-o', 'json'])).spec.containers[0].args, ['sleep', '3600']);
  t.regex(await kubectlOk(cluster, ['expose', 'deployment', 'gen', '--name=gen-internal', '--port=8080']), /exposed/);
  t.regex(await kubectlOk(cluster, ['set', 'image', 'deployment/gen', 'nginx=nginx:1.26']), /image updated/);
  t.regex(await kubectlOk(cluster, ['wait', '--for=jsonpath={.spec.template.spec.containers[0].image}=nginx:1.26', 'deployment/gen', '--timeout=10s']), /condition met/);
  const all = await kubectlOk(cluster, ['get', 'all']);
  t.regex(all, /service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1/);
  t.regex(all, /deployment\.apps\/gen/);
  t.regex(await kubectlOk(cluster, ['api-resources']), /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
  t.regex(await kubectlOk(cluster, ['version']), /Server Version: v1\.32/);
});

test.serial('get -w prints changes as they happen', async (t) => {
  await kubectlOk(cluster, ['create', 'configmap', 'present', '--from-literal=p=1']);
  const watch = kubectlStream(cluster, ['get', 'configmaps', '-w']);
  try {
    await watch.waitFor(/present\s+1\s/);
    await kubectlOk(cluster, ['create', 'configmap', 'watched', '--from-literal=x=1']);
    await watch.waitFor(/watched\s+1\s/);
    await kubectlOk(cluster, ['patch', 'configmap', 'watched', '-p', '{"data":{"y":"2"}}']);
    await watch.waitFor(/watched\s+2\s/);
    t.pass();
  } finally {
    watch.stop();
  }
});

test.serial('explain reads the served OpenAPI', async (t) => {
  t.regex(await kubectlOk(cluster, ['explain', 'pods.spec.containers']), /FIELD:\s+containers/);
  t.regex(await kubectlOk(cluster, ['explain', 'deployment.spec']), /replicas/);
  t.regex(await kubectlOk(cluster, ['explain', 'svc']), /KIND:\s+Service/);
});

test.serial('kubectl reports validation errors from the server', async (t) => {
  const r = await kubectl(cluster, ['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Pod\nspec:\n  containers:\n  - name: c\n    image: busybox\n');
  t.not(r.code, 0);
  t.regex(r.stderr, /is invalid/);
  const unknown = await kubectl(cluster, ['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: typo\nspec:\n  containers:\n  - name: c\n    imagee: busybox\n');
  t.not(unknown.code, 0);
  t.regex(unknown.stderr, /unknown field "spec.containers\[0\].imagee"/);
});
