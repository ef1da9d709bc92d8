import test from 'ava';
import { kinds } from '../../../api/registry.js';
import { createHash } from 'node:crypto';
import { bindingKind } from '../../../api/subresources/binding.js';
import { scaleKind } from '../../../api/subresources/scale.js';
import { buildDefinitions, definitionName, kindDefinitions } from './definitions.js';
import { deployment, fixtureKinds, pod, walk } from './fixtures.js';
import { named, obj, str } from '../../../api/schema.js';
import { openApiV2, openApiV2Json, openApiV2Protobuf } from './v2.js';


type J = Record<string, any>;
const extra = [scaleKind, bindingKind];
const doc = openApiV2(fixtureKinds, extra) as J;

/** kubectl's QueryParamVerifier (v2): the first PATCH carrying the GVK must list the parameter. */
function supportsQueryParam(d: J, gvk: { group: string; version: string; kind: string }, param: string): boolean | 'not found' {
  for (const item of Object.values(d.paths) as J[]) {
    const ext = item.patch?.['x-kubernetes-group-version-kind'];
    if (!ext || ext.group !== gvk.group || ext.version !== gvk.version || ext.kind !== gvk.kind) continue;
    return (item.patch.parameters as J[]).some((p) => p.in === 'query' && p.name === param);
  }
  return 'not found';
}

function assertRefsResolve(t: any, d: J): void {
  let refs = 0;
  walk(d, (node, path) => {
    if (typeof node.$ref !== 'string') return;
    refs++;
    t.true(node.$ref.startsWith('#/definitions/'), `${path}: ${node.$ref}`);
    t.truthy(d.definitions[node.$ref.slice('#/definitions/'.length)], `${path}: ${node.$ref} does not resolve`);
  });
  t.true(refs > 50);
}

test('every kind and its list are definitions carrying their group-version-kind', (t) => {
  for (const k of fixtureKinds) {
    const name = definitionName(k);
    t.deepEqual(doc.definitions[name]['x-kubernetes-group-version-kind'], [{ group: k.group, kind: k.kind, version: k.version }], name);
    const list = doc.definitions[`${name}List`];
    t.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: k.group, kind: `${k.kind}List`, version: k.version }]);
    t.deepEqual(list.properties.items.items, { $ref: `#/definitions/${name}` });
    t.like(list.properties.metadata, { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' });
    t.true(list.properties.metadata.description.startsWith('Standard list metadata'));
    // kubectl explain shows a field's own description: bare standard fields get one.
    t.true(doc.definitions[name].properties.metadata.description.startsWith('Standard object metadata'));
    t.deepEqual(list.required, ['items']);
  }
  t.truthy(doc.definitions['io.k8s.api.storage.v1.StorageClass'], 'an undeclared definition name is derived from the group');
  t.deepEqual(doc.definitions['io.k8s.api.autoscaling.v1.Scale']['x-kubernetes-group-version-kind'], [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }]);
  t.deepEqual(doc.definitions['io.k8s.api.core.v1.Binding']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Binding', version: 'v1' }]);
});

test('apimachinery definitions are published', (t) => {
  for (const n of ['Status', 'StatusDetails', 'StatusCause', 'DeleteOptions', 'Preconditions', 'WatchEvent', 'Patch', 'APIResourceList', 'APIResource', 'ObjectMeta', 'ListMeta', 'OwnerReference']) {
    t.truthy(doc.definitions[`io.k8s.apimachinery.pkg.apis.meta.v1.${n}`], n);
  }
  const deleteGvks = doc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']['x-kubernetes-group-version-kind'];
  t.true(deleteGvks.some((g: J) => g.group === 'apps' && g.version === 'v1' && g.kind === 'DeleteOptions'));
  t.true(deleteGvks.some((g: J) => g.group === '' && g.version === 'v1' && g.kind === 'DeleteOptions'));
  t.deepEqual(doc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.Status']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Status', version: 'v1' }]);
});

test('every $ref resolves, and references carry no type or properties (kubectl\'s v2 parser rejects them)', (t) => {
  assertRefsResolve(t, doc);
  walk(doc.definitions, (node, path) => {
    if (typeof node.$ref === 'string') {
      t.is(node.type, undefined, path);
      t.is(node.properties, undefined, path);
    }
    if (node.type === 'array') t.truthy(node.items, `${path}: an array needs items`);
  });
});

