import test from 'ava';
import { clientCertificate, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';
import { kubectl, kubectlOk } from '../helpers/kubectl.js';

let cluster: TestCluster;
test.before(async () => { cluster = await startCluster(); });
test.after.always(async () => { await cluster?.stop(); });

const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const TABLE = { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };

const slice = (name: string, fields: Record<string, unknown>, service = 'web') => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { name, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'test-controller' } },
  ...fields,
});

test('discovery lists endpointslices in discovery.k8s.io/v1, with no short names or categories', async (t) => {
  const list = await call(cluster, 'GET', '/apis/discovery.k8s.io/v1');
  t.is(list.status, 200, list.text);
  const resource = list.body.resources.find((r: any) => r.name === 'endpointslices');
  t.like(resource, { singularName: 'endpointslice', namespaced: true, kind: 'EndpointSlice' });
  t.is(resource.shortNames, undefined);
  t.is(resource.categories, undefined);
  const groups = (await call(cluster, 'GET', '/apis')).body.groups;
  t.truthy(groups.find((g: any) => g.name === 'discovery.k8s.io'));
  t.regex(await kubectlOk(cluster, ['explain', 'endpointslices.endpoints.conditions']), /serving/);
});

test('create defaults ports and conditions; kubectl and Tables show the slice as kube prints it', async (t) => {
  const created = await call(cluster, 'POST', SLICES, slice('web-a', {
    addressType: 'IPv4',
    endpoints: ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4'].map((ip, i) => ({ addresses: [ip], nodeName: `node-${i}`, ...(i ? { conditions: { ready: true } } : {}) })),
    ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' }],
  }));
  t.is(created.status, 201, created.text);
  t.is(created.body.metadata.generation, 1);
  t.deepEqual(created.body.ports[0], { name: 'http', port: 8080, protocol: 'TCP' });
  t.deepEqual(created.body.endpoints[0].conditions, {});
  t.deepEqual(created.body.endpoints[1].conditions, { ready: true });

  const empty = await call(cluster, 'POST', SLICES, slice('web-empty', { addressType: 'IPv6' }));
  t.is(empty.status, 201, empty.text);
  t.is(empty.body.endpoints, null);
  t.is(empty.body.ports, null);

  const table = await call(cluster, 'GET', SLICES, undefined, TABLE);
  t.is(table.status, 200, table.text);
  t.deepEqual(table.body.columnDefinitions.map((c: any) => c.name), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
  const rows = Object.fromEntries(table.body.rows.map((r: any) => [r.cells[0], r.cells.slice(1, 4)]));
  t.deepEqual(rows['web-a'], ['IPv4', '8080,9090', '10.1.0.1,10.1.0.2,10.1.0.3 + 1 more...']);
  t.deepEqual(rows['web-empty'], ['IPv6', '<unset>', '<unset>']);

  const printed = await kubectlOk(cluster, ['get', 'endpointslices']);
  t.regex(printed, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n/);
  t.regex(printed, /\nweb-a\s+IPv4\s+8080,9090\s+10\.1\.0\.1,10\.1\.0\.2,10\.1\.0\.3 \+ 1 more\.\.\.\s+\d+s\n/);
  t.regex(printed, /\nweb-empty\s+IPv6\s+<unset>\s+<unset>\s+\d+s\n/);
  const byLabel = await kubectlOk(cluster, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'name']);
  t.deepEqual(byLabel.trim().split('\n').sort(), ['endpointslice.discovery.k8s.io/web-a', 'endpointslice.discovery.k8s.io/web-empty']);
});

test('kubectl apply creates and then patches a slice; the generation follows its content', async (t) => {
  const manifest = (ip: string) => `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: api-1
  labels: {kubernetes.io/service-name: api}
addressType: IPv4
endpoints:
- addresses: [${ip}]
  conditions: {ready: true}
ports:
- {name: grpc, port: 9000, protocol: TCP}
`;
  t.regex(await kubectlOk(cluster, ['apply', '-f', '-'], manifest('10.2.0.1')), /endpointslice.discovery.k8s.io\/api-1 created/);
  // Lists are atomic: a manifest that leaves out a defaulted field (protocol) would replace ports on every apply, as with kube.
  t.regex(await kubectlOk(cluster, ['apply', '-f', '-'], manifest('10.2.0.1')), /unchanged/);
  t.regex(await kubectlOk(cluster, ['apply', '-f', '-'], manifest('10.2.0.9')), /configured/);
  const got = JSON.parse(await kubectlOk(cluster, ['get', 'endpointslice', 'api-1', '-o', 'json']));
  t.deepEqual(got.endpoints, [{ addresses: ['10.2.0.9'], conditions: { ready: true } }], 'endpoints is an atomic list: replaced, not merged');
  t.is(got.metadata.generation, 2);
  const annotated = await call(cluster, 'PATCH', `${SLICES}/api-1`, { metadata: { annotations: { note: 'x' } } }, MERGE);
  t.is(annotated.body.metadata.generation, 2, 'annotations leave the generation alone');
  const relabelled = await call(cluster, 'PATCH', `${SLICES}/api-1`, { metadata: { labels: { extra: 'y' } } }, MERGE);
  t.is(relabelled.body.metadata.generation, 3, 'labels count, as in kube');
});

