import test from 'ava';
import { kinds } from '../../../api/registry.js';
import { createHash } from 'node:crypto';
import { bindingKind } from '../../../api/subresources/binding.js';
import { scaleKind } from '../../../api/subresources/scale.js';
import { definitionName, groupVersionPath } from './definitions.js';
import { fixtureKinds, walk } from './fixtures.js';
import {
  normalizeGroupVersionPath, openApiV3GroupVersion, openApiV3GroupVersionJson, openApiV3Hash, openApiV3Root, openApiV3RootJson, toV3Schema,
} from './v3.js';


type J = Record<string, any>;
type Gvk = { group: string; version: string; kind: string };
const extra = [scaleKind, bindingKind];
const core = openApiV3GroupVersion(fixtureKinds, extra, 'api/v1') as J;
const apps = openApiV3GroupVersion(fixtureKinds, extra, 'apis/apps/v1') as J;

const sameGvk = (a: J | undefined, b: Gvk) => !!a && a.group === b.group && a.version === b.version && a.kind === b.kind;

/** kubectl's queryParamVerifierV3.HasSupport for one group version's document. */
function supportsQueryParamV3(doc: J, gvk: Gvk, param: string): boolean | 'not found' {
  for (const item of Object.values(doc.paths) as J[]) {
    const op = item.patch;
    if (!op || !sameGvk(op['x-kubernetes-group-version-kind'], gvk)) continue;
    return (op.parameters as J[]).some((p) => p.name === param && p.in === 'query');
  }
  return 'not found';
}

/** kubectl apply's gvkSupportsPatchOpenAPIV3: the PATCH takes strategic merge patches. */
function supportsStrategicMerge(doc: J, gvk: Gvk): boolean {
  for (const item of Object.values(doc.paths) as J[]) {
    if (item.patch && sameGvk(item.patch['x-kubernetes-group-version-kind'], gvk)) {
      return !!item.patch.requestBody?.content?.['application/strategic-merge-patch+json'];
    }
  }
  return false;
}

const resolveRef = (doc: J, ref: unknown): J | undefined =>
  typeof ref === 'string' && ref.startsWith('#/components/schemas/') ? doc.components.schemas[ref.slice('#/components/schemas/'.length)] : undefined;

/**
 * kubectl explain (plaintext template): the GVK of the resource's paths, the
 * schema carrying that GVK, then the field path through properties, items,
 * additionalProperties and allOf. Returns the field's schema.
 */
function explain(doc: J, group: string, version: string, resource: string, fieldPath: string[]): J | undefined {
  const prefix = group ? `/apis/${group}` : '/api';
  const searchPaths = [
    `${prefix}/${version}/${resource}`, `${prefix}/${version}/${resource}/{name}`,
    `${prefix}/${version}/namespaces/{namespace}/${resource}`, `${prefix}/${version}/namespaces/{namespace}/${resource}/{name}`,
  ];
  let gvk: J | undefined;
  for (const p of searchPaths) {
    for (const m of ['get', 'post', 'put', 'patch', 'delete']) {
      gvk ??= doc.paths[p]?.[m]?.['x-kubernetes-group-version-kind'];
    }
  }
  if (!gvk) return undefined;
  const names = Object.keys(doc.components.schemas).sort();
  const name = names.find((n) => (doc.components.schemas[n]['x-kubernetes-group-version-kind'] ?? []).some((g: J) => JSON.stringify(g) === JSON.stringify(gvk)));
  if (!name) return undefined;
  const follow = (schema: J, path: string[]): J | undefined => {
    const resolved = resolveRef(doc, schema.$ref) ?? schema;
    if (!path.length) return resolved;
    if (resolved.properties?.[path[0]]) return follow(resolved.properties[path[0]], path.slice(1));
    if (resolved.items) return follow(resolved.items, path);
    if (resolved.additionalProperties && typeof resolved.additionalProperties === 'object') return follow(resolved.additionalProperties, path);
    for (const s of resolved.allOf ?? []) {
      const found = follow(s, path);
      if (found) return found;
    }
    return undefined;
  };
  return follow(doc.components.schemas[name], fieldPath);
}