test('containers merge by name, ports by containerPort and protocol, volumes retain keys', (t) => {
  const spec = doc.definitions['io.k8s.api.core.v1.PodSpec'].properties;
  t.like(spec.containers, {
    type: 'array',
    items: { $ref: '#/definitions/io.k8s.api.core.v1.Container' },
    'x-kubernetes-patch-merge-key': 'name',
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-list-type': 'map',
  });
  t.deepEqual(spec.containers['x-kubernetes-list-map-keys'], ['name']);
  const ports = doc.definitions['io.k8s.api.core.v1.Container'].properties.ports;
  t.is(ports['x-kubernetes-patch-merge-key'], 'containerPort');
  t.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  t.is(spec.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  t.is(doc.definitions['io.k8s.api.core.v1.Container'].properties.args['x-kubernetes-list-type'], 'atomic');
  t.is(doc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.ownerReferences['x-kubernetes-patch-merge-key'], 'uid');
  // A field-level strategy sits beside the $ref, not in the shared definition.
  const strategy = doc.definitions['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy;
  t.like(strategy, { $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentStrategy', 'x-kubernetes-patch-strategy': 'retainKeys' });
  t.is(doc.definitions['io.k8s.api.apps.v1.DeploymentStrategy']['x-kubernetes-patch-strategy'], undefined);
});

test('int-or-string and quantities reference their own definitions', (t) => {
  t.like(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { type: 'string', format: 'int-or-string' });
  t.like(doc.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'], { type: 'string' });
  t.like(doc.definitions['io.k8s.api.apps.v1.RollingUpdateDeployment'].properties.maxSurge, {
    $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    description: 'Most pods that may be created over the desired number.',
  });
  t.deepEqual(doc.definitions['io.k8s.api.core.v1.ResourceRequirements'].properties.limits.additionalProperties, { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' });
  t.true(doc.definitions['io.k8s.api.core.v1.PodStatus'].properties.extra['x-kubernetes-preserve-unknown-fields']);
});

test('paths follow kube: operation ids, actions, group-version-kinds', (t) => {
  const p = doc.paths;
  t.is(p['/api/v1/namespaces/{namespace}/pods'].get.operationId, 'listCoreV1NamespacedPod');
  t.is(p['/api/v1/namespaces/{namespace}/pods'].get['x-kubernetes-action'], 'list');
  t.is(p['/api/v1/namespaces/{namespace}/pods'].post.operationId, 'createCoreV1NamespacedPod');
  t.is(p['/api/v1/namespaces/{namespace}/pods'].delete.operationId, 'deleteCollectionCoreV1NamespacedPod');
  t.is(p['/api/v1/namespaces/{namespace}/pods'].delete['x-kubernetes-action'], 'deletecollection');
  t.is(p['/api/v1/pods'].get.operationId, 'listCoreV1PodForAllNamespaces');
  t.is(p['/api/v1/namespaces/{namespace}/pods/{name}'].get.operationId, 'readCoreV1NamespacedPod');
  t.is(p['/api/v1/namespaces/{namespace}/pods/{name}'].put.operationId, 'replaceCoreV1NamespacedPod');
  t.is(p['/api/v1/namespaces/{namespace}/pods/{name}/status'].patch.operationId, 'patchCoreV1NamespacedPodStatus');
  t.is(p['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post.operationId, 'createCoreV1NamespacedPodBinding');
  t.deepEqual(p['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post['x-kubernetes-group-version-kind'], { group: '', kind: 'Binding', version: 'v1' });
  t.is(p['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch.operationId, 'patchAppsV1NamespacedDeployment');
  t.deepEqual(p['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
  const scale = p['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  t.is(scale.get.operationId, 'readAppsV1NamespacedDeploymentScale');
  t.deepEqual(scale.put['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  t.deepEqual(scale.get.responses['200'].schema, { $ref: '#/definitions/io.k8s.api.autoscaling.v1.Scale' });
  t.is(p['/api/v1/namespaces/{name}/finalize'].put.operationId, 'replaceCoreV1NamespaceFinalize');
  t.is(p['/api/v1/namespaces'].get.operationId, 'listCoreV1Namespace');
  t.is(p['/apis/storage.k8s.io/v1/storageclasses/{name}'].delete.operationId, 'deleteStorageV1StorageClass');
  t.deepEqual(p['/apis/storage.k8s.io/v1/storageclasses'].get.tags, ['storage_v1']);
  t.is(p['/api/v1/namespaces/{namespace}/pods/{name}'].delete.operationId, 'deleteCoreV1NamespacedPod');
  t.is(p['/api/v1/namespaces/{name}/status'], p['/api/v1/namespaces/{name}/status']);
  t.falsy(p['/api/v1/namespaces/{namespace}/configmaps/{name}/status'], 'no status path without the subresource');
  t.falsy(p['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/binding']);

  const ids = new Set<string>();
  for (const item of Object.values(p) as J[]) {
    for (const m of ['get', 'put', 'post', 'delete', 'patch']) {
      if (!item[m]) continue;
      t.false(ids.has(item[m].operationId), `duplicate ${item[m].operationId}`);
      ids.add(item[m].operationId);
    }
  }
});

test('query parameters as kube publishes them', (t) => {
  const names = (ps: J[] | undefined) => (ps ?? []).map((p) => p.name);
  const list = doc.paths['/api/v1/namespaces/{namespace}/pods'];
  t.deepEqual(names(list.parameters), ['namespace', 'pretty']);
  for (const n of ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'watch', 'timeoutSeconds', 'allowWatchBookmarks', 'sendInitialEvents']) {
    t.true(names(list.get.parameters).includes(n), n);
  }
  for (const n of ['dryRun', 'fieldManager', 'fieldValidation']) t.true(names(list.post.parameters).includes(n), n);
  t.deepEqual(list.post.parameters[0], { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.api.core.v1.Pod' } });
  const item = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
  t.deepEqual(names(item.parameters), ['name', 'namespace', 'pretty']);
  t.true(item.parameters[0].required);
  for (const n of ['dryRun', 'fieldManager', 'fieldValidation', 'force']) t.true(names(item.patch.parameters).includes(n), n);
  for (const n of ['gracePeriodSeconds', 'propagationPolicy', 'orphanDependents', 'dryRun']) t.true(names(item.delete.parameters).includes(n), n);
  t.deepEqual(item.patch.consumes, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
  t.true(list.get.produces.includes('application/json;stream=watch'));
  t.is(item.patch.parameters.find((p: J) => p.name === 'force').type, 'boolean');
  t.is(list.get.parameters.find((p: J) => p.name === 'limit').type, 'integer');
});

test('kubectl finds fieldValidation on the PATCH of every kind (server-side validation)', (t) => {
  t.is(supportsQueryParam(doc, { group: '', version: 'v1', kind: 'Pod' }, 'fieldValidation'), true);
  for (const k of fixtureKinds) t.is(supportsQueryParam(doc, k, 'fieldValidation'), true, k.kind);
  t.is(supportsQueryParam(doc, { group: '', version: 'v1', kind: 'Nope' }, 'fieldValidation'), 'not found');
});

test('the document is built once and serialized once', (t) => {
  t.is(openApiV2(fixtureKinds, extra), doc);
  t.is(openApiV2(fixtureKinds, [scaleKind, bindingKind]), doc);
  const json = openApiV2Json(fixtureKinds, extra);
  t.is(openApiV2Json(fixtureKinds, extra), json);
  t.deepEqual(JSON.parse(json.body.toString()), doc);
  t.is(json.etag, createHash('sha512').update(json.body).digest('hex').toUpperCase());
  t.is(doc.swagger, '2.0');
  t.deepEqual(doc.security, [{ BearerToken: [] }]);
});

test('a definition declared twice with different shapes is reported; site descriptions stay at the site', (t) => {
  const a = named('x.A', obj({ f: str() }, { description: 'An A.' }));
  const b = named('x.A', obj({ g: str() }, { description: 'An A.' }));
  const root = named('x.Root', obj({ one: a, two: { ...a, description: 'The second A.' }, three: a }));
  t.deepEqual(buildDefinitions([root]).conflicts, []);
  const defs = buildDefinitions([root]).definitions;
  t.is(defs['x.A'].description, 'An A.');
  // A field without a description of its own repeats its type's: kubectl explain lists fields by their own.
  t.deepEqual((defs['x.Root'].properties as J).one, { $ref: '#/definitions/x.A', description: 'An A.' });
  t.deepEqual(buildDefinitions([named('x.L', obj({ l: { type: 'array', items: a } }))]).definitions['x.L'].properties, { l: { type: 'array', items: { $ref: '#/definitions/x.A' } } });
  t.deepEqual((defs['x.Root'].properties as J).two, { $ref: '#/definitions/x.A', description: 'The second A.' });
  t.deepEqual(buildDefinitions([named('x.Root', obj({ a, b }))]).conflicts, ['x.A']);
  t.deepEqual(kindDefinitions(fixtureKinds, extra).conflicts, []);
});

/** A minimal protobuf wire-format reader: field number → values (varints as numbers, the rest as bytes). */
function decode(buf: Uint8Array): Map<number, Array<number | Uint8Array>> {
  const out = new Map<number, Array<number | Uint8Array>>();
  let i = 0;
  const varint = (): number => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = buf[i++];
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let value: number | Uint8Array;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = varint();
      value = buf.subarray(i, i + len);
      i += len;
    } else if (wire === 1) {
      value = buf.subarray(i, i + 8);
      i += 8;
    } else throw new Error(`unexpected wire type ${wire}`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(value);
  }
  return out;
}
const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);
const msgs = (m: Map<number, Array<number | Uint8Array>>, f: number) => (m.get(f) ?? []).map((b) => decode(b as Uint8Array));
const str1 = (m: Map<number, Array<number | Uint8Array>>, f: number) => (m.has(f) ? text(m.get(f)![0]) : undefined);

test('the protobuf form is gnostic\'s openapi.v2.Document with the same content', (t) => {
  const proto = openApiV2Protobuf(fixtureKinds, extra);
  t.is(openApiV2Protobuf(fixtureKinds, extra), proto);
  const d = decode(proto.body);
  t.is(str1(d, 1), '2.0');
  t.is(str1(msgs(d, 2)[0], 1), 'Kubernetes');
  // definitions (9) → NamedSchema (1) {name 1, Schema 2}
  const defs = msgs(msgs(d, 9)[0], 1);
  t.is(defs.length, Object.keys(doc.definitions).length);
  const podDef = defs.find((n) => str1(n, 1) === 'io.k8s.api.core.v1.Pod')!;
  const podSchema = msgs(podDef, 2)[0];
  t.is(str1(msgs(podSchema, 22)[0], 1), 'object');
  const gvkExt = msgs(podSchema, 31).find((e) => str1(e, 1) === 'x-kubernetes-group-version-kind')!;
  t.deepEqual(JSON.parse(str1(msgs(gvkExt, 2)[0], 2)!), [{ group: '', kind: 'Pod', version: 'v1' }]);
  const props = msgs(msgs(podSchema, 25)[0], 1).map((p) => str1(p, 1));
  t.deepEqual(props, Object.keys(doc.definitions['io.k8s.api.core.v1.Pod'].properties));
  // paths (8) → NamedPathItem (2) → PathItem.patch (8) → parameters (8) → Parameter (1) → NonBody (2) → query (3) → name (4)
  const paths = msgs(msgs(d, 8)[0], 2);
  t.is(paths.length, Object.keys(doc.paths).length);
  const item = msgs(paths.find((p) => str1(p, 1) === '/api/v1/namespaces/{namespace}/pods/{name}')!, 2)[0];
  const patchOp = msgs(item, 8)[0];
  t.is(str1(patchOp, 5), 'patchCoreV1NamespacedPod');
  const queryNames = msgs(patchOp, 8).map((pi) => msgs(msgs(pi, 1)[0], 2)[0]).filter(Boolean).map((nb) => msgs(nb, 3)[0]).filter(Boolean).map((q) => str1(q, 4));
  t.true(queryNames.includes('fieldValidation'));
  const opGvk = msgs(patchOp, 13).find((e) => str1(e, 1) === 'x-kubernetes-group-version-kind')!;
  t.deepEqual(JSON.parse(str1(msgs(opGvk, 2)[0], 2)!), { group: '', kind: 'Pod', version: 'v1' });
  // path-level parameters (9): name is a path parameter (4), required (1)
  const nameParam = msgs(msgs(msgs(msgs(item, 9)[0], 1)[0], 2)[0], 4)[0];
  t.is(str1(nameParam, 4), 'name');
  t.deepEqual(nameParam.get(1), [1]);
});

test('the registry\'s kinds give a consistent document', (t) => {
  const d = openApiV2(kinds, extra) as J;
  t.deepEqual(kindDefinitions(kinds, extra).conflicts, [], 'definition names declared twice with different shapes');
  assertRefsResolve(t, d);
  for (const k of kinds) {
    t.truthy(d.definitions[definitionName(k)]?.['x-kubernetes-group-version-kind'], k.kind);
    if (!k.virtual) t.is(supportsQueryParam(d, k, 'fieldValidation'), true, k.kind);
  }
  if (kinds.some((k) => k.kind === 'Pod')) {
    t.is(d.definitions['io.k8s.api.core.v1.PodSpec']?.properties?.containers?.['x-kubernetes-patch-merge-key'], 'name');
  }
});

test('fixture sanity', (t) => {
  t.is(pod.kind, 'Pod');
  t.is(deployment.group, 'apps');
});