test('invalid slices are 422 with kube\'s causes; addressType is immutable', async (t) => {
  const bad = await call(cluster, 'POST', SLICES, slice('bad', {
    addressType: 'IPv4',
    endpoints: [{ addresses: ['fd00::1'] }, { addresses: [] }],
    ports: [{ name: 'x', port: 1, protocol: 'ICMP' }, { name: 'x', port: 2 }],
  }));
  t.is(bad.status, 422, bad.text);
  t.is(bad.body.reason, 'Invalid');
  t.like(bad.body.details, { name: 'bad', group: 'discovery.k8s.io', kind: 'EndpointSlice' });
  t.deepEqual(bad.body.details.causes.map((c: any) => c.field), ['endpoints[0].addresses[0]', 'endpoints[1].addresses', 'ports[0].protocol', 'ports[1].name']);
  t.regex(bad.body.message, /^EndpointSlice.discovery.k8s.io "bad" is invalid: \[endpoints\[0\]\.addresses\[0\]: Invalid value: "fd00::1": must be a valid IPv4 address/);
  const missing = await call(cluster, 'POST', SLICES, slice('no-type', { endpoints: [{ addresses: ['10.0.0.1'] }] }));
  t.is(missing.status, 422);
  t.deepEqual(missing.body.details.causes, [{ reason: 'FieldValueRequired', field: 'addressType', message: 'Required value' }]);
  t.is((await call(cluster, 'GET', `${SLICES}/bad`)).status, 404);

  t.is((await call(cluster, 'POST', SLICES, slice('fixed', { addressType: 'IPv4', endpoints: [{ addresses: ['10.3.0.1'] }] }, 'db'))).status, 201);
  const changed = await call(cluster, 'PATCH', `${SLICES}/fixed`, { addressType: 'IPv6', endpoints: [{ addresses: ['fd00::3'] }] }, MERGE);
  t.is(changed.status, 422, changed.text);
  t.deepEqual(changed.body.details.causes, [{ reason: 'FieldValueInvalid', field: 'addressType', message: 'Invalid value: "IPv6": field is immutable' }]);
  const current = (await call(cluster, 'GET', `${SLICES}/fixed`)).body;
  const put = await call(cluster, 'PUT', `${SLICES}/fixed`, { ...current, addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com'] }] });
  t.is(put.status, 422, put.text);
  t.is((await call(cluster, 'GET', `${SLICES}/fixed`)).body.addressType, 'IPv4');
  const viaKubectl = await kubectl(cluster, ['patch', 'endpointslice', 'fixed', '--type=merge', '-p', '{"addressType":"FQDN"}']);
  t.not(viaKubectl.code, 0);
  t.regex(viaKubectl.stderr, /addressType: Invalid value: "FQDN": field is immutable/);
  t.is((await call(cluster, 'PUT', `${SLICES}/missing`, slice('missing', { addressType: 'IPv4' }, 'db'))).status, 404, 'no create on update');
});

test('the controller-manager may create slices; a user without a role may not', async (t) => {
  const controller = await clientCertificate(cluster, 'system:kube-controller-manager');
  const made = await call(cluster, 'POST', SLICES, slice('by-controller', { addressType: 'IPv4' }, 'controlled'), {}, { token: null, ...controller });
  t.is(made.status, 201, made.text);
  const nobody = await clientCertificate(cluster, 'nobody');
  const refused = await call(cluster, 'POST', SLICES, slice('by-nobody', { addressType: 'IPv4' }, 'controlled'), {}, { token: null, ...nobody });
  t.is(refused.status, 403, refused.text);
});