/** strategicpatch.PatchMetaFromOpenAPIV3 following fields and list items; returns the patch metadata of the last one. */
function patchMeta(doc: J, gvk: Gvk, fields: string[]): { mergeKey?: string; strategies: string[] } {
  let schema: J = Object.values(doc.components.schemas as Record<string, J>).find((s) => (s['x-kubernetes-group-version-kind'] ?? []).some((g: J) => sameGvk(g, gvk)))!;
  let meta = { mergeKey: undefined as string | undefined, strategies: [] as string[] };
  const resolve = (s: J): J => {
    if (s.allOf?.length) s = s.allOf[0];
    if (s.$ref) {
      const r = resolveRef(doc, s.$ref);
      if (!r) throw new Error(`unable to resolve ${s.$ref}`);
      return r;
    }
    return s;
  };
  for (const f of fields) {
    if (!schema.properties?.[f]) throw new Error(`unable to find api field "${f}"`);
    let sub = schema.properties[f];
    meta = { mergeKey: sub['x-kubernetes-patch-merge-key'], strategies: sub['x-kubernetes-patch-strategy']?.split(',') ?? [] };
    if (sub.items) sub = sub.items;
    schema = resolve(sub);
  }
  return meta;
}

test('the root lists each group version with the hash of its document', (t) => {
  const root = openApiV3Root(fixtureKinds, extra) as J;
  t.deepEqual(Object.keys(root.paths).sort(), ['api/v1', 'apis/apps/v1', 'apis/storage.k8s.io/v1']);
  for (const [path, { serverRelativeURL }] of Object.entries(root.paths) as Array<[string, J]>) {
    const served = openApiV3GroupVersionJson(fixtureKinds, extra, path)!;
    const hash = createHash('sha512').update(served.body).digest('hex').toUpperCase();
    t.is(serverRelativeURL, `/openapi/v3/${path}?hash=${hash}`);
    t.is(openApiV3Hash(fixtureKinds, extra, path), hash);
    t.deepEqual(JSON.parse(served.body.toString()), openApiV3GroupVersion(fixtureKinds, extra, path));
  }
  t.deepEqual(JSON.parse(openApiV3RootJson(fixtureKinds, extra).body.toString()), root);
  // The default extra kinds are the subresource kinds.
  t.is(openApiV3Root(fixtureKinds), root);
});

test('documents are cached and looked up by path in any spelling', (t) => {
  t.is(openApiV3GroupVersion(fixtureKinds, [scaleKind, bindingKind], '/openapi/v3/apis/apps/v1/'), apps);
  t.is(openApiV3GroupVersion(fixtureKinds, extra, '/apis/apps/v1?hash=abc'), apps);
  t.is(normalizeGroupVersionPath('/openapi/v3/api/v1?hash=X'), 'api/v1');
  t.is(openApiV3GroupVersion(fixtureKinds, extra, 'apis/batch/v1'), undefined);
  t.is(openApiV3GroupVersion(fixtureKinds, extra, 'apis/autoscaling/v1'), undefined);
  t.is(openApiV3GroupVersionJson(fixtureKinds, extra, 'api/v2'), undefined);
});

test('each document holds its own group version\'s paths and the definitions they reach', (t) => {
  t.true(Object.keys(core.paths).every((p) => p.startsWith('/api/v1/')));
  t.true(Object.keys(apps.paths).every((p) => p.startsWith('/apis/apps/v1/')));
  t.truthy(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding']);
  t.truthy(core.paths['/api/v1/']);
  t.is(core.paths['/api/v1/'].get.operationId, 'getCoreV1APIResources');
  t.truthy(core.components.schemas['io.k8s.api.core.v1.Binding']);
  t.truthy(core.components.schemas['io.k8s.api.core.v1.Pod']);
  t.falsy(core.components.schemas['io.k8s.api.apps.v1.Deployment']);
  t.truthy(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale'], 'Scale is served under apps/v1 deployments/scale');
  t.truthy(apps.components.schemas['io.k8s.api.core.v1.PodSpec']);
  t.falsy(apps.components.schemas['io.k8s.api.core.v1.Binding']);
  t.truthy(apps.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']);
  t.is(core.openapi, '3.0.0');
  t.truthy(core.components.securitySchemes.BearerToken);
});

test('every $ref resolves; siblings are wrapped in allOf unless only repeating the target\'s description', (t) => {
  for (const doc of [core, apps]) {
    walk(doc, (node, path) => {
      if (typeof node.$ref !== 'string') return;
      const target = resolveRef(doc, node.$ref);
      t.truthy(target, `${path}: ${node.$ref}`);
      const siblings = Object.keys(node).filter((k) => k !== '$ref');
      if (siblings.length) {
        t.deepEqual(siblings, ['description'], path);
        t.is(node.description, target?.description, path);
      }
    });
  }
  // A field description of its own is kept apart from the type's, in allOf.
  const spec = core.components.schemas['io.k8s.api.core.v1.Pod'].properties.spec;
  t.deepEqual(spec, {
    allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }],
    description: 'The desired state of the Pod, as its users declare it.',
  });
  // A field without one repeats its type's beside the $ref.
  t.deepEqual(core.components.schemas['io.k8s.api.core.v1.Container'].properties.resources, {
    $ref: '#/components/schemas/io.k8s.api.core.v1.ResourceRequirements',
    description: 'Compute resources of a container.',
  });
  const strategy = apps.components.schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy;
  t.deepEqual(strategy.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }]);
  t.is(strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  // Used once, the schema's only description is the definition's, and the field repeats it.
  t.is(strategy.description, 'The deployment strategy to use to replace existing pods with new ones.');
  t.is(apps.components.schemas['io.k8s.api.apps.v1.DeploymentStrategy'].description, 'The deployment strategy to use to replace existing pods with new ones.');
  t.deepEqual(toV3Schema({ $ref: '#/definitions/a.B', description: 'd' }), { allOf: [{ $ref: '#/components/schemas/a.B' }], description: 'd' });
  t.deepEqual(toV3Schema({ $ref: '#/definitions/a.B', description: 'd' }, () => 'd'), { $ref: '#/components/schemas/a.B', description: 'd' });
  t.deepEqual(toV3Schema({ $ref: '#/definitions/a.B', description: 'd', 'x-kubernetes-patch-strategy': 'retainKeys' }, () => 'd'), {
    allOf: [{ $ref: '#/components/schemas/a.B' }], description: 'd', 'x-kubernetes-patch-strategy': 'retainKeys',
  });
  t.deepEqual(toV3Schema({ type: 'object', properties: { $ref: { type: 'string' } } }), { type: 'object', properties: { $ref: { type: 'string' } } });
});

