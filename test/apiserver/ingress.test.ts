import test from 'ava';
import { ApiError } from '../../client/api-error.js';
import type { AnyObject } from '../../client/resource.js';
import { INGRESS_CLASSES, INGRESSES, NAMESPACES, REPLICATION_CONTROLLERS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';

type Spec = Record<string, any>;
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';

let cluster: TestCluster;
let client: RestClient;
test.before(async () => {
  cluster = await startCluster();
  client = adminClient(cluster);
  for (const name of ['ing-columns', 'ing-cli', 'ing-invalid', 'ing-default']) await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
});
test.after.always(async () => {
  client?.close();
  await cluster?.stop();
});

const ingress = (ns: string, name: string, spec: Spec, annotations?: Record<string, string>): AnyObject => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) }, spec,
});
const path = (p: Spec = {}) => ({ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } }, ...p });
const ingressClass = (name: string, isDefault: boolean, spec: Spec = {}): AnyObject => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
  metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
  spec: { controller: 'example.com/ingress-controller', ...spec },
});

/** A cause as kube prints it in the Status message: the field, then what is wrong. */
const cause = (c: { field?: string; message?: string }) => `${c.field}: ${c.message}`;

async function refusal(create: Promise<unknown>): Promise<ApiError> {
  const err = await create.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof ApiError)) throw new Error(`expected an API error, got ${String(err)}`);
  return err;
}

test('kubectl api-resources lists the kinds with their short names, scope and verbs', async (t) => {
  const out = await kubectlOk(cluster, ['api-resources', '-o', 'wide']);
  const row = (name: string) => out.split('\n').find((l) => l.split(/\s+/)[0] === name)?.split(/\s{2,}/);
  t.deepEqual(row('replicationcontrollers')?.slice(0, 5), ['replicationcontrollers', 'rc', 'v1', 'true', 'ReplicationController']);
  t.is(row('replicationcontrollers')![5], 'create,delete,deletecollection,get,list,patch,update,watch');
  t.is(row('ingresses')![5], 'create,delete,deletecollection,get,list,patch,update,watch');
  t.deepEqual(row('ingresses')?.slice(0, 5), ['ingresses', 'ing', 'networking.k8s.io/v1', 'true', 'Ingress']);
  t.deepEqual(row('ingressclasses')?.slice(0, 4), ['ingressclasses', 'networking.k8s.io/v1', 'false', 'IngressClass']);
  t.regex(await kubectlOk(cluster, ['explain', 'ingress.spec.rules.http.paths.pathType']), /Exact, Prefix or ImplementationSpecific/);
});

test('kubectl get rc,ing,ingressclass -o wide prints kube\'s columns', async (t) => {
  const ns = 'ing-columns';
  await client.create(INGRESS_CLASSES, ingressClass('nginx', false, { parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } }));
  await client.create(INGRESSES, ingress(ns, 'site', {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['a.example.com'], secretName: 'site-tls' }],
    rules: ['a', 'b', 'c', 'd'].map((h) => ({ host: `${h}.example.com`, http: { paths: [path()] } })),
  }));
  await client.create(REPLICATION_CONTROLLERS, {
    apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'web', namespace: ns },
    spec: { replicas: 2, template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'side', image: 'busybox:1.36' }] } } },
  });
  const out = await kubectlOk(cluster, ['get', 'rc,ing,ingressclass', '-n', ns, '-o', 'wide']);
  const lines = out.split('\n').filter(Boolean).map((l) => l.split(/\s{2,}/));
  t.deepEqual(lines[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
  t.deepEqual([...lines[1].slice(0, 4), ...lines[1].slice(5)], ['replicationcontroller/web', '2', '0', '0', 'nginx,side', 'nginx:1.27,busybox:1.36', 'app=web,tier=front']);
  const ingHeader = lines.findIndex((l) => l[1] === 'CLASS');
  t.deepEqual(lines[ingHeader], ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
  t.deepEqual(lines[ingHeader + 1].slice(0, 4), ['ingress.networking.k8s.io/site', 'nginx', 'a.example.com,b.example.com,c.example.com + 1 more...', '80, 443']);
  const classHeader = lines.findIndex((l) => l[1] === 'CONTROLLER');
  t.deepEqual(lines[classHeader], ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE']);
  t.deepEqual(lines[classHeader + 1].slice(0, 3), ['ingressclass.networking.k8s.io/nginx', 'example.com/ingress-controller', 'IngressParameters.k8s.example.com/external-lb']);

  // The address appears once something (an ingress controller) writes the status subresource.
  const stored = await client.get(INGRESSES, 'site', { namespace: ns });
  const badStatus = await refusal(client.updateStatus(INGRESSES, { ...stored, status: { loadBalancer: { ingress: [{ ip: '203.0.113.300' }, { hostname: '203.0.113.11' }] } } }));
  t.is(badStatus.code, 422);
  t.deepEqual(badStatus.details?.causes?.map(cause).filter((m) => !m.includes('RFC 1123')), [
    'status.loadBalancer.ingress[0].ip: Invalid value: "203.0.113.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    'status.loadBalancer.ingress[1].hostname: Invalid value: "203.0.113.11": must be a DNS name, not an IP address',
  ]);
  await client.updateStatus(INGRESSES, { ...stored, status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } } });
  t.regex(await kubectlOk(cluster, ['get', 'ing', 'site', '-n', ns]), /site\s+nginx\s+\S+ \+ 1 more\.\.\.\s+203\.0\.113\.10\s+80, 443\s+/);
  t.regex(await kubectlOk(cluster, ['get', 'ing', '-n', ns, 'site', '-o', 'jsonpath={.spec.ingressClassName}']), /^nginx$/);
});

