import test from 'ava';
import { arr, free, int32, intOrString, keyedList, map, obj, quantity, str, strMap, type Schema } from '../schema.js';
import { StatusError } from '../status.js';
import { PatchApplyError } from './json-patch.js';
import { applyStrategicMergePatch, goFormat } from './strategic-merge-patch.js';

// A Deployment schema carrying the patch metadata kube-openapi publishes for apps/v1.
const envVar = obj({ name: str(), value: str(), valueFrom: obj({ fieldRef: obj({ fieldPath: str() }) }) });
const port = obj({ name: str(), containerPort: int32(), protocol: str() });
const container = obj({
  name: str(),
  image: str(),
  args: arr(str()),
  env: keyedList(envVar, 'name'),
  ports: keyedList(port, 'containerPort', undefined, ['containerPort', 'protocol']),
  volumeMounts: keyedList(obj({ name: str(), mountPath: str() }), 'mountPath'),
  resources: obj({ limits: map(quantity()), requests: map(quantity()) }),
});
const volume = obj({ name: str(), configMap: obj({ name: str() }), emptyDir: obj({ medium: str() }) });
const meta = obj({
  name: str(),
  labels: strMap(),
  annotations: strMap(),
  finalizers: arr(str(), { patchStrategy: 'merge', listType: 'set' }),
});
const podSpec = obj({
  containers: keyedList(container, 'name'),
  volumes: { ...keyedList(volume, 'name'), patchStrategy: 'merge,retainKeys' },
  tolerations: arr(obj({ key: str(), operator: str(), effect: str() })),
  nodeSelector: strMap(),
});
const deploymentSchema: Schema = obj({
  apiVersion: str(),
  kind: str(),
  metadata: meta,
  spec: obj({
    replicas: int32(),
    selector: obj({ matchLabels: strMap() }),
    strategy: obj({ type: str(), rollingUpdate: obj({ maxSurge: intOrString(), maxUnavailable: intOrString() }) }, { patchStrategy: 'retainKeys' }),
    template: obj({ metadata: meta, spec: podSpec }),
  }),
  status: free(),
});

// The list fixture used throughout apimachinery's tests: merged by name, ints merged as a set.
const item: Schema = obj({
  name: str(), value: str(), other: str(),
  simpleMap: strMap(),
  nonMergingList: arr(obj({ name: str(), value: str() })),
  mergingIntList: arr(int32(), { patchStrategy: 'merge' }),
});
item.properties!.mergingList = keyedList(item, 'name');

type Obj = Record<string, unknown>;
const smp = (original: unknown, patch: unknown, schema: Schema = item) => applyStrategicMergePatch(original, patch, schema);
const names = (list: unknown) => (list as Obj[]).map((c) => c.name);

function liveDeployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, annotations: { 'deployment.kubernetes.io/revision': '3' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'app', image: 'app:v1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }], ports: [{ containerPort: 8080, protocol: 'TCP' }] },
            { name: 'sidecar', image: 'proxy:v1' },
          ],
          tolerations: [{ key: 'a', operator: 'Exists' }],
        },
      },
    },
    status: { replicas: 2, conditions: [{ type: 'Available', status: 'True' }] },
  };
}

test('kubectl apply: containers merged by name in $setElementOrder order, env deleted, label removed', (t) => {
  // The three-way patch kubectl apply computes after the user changed the app
  // image, dropped env B, dropped the tier label and added a metrics container.
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, labels: { tier: null } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }, { name: 'metrics' }],
          containers: [
            { '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }], env: [{ $patch: 'delete', name: 'B' }], image: 'app:v2', name: 'app' },
            { image: 'metrics:v1', name: 'metrics' },
          ],
        },
      },
    },
  };
  const out = smp(liveDeployment(), patch, deploymentSchema);
  const metadata = out.metadata as Obj;
  t.deepEqual(metadata.labels, { app: 'web' });
  t.deepEqual(metadata.annotations, { 'deployment.kubernetes.io/revision': '3', 'kubectl.kubernetes.io/last-applied-configuration': '{}' });
  const containers = ((out.spec as Obj).template as Obj).spec as Obj;
  t.deepEqual(containers.containers, [
    { name: 'app', image: 'app:v2', env: [{ name: 'A', value: '1' }, { name: 'C', value: '3' }], ports: [{ containerPort: 8080, protocol: 'TCP' }] },
    { name: 'sidecar', image: 'proxy:v1' },
    { name: 'metrics', image: 'metrics:v1' },
  ]);
  t.deepEqual(containers.tolerations, [{ key: 'a', operator: 'Exists' }]);
  t.deepEqual(out.status, liveDeployment().status, 'fields the patch does not name are kept');
});