test('kinds carry their group-version-kind, operations the same object', (t) => {
  t.deepEqual(core.components.schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  t.deepEqual(core.components.schemas['io.k8s.api.core.v1.PodList']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'PodList', version: 'v1' }]);
  t.deepEqual(core.paths['/api/v1/namespaces/{namespace}/pods'].get['x-kubernetes-group-version-kind'], { group: '', kind: 'Pod', version: 'v1' });
  t.deepEqual(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
});

test('int-or-string and quantity in their v3 form', (t) => {
  t.like(apps.components.schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] });
  t.is(apps.components.schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, undefined);
  t.like(core.components.schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'], { oneOf: [{ type: 'string' }, { type: 'number' }] });
  t.deepEqual(apps.components.schemas['io.k8s.api.apps.v1.RollingUpdateDeployment'].properties.maxSurge.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
});

test('operations in v3 form: parameters with schemas, request bodies, responses by media type', (t) => {
  const item = core.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
  t.deepEqual(item.parameters.map((p: J) => p.name), ['name', 'namespace', 'pretty']);
  t.deepEqual(item.parameters[0], { name: 'name', in: 'path', description: 'The name of the Pod.', required: true, schema: { type: 'string' } });
  t.is(item.patch.operationId, 'patchCoreV1NamespacedPod');
  t.deepEqual(Object.keys(item.patch.requestBody.content), ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
  t.true(item.patch.requestBody.required);
  t.deepEqual(item.put.requestBody.content['*/*'].schema, { $ref: '#/components/schemas/io.k8s.api.core.v1.Pod' });
  t.deepEqual(item.get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/io.k8s.api.core.v1.Pod' });
  t.deepEqual(item.delete.requestBody.content['*/*'].schema, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions' });
  t.is(item.delete.requestBody.required, undefined);
  const list = core.paths['/api/v1/namespaces/{namespace}/pods'].get;
  t.deepEqual(list.responses['200'].content['application/json;stream=watch'].schema, { $ref: '#/components/schemas/io.k8s.api.core.v1.PodList' });
  t.is(list.parameters.find((p: J) => p.name === 'watch').schema.type, 'boolean');
  t.is(list['x-kubernetes-action'], 'list');
});

test('kubectl finds fieldValidation on PATCH of namespaced pods and every other kind', (t) => {
  t.is(supportsQueryParamV3(core, { group: '', version: 'v1', kind: 'Pod' }, 'fieldValidation'), true);
  for (const k of fixtureKinds) {
    const doc = openApiV3GroupVersion(fixtureKinds, extra, groupVersionPath(k)) as J;
    t.is(supportsQueryParamV3(doc, k, 'fieldValidation'), true, k.kind);
    t.true(supportsStrategicMerge(doc, k), k.kind);
  }
  t.is(supportsQueryParamV3(apps, { group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'fieldValidation'), true);
});

test('kubectl explain finds fields through references, lists and allOf', (t) => {
  const containers = explain(core, '', 'v1', 'pods', ['spec', 'containers'])!;
  t.is(containers.type, 'array');
  t.is(containers['x-kubernetes-patch-merge-key'], 'name');
  t.truthy(explain(core, '', 'v1', 'pods', ['spec', 'containers', 'ports', 'containerPort']));
  t.truthy(explain(core, '', 'v1', 'pods', ['spec', 'containers', 'resources', 'limits']));
  t.truthy(explain(core, '', 'v1', 'pods', ['metadata', 'ownerReferences', 'uid']));
  t.truthy(explain(apps, 'apps', 'v1', 'deployments', ['spec', 'strategy', 'rollingUpdate', 'maxSurge']));
  t.truthy(explain(apps, 'apps', 'v1', 'deployments', ['spec', 'template', 'spec', 'containers', 'image']));
  t.is(explain(core, '', 'v1', 'services', [])!['x-kubernetes-group-version-kind'][0].kind, 'Service');
  t.is(explain(core, '', 'v1', 'namespaces', ['status', 'phase'])!.type, 'string');
  const storage = openApiV3GroupVersion(fixtureKinds, extra, 'apis/storage.k8s.io/v1') as J;
  t.is(explain(storage, 'storage.k8s.io', 'v1', 'storageclasses', ['provisioner'])!.type, 'string');
  t.is(explain(core, '', 'v1', 'pods', ['spec', 'nope']), undefined);
});

test('kubectl apply computes strategic merge patches from the v3 schemas', (t) => {
  const deploymentGvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
  t.deepEqual(patchMeta(apps, deploymentGvk, ['spec', 'template', 'spec', 'containers']), { mergeKey: 'name', strategies: ['merge'] });
  t.deepEqual(patchMeta(apps, deploymentGvk, ['spec', 'template', 'spec', 'containers', 'ports']), { mergeKey: 'containerPort', strategies: ['merge'] });
  t.deepEqual(patchMeta(apps, deploymentGvk, ['spec', 'strategy']), { mergeKey: undefined, strategies: ['retainKeys'] });
  t.deepEqual(patchMeta(apps, deploymentGvk, ['spec', 'template', 'spec', 'volumes']), { mergeKey: 'name', strategies: ['merge', 'retainKeys'] });
  t.deepEqual(patchMeta(core, { group: '', version: 'v1', kind: 'Pod' }, ['metadata', 'labels']), { mergeKey: undefined, strategies: [] });
  t.deepEqual(patchMeta(core, { group: '', version: 'v1', kind: 'Service' }, ['spec', 'ports']), { mergeKey: 'port', strategies: ['merge'] });
  // Exactly one schema carries each kind's GVK, as apply's lookup expects.
  for (const doc of [core, apps]) {
    const seen = new Set<string>();
    for (const s of Object.values(doc.components.schemas) as J[]) {
      for (const g of s['x-kubernetes-group-version-kind'] ?? []) {
        const key = `${g.group}/${g.version}/${g.kind}`;
        t.false(seen.has(key), key);
        seen.add(key);
      }
    }
  }
});

test('the registry\'s kinds: every document resolves, verifies and explains', (t) => {
  const root = openApiV3Root(kinds, extra) as J;
  for (const k of kinds) {
    const path = groupVersionPath(k);
    t.truthy(root.paths[path], path);
    const doc = openApiV3GroupVersion(kinds, extra, path) as J;
    t.truthy(doc.components.schemas[definitionName(k)], k.kind);
    // Access reviews are never stored: only their create is published, as kube does.
    if (!k.virtual) {
      t.is(supportsQueryParamV3(doc, k, 'fieldValidation'), true, k.kind);
      t.true(supportsStrategicMerge(doc, k), k.kind);
    } else {
      t.deepEqual(Object.keys(doc.paths).filter((p) => p.endsWith(`/${k.plural}`)).map((p) => Object.keys(doc.paths[p]).filter((m) => m !== 'parameters')), [['post']], k.kind);
    }
    t.truthy(explain(doc, k.group, k.version, k.plural, ['metadata', 'name']), k.kind);
    walk(doc, (node, at) => {
      if (typeof node.$ref === 'string') t.truthy(resolveRef(doc, node.$ref), `${path} ${at}: ${node.$ref}`);
    });
  }
  const pods = kinds.find((k) => k.kind === 'Pod');
  if (pods) {
    const doc = openApiV3GroupVersion(kinds, extra, 'api/v1') as J;
    t.is(explain(doc, '', 'v1', 'pods', ['spec', 'containers'])?.['x-kubernetes-patch-merge-key'], 'name');
  }
  const deployments = kinds.find((k) => k.kind === 'Deployment');
  if (deployments) {
    const doc = openApiV3GroupVersion(kinds, extra, 'apis/apps/v1') as J;
    t.truthy(explain(doc, 'apps', 'v1', 'deployments', ['spec', 'strategy']));
    t.truthy(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  }
});