test('kubectl create ingress (sent as protobuf) stores the rules, TLS and class it asked for', async (t) => {
  const ns = 'ing-cli';
  await kubectlOk(cluster, ['create', 'ingress', 'cli', '-n', ns, '--class=nginx', '--rule=foo.example.com/api*=api:8080,tls=foo-tls', '--rule=/=web:http', '--annotation=team=a']);
  const stored = await client.get(INGRESSES, 'cli', { namespace: ns });
  t.deepEqual(stored.metadata.annotations, { team: 'a' });
  t.deepEqual(stored.spec, {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['foo.example.com'], secretName: 'foo-tls' }],
    rules: [
      { host: 'foo.example.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 8080 } } } }] } },
      { http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'web', port: { name: 'http' } } } }] } },
    ],
  });
});

test('invalid Ingresses are refused with 422 and kube\'s messages', async (t) => {
  const ns = 'ing-invalid';
  const badPathType = await refusal(client.create(INGRESSES, ingress(ns, 'bad-path-type', { rules: [{ host: 'a.example.com', http: { paths: [path({ pathType: 'Regex' })] } }] })));
  t.is(badPathType.code, 422);
  t.is(badPathType.message, 'Ingress.networking.k8s.io "bad-path-type" is invalid: spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"');

  const badHost = await refusal(client.create(INGRESSES, ingress(ns, 'bad-host', { rules: [{ host: 'foo.*.example.com', http: { paths: [path()] } }, { host: 'Web_Site', http: { paths: [path()] } }] })));
  t.is(badHost.code, 422);
  t.deepEqual(badHost.details?.causes?.map(cause), [
    "spec.rules[0].host: Invalid value: \"foo.*.example.com\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    "spec.rules[1].host: Invalid value: \"Web_Site\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  const ipHost = await refusal(client.create(INGRESSES, ingress(ns, 'ip-host', { rules: [{ host: '10.0.0.1', http: { paths: [path()] } }] })));
  t.is(ipHost.details?.causes?.map(cause)[0], 'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address');

  const cases: Array<[Spec, string[]]> = [
    [{}, ['spec: Invalid value: null: either `defaultBackend` or `rules` must be specified']],
    [{ rules: [{ http: { paths: [path({ path: 'api' })] } }] }, ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path']],
    [{ rules: [{ http: { paths: [path({ path: '/a//b' }), { path: '/' }] } }] }, [
      'spec.rules[0].http.paths[0].path: Invalid value: "/a//b": must not contain \'//\'',
      'spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified',
    ]],
    [{ defaultBackend: { service: { name: 'web', port: { name: 'http', number: 80 } } } }, ['spec.defaultBackend: Invalid value: "": cannot set both port name & port number']],
    [{ defaultBackend: { service: { name: 'web' } } }, ['spec.defaultBackend: Required value: port name or number is required']],
    [{ defaultBackend: { resource: { kind: 'Bucket', name: 'static' }, service: { name: 'web', port: { number: 80 } } } }, ['spec.defaultBackend: Invalid value: "": cannot set both resource and service backends']],
    [{ defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'Bucket', name: 'static' } }, tls: [{ hosts: ['*.example.com'], secretName: 'Bad_Name' }] }, [
      "spec.tls[0].secretName: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]],
  ];
  for (const [spec, messages] of cases) {
    const err = await refusal(client.create(INGRESSES, ingress(ns, 'case', spec)));
    t.is(err.code, 422, JSON.stringify(spec));
    t.deepEqual(err.details?.causes?.map(cause), messages, JSON.stringify(spec));
  }
  const mismatch = await refusal(client.create(INGRESSES, ingress(ns, 'mismatch', { ingressClassName: 'a', defaultBackend: path().backend }, { 'kubernetes.io/ingress.class': 'b' })));
  t.is(mismatch.details?.causes?.map(cause)[0], 'metadata.annotations.kubernetes.io/ingress.class: Invalid value: "b": must match `ingressClassName` when both are specified');

  // kubectl reports the same refusal.
  const r = await kubectl(cluster, ['create', 'ingress', 'cli', '-n', ns, '--rule=Bad_Host/=web:80']);
  t.not(r.code, 0);
  t.regex(r.stderr, /spec\.rules\[0\]\.host: Invalid value: "Bad_Host"/);

  // The wildcard host a create accepts, with every pathType.
  const ok = await client.create(INGRESSES, ingress(ns, 'wildcard', { rules: [{ host: '*.example.com', http: { paths: [path({ pathType: 'Exact', path: '/x' }), path({ pathType: 'ImplementationSpecific', path: undefined })] } }] }));
  t.is(ok.spec.rules[0].host, '*.example.com');
});

test('IngressClass validation: a domain-prefixed, immutable controller and scoped parameters', async (t) => {
  const bad = await refusal(client.create(INGRESS_CLASSES, ingressClass('bad', false, { controller: 'nginx', parameters: { kind: 'P', name: 'p', scope: 'Namespace' } })));
  t.deepEqual(bad.details?.causes?.map(cause), [
    'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
    'spec.parameters.namespace: Required value: `parameters.scope` is set to \'Namespace\'',
  ]);
  const created = await client.create(INGRESS_CLASSES, ingressClass('scoped', false, { parameters: { kind: 'P', name: 'p' } }));
  t.is(created.spec.parameters.scope, 'Cluster');
  const changed = await refusal(client.update(INGRESS_CLASSES, { ...created, spec: { ...created.spec, controller: 'example.com/other' } }));
  t.is(changed.details?.causes?.map(cause)[0], 'spec.controller: Invalid value: "example.com/other": field is immutable');
});

test('DefaultIngressClass admission gives a new Ingress without a class the newest default class', async (t) => {
  const ns = 'ing-default';
  const backend = path().backend;
  const before = await client.create(INGRESSES, ingress(ns, 'before', { defaultBackend: backend }));
  t.is(before.spec.ingressClassName, undefined);

  await client.create(INGRESS_CLASSES, ingressClass('old-default', true));
  await new Promise((r) => setTimeout(r, 1100));
  await client.create(INGRESS_CLASSES, ingressClass('new-default', true));
  const defaulted = await client.create(INGRESSES, ingress(ns, 'defaulted', { defaultBackend: backend }));
  t.is(defaulted.spec.ingressClassName, 'new-default');
  const named = await client.create(INGRESSES, ingress(ns, 'named', { ingressClassName: 'nginx', defaultBackend: backend }));
  t.is(named.spec.ingressClassName, 'nginx');
  const annotated = await client.create(INGRESSES, ingress(ns, 'annotated', { defaultBackend: backend }, { 'kubernetes.io/ingress.class': 'legacy' }));
  t.is(annotated.spec.ingressClassName, undefined);

  // Only creates are admitted: an update leaves an Ingress without a class as it is.
  const updated = await client.update(INGRESSES, { ...before, metadata: { ...before.metadata, labels: { touched: 'yes' } } } as AnyObject);
  t.is(updated.spec.ingressClassName, undefined);
  t.regex(await kubectlOk(cluster, ['get', 'ing', 'defaulted', '-n', ns]), /defaulted\s+new-default\s+\*\s+80/);
});