test('kubectl apply: removing a container sends $patch delete with the new order', (t) => {
  const patch = { spec: { template: { spec: {
    '$setElementOrder/containers': [{ name: 'app' }],
    containers: [{ $patch: 'delete', name: 'sidecar' }],
  } } } };
  const out = smp(liveDeployment(), patch, deploymentSchema);
  t.deepEqual(names((((out.spec as Obj).template as Obj).spec as Obj).containers), ['app']);
});

test('kubectl apply: switching to Recreate clears rollingUpdate through $retainKeys', (t) => {
  const patch = { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } };
  const out = smp(liveDeployment(), patch, deploymentSchema);
  t.deepEqual((out.spec as Obj).strategy, { type: 'Recreate' });
});

test('$setElementOrder alone reorders a list', (t) => {
  const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] } } } };
  const out = smp(liveDeployment(), patch, deploymentSchema);
  t.deepEqual(names((((out.spec as Obj).template as Obj).spec as Obj).containers), ['sidecar', 'app']);
});

test('kubectl patch without ordering puts a new container ahead of the existing ones', (t) => {
  // The "patch-demo" walkthrough in the Kubernetes docs shows exactly this result.
  const live = { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr', image: 'nginx' }] } } } };
  const out = smp(live, { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } }, deploymentSchema);
  t.deepEqual((((out.spec as Obj).template as Obj).spec as Obj).containers, [
    { name: 'patch-demo-ctr-2', image: 'redis' },
    { name: 'patch-demo-ctr', image: 'nginx' },
  ]);
});

test('lists without a merge strategy are replaced; nested maps merge', (t) => {
  const patch = { spec: { replicas: 5, template: { spec: { tolerations: [{ key: 'b', operator: 'Equal' }], nodeSelector: { disk: 'ssd' } } } } };
  const out = smp(liveDeployment(), patch, deploymentSchema);
  const spec = out.spec as Obj;
  t.is(spec.replicas, 5);
  t.deepEqual(((spec.template as Obj).spec as Obj).tolerations, [{ key: 'b', operator: 'Equal' }]);
  t.deepEqual(((spec.template as Obj).spec as Obj).nodeSelector, { disk: 'ssd' });
  t.is((((spec.template as Obj).spec as Obj).containers as unknown[]).length, 2);
});

test('ports merge by their numeric merge key', (t) => {
  const patch = { spec: { template: { spec: { containers: [{ name: 'app', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090 }] }] } } } };
  const out = smp(liveDeployment(), patch, deploymentSchema);
  const app = ((((out.spec as Obj).template as Obj).spec as Obj).containers as Obj[])[0];
  t.deepEqual(app.ports, [{ containerPort: 8080, protocol: 'TCP', name: 'http' }, { containerPort: 9090 }]);
});

test('finalizers merge as a set; $deleteFromPrimitiveList removes entries', (t) => {
  const live = { metadata: { finalizers: ['a', 'b'] } };
  t.deepEqual(smp(live, { metadata: { finalizers: ['b', 'c'] } }, deploymentSchema), { metadata: { finalizers: ['a', 'b', 'c'] } });
  t.deepEqual(smp(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, deploymentSchema), { metadata: { finalizers: ['b'] } });
  t.deepEqual(
    smp(live, { metadata: { '$setElementOrder/finalizers': ['c', 'b'], finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] } }, deploymentSchema),
    { metadata: { finalizers: ['c', 'b'] } },
  );
});

test('apimachinery ordering cases', (t) => {
  const original = { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] };
  t.deepEqual(smp(original, { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', other: 'x' }] }), {
    mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', value: 'b', other: 'x' }],
  });
  t.deepEqual(smp(original, { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }] }), {
    mergingList: [{ name: '2', value: 'b' }, { name: '3', value: 'c' }, { name: '1', value: 'a' }],
  });
  t.deepEqual(smp({ mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1] }), { mergingIntList: [2, 3, 1] });
  t.deepEqual(smp({ mergingIntList: [1, 2] }, { mergingIntList: [2, 3] }), { mergingIntList: [1, 2, 3] });
  t.deepEqual(
    smp({ mergingList: [{ name: '1' }, { name: '3' }] }, {
      '$setElementOrder/mergingList': [{ name: '3' }, { name: '2' }, { name: '1' }],
      mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }],
    }),
    { mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
  );
});

test('$patch directives on lists and maps', (t) => {
  t.deepEqual(smp({ mergingList: [{ name: '1' }, { name: '2' }] }, { mergingList: [{ $patch: 'replace' }] }), { mergingList: [] });
  t.deepEqual(
    smp({ mergingList: [{ name: '1', value: 'a' }] }, { mergingList: [{ $patch: 'replace' }, { name: '2' }] }),
    { mergingList: [{ name: '2' }] },
  );
  t.deepEqual(
    smp({ mergingList: [{ name: '1' }, { name: '1' }, { name: '2', value: 'a' }, { name: '3' }, { name: '3' }] },
      { mergingList: [{ name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }] }),
    { mergingList: [{ name: '2', value: 'a' }] },
  );
  t.deepEqual(smp({ simpleMap: { key1: '1', key2: '1' } }, { simpleMap: { $patch: 'delete' } }), { simpleMap: {} });
  t.deepEqual(smp({ name: '1', value: '1' }, { other: 'a', $patch: 'replace' }), { other: 'a' });
  t.deepEqual(smp({ name: '1', simpleMap: { a: 'x' } }, { simpleMap: { $patch: 'merge', b: 'y' } }), { name: '1', simpleMap: { a: 'x', b: 'y' } });
  t.deepEqual(
    smp({ mergingList: [{ name: '1', value: 'a' }] }, { mergingList: [{ name: '1', other: 'b', $patch: 'merge' }] }),
    { mergingList: [{ name: '1', value: 'a', other: 'b' }] },
  );
});

test('a nested merge list inside a new element is built from its patch, directives applied', (t) => {
  const out = smp({}, { mergingList: [{ name: 'x', mergingList: [{ name: 'y' }, { name: 'z', $patch: 'delete' }], simpleMap: { a: null, b: 'c' } }] });
  t.deepEqual(out, { mergingList: [{ name: 'x', mergingList: [{ name: 'y' }], simpleMap: { b: 'c' } }] });
});

test('fields outside the schema fall back to JSON merge patch', (t) => {
  const live = { status: { conditions: [{ type: 'A' }], observed: 1, gone: true }, extra: { a: 1 } };
  const out = smp(live, { status: { conditions: [{ type: 'B', reason: null }], gone: null }, extra: { b: 2 } }, deploymentSchema);
  t.deepEqual(out, { status: { conditions: [{ type: 'B' }], observed: 1 }, extra: { a: 1, b: 2 } });
});

test('inputs are not modified', (t) => {
  const live = liveDeployment();
  const patch = { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:v9' }] } } }, metadata: { labels: { app: null } } };
  const patchCopy = structuredClone(patch);
  smp(live, patch, deploymentSchema);
  t.deepEqual(live, liveDeployment());
  t.deepEqual(patch, patchCopy);
});

test('a null patch changes nothing; a non-object patch is a 400', (t) => {
  t.deepEqual(smp(liveDeployment(), null, deploymentSchema), liveDeployment());
  const err = t.throws(() => smp(liveDeployment(), [1], deploymentSchema), { instanceOf: StatusError });
  t.is(err?.code, 400);
  t.is(err?.message, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
});

test('malformed directives are 400 BadRequest with Kubernetes wording', (t) => {
  const cases: Array<[unknown, unknown, string | RegExp]> = [
    [{ mergingList: [{ name: '1' }] }, { mergingList: [{ $patch: 'delete' }] }, 'map: map[$patch:delete] does not contain declared merge key: name'],
    [{ mergingList: [{ name: '1' }] }, { mergingList: [{ value: 'x' }] }, 'map: map[value:x] does not contain declared merge key: name'],
    [{}, { $patch: 'explode' }, 'unknown patch type: explode in map: map[$patch:explode]'],
    [{ name: 'a' }, { $retainKeys: ['name'], value: 'x' }, 'invalid patch format of retainKeys'],
    [{ name: 'a' }, { $retainKeys: 'name' }, 'invalid patch format of retainKeys'],
    [{}, { $deleteFromPrimitiveList: ['x'] }, 'invalid patch format of primitive list'],
    [{}, { $setElementOrder: [] }, 'invalid patch format of setElementOrder list'],
    [{ mergingIntList: [1] }, { mergingIntList: ['a'] }, /^list element types are not identical/],
    [{ mergingList: [{ name: '1' }, { name: '3' }, { name: '2' }] }, {
      '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }],
      mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }],
    }, /doesn't match \$setElementOrder list/],
  ];
  for (const [original, patch, message] of cases) {
    const err = t.throws(() => smp(original, patch), { instanceOf: StatusError }, JSON.stringify(patch));
    t.is(err?.code, 400, JSON.stringify(patch));
    t.is(err?.reason, 'BadRequest');
    if (typeof message === 'string') t.is(err?.message, message);
    else t.regex(err?.message ?? '', message);
  }
});

test('lists of lists are refused with 422 like kube-apiserver', (t) => {
  const err = t.throws(() => smp({ mergingIntList: [[1]] }, { mergingIntList: [[2]] }), { instanceOf: PatchApplyError });
  t.is(err?.code, 422);
  t.is(err?.why, 'lists of lists are not supported');
});

test('goFormat renders values like Go %v', (t) => {
  t.is(goFormat({ b: [1, 'x'], a: null }), 'map[a:<nil> b:[1 x]]');
});
