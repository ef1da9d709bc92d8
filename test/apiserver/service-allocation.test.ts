import test from 'ava';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';

let cluster: TestCluster;
test.before(async () => { cluster = await startCluster({ serviceClusterIPRange: '10.100.0.0/24', serviceNodePortRange: '31000-31099' }); });
test.after.always(async () => { await cluster?.stop(); });

const SVCS = '/api/v1/namespaces/default/services';
const svc = (name: string, spec: Record<string, unknown> = {}) => ({ metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } });

test.serial('ClusterIPs and NodePorts come from the configured ranges', async (t) => {
  const created = await call(cluster, 'POST', SVCS, svc('auto', { type: 'NodePort' }));
  t.is(created.status, 201, created.text);
  t.regex(created.body.spec.clusterIP, /^10\.100\.0\.\d+$/);
  t.deepEqual(created.body.spec.clusterIPs, [created.body.spec.clusterIP]);
  const port = created.body.spec.ports[0].nodePort;
  t.true(port >= 31000 && port <= 31099);
  t.is(created.body.spec.ports[0].targetPort, 80);
});

test.serial('picked values come from the upper band, leaving the lower one to values users ask for, as kube allocates', async (t) => {
  for (let i = 0; i < 20; i++) {
    const created = await call(cluster, 'POST', SVCS, svc(`banded-${i}`, { type: 'NodePort' }));
    t.is(created.status, 201, created.text);
    // A /24 keeps its first 16 addresses, 100 ports their first 16.
    t.true(Number(created.body.spec.clusterIP.split('.')[3]) >= 16, created.body.spec.clusterIP);
    t.true(created.body.spec.ports[0].nodePort >= 31016, String(created.body.spec.ports[0].nodePort));
  }
  for (let i = 0; i < 20; i++) t.is((await call(cluster, 'DELETE', `${SVCS}/banded-${i}`)).status, 200);
});

test.serial('a clash or an out-of-range request gets 422 and writes nothing', async (t) => {
  t.is((await call(cluster, 'POST', SVCS, svc('fixed', { clusterIP: '10.100.0.10', type: 'NodePort', ports: [{ port: 80, nodePort: 31010 }] }))).status, 201);
  const ipClash = await call(cluster, 'POST', SVCS, svc('clash-ip', { clusterIP: '10.100.0.10' }));
  t.is(ipClash.status, 422);
  t.regex(ipClash.body.message, /already allocated/);
  const portClash = await call(cluster, 'POST', SVCS, svc('clash-port', { type: 'NodePort', ports: [{ port: 80, nodePort: 31010 }] }));
  t.is(portClash.status, 422);
  t.regex(portClash.body.message, /already allocated/);
  const outside = await call(cluster, 'POST', SVCS, svc('outside', { clusterIP: '10.200.0.5' }));
  t.is(outside.status, 422);
  t.regex(outside.body.message, /not in the valid range/);
  const portOutside = await call(cluster, 'POST', SVCS, svc('port-outside', { type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] }));
  t.is(portOutside.status, 422);
  for (const name of ['clash-ip', 'clash-port', 'outside', 'port-outside']) t.is((await call(cluster, 'GET', `${SVCS}/${name}`)).status, 404);
});

test.serial('allocations survive an API server restart and deletion frees them', async (t) => {
  await cluster.restart();
  t.is((await call(cluster, 'POST', SVCS, svc('after-restart', { clusterIP: '10.100.0.10' }))).status, 422);
  t.is((await call(cluster, 'DELETE', `${SVCS}/fixed`)).status, 200);
  const reused = await call(cluster, 'POST', SVCS, svc('reuse', { clusterIP: '10.100.0.10', type: 'NodePort', ports: [{ port: 80, nodePort: 31010 }] }));
  t.is(reused.status, 201, reused.text);
});

test.serial('changing the type releases and claims node ports', async (t) => {
  const created = (await call(cluster, 'POST', SVCS, svc('switch', { type: 'NodePort', ports: [{ port: 80, nodePort: 31077 }] }))).body;
  const toClusterIP = await call(cluster, 'PATCH', `${SVCS}/switch`, { spec: { type: 'ClusterIP' } }, { 'Content-Type': 'application/merge-patch+json' });
  t.is(toClusterIP.status, 200, toClusterIP.text);
  t.is(toClusterIP.body.spec.ports[0].nodePort, undefined);
  t.is(toClusterIP.body.spec.clusterIP, created.spec.clusterIP, 'the ClusterIP is kept');
  t.is((await call(cluster, 'POST', SVCS, svc('takes-port', { type: 'NodePort', ports: [{ port: 80, nodePort: 31077 }] }))).status, 201, 'the freed port can be claimed');
});

test.serial('headless and ExternalName services get no ClusterIP', async (t) => {
  const headless = await call(cluster, 'POST', SVCS, svc('headless', { clusterIP: 'None' }));
  t.is(headless.status, 201, headless.text);
  t.is(headless.body.spec.clusterIP, 'None');
  const ext = await call(cluster, 'POST', SVCS, { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } });
  t.is(ext.status, 201, ext.text);
  t.is(ext.body.spec.clusterIP, undefined);
});

test.serial('a full range answers 422, not a hang', async (t) => {
  const small = await startCluster({ serviceClusterIPRange: '10.101.0.0/29' });
  try {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await call(small, 'POST', SVCS, svc(`s${i}`))).status);
    t.true(codes.slice(0, 4).every((c) => c === 201), JSON.stringify(codes));
    t.true(codes.slice(5).every((c) => c === 422), JSON.stringify(codes));
  } finally {
    await small.stop();
  }
});

test.serial('a LoadBalancer Service with externalTrafficPolicy Local gets a health check node port, released when no longer needed', async (t) => {
  const created = await call(cluster, 'POST', SVCS, svc('local-lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
  t.is(created.status, 201, created.text);
  const hc = created.body.spec.healthCheckNodePort;
  t.true(hc >= 31000 && hc <= 31099, String(hc));
  t.not(hc, created.body.spec.ports[0].nodePort);
  const clash = await call(cluster, 'POST', SVCS, svc('hc-clash', { type: 'NodePort', ports: [{ port: 80, nodePort: hc }] }));
  t.is(clash.status, 422, 'the health check port is taken');
  const toCluster = await call(cluster, 'PATCH', `${SVCS}/local-lb`, { spec: { externalTrafficPolicy: 'Cluster' } }, { 'Content-Type': 'application/merge-patch+json' });
  t.is(toCluster.status, 200, toCluster.text);
  t.is(toCluster.body.spec.healthCheckNodePort, undefined);
  t.is((await call(cluster, 'POST', SVCS, svc('hc-reuse', { type: 'NodePort', ports: [{ port: 80, nodePort: hc }] }))).status, 201, 'the freed port can be claimed');
  const asked = await call(cluster, 'POST', SVCS, svc('hc-asked', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 31090 }));
  t.is(asked.status, 201, asked.text);
  t.is(asked.body.spec.healthCheckNodePort, 31090);
  t.is((await call(cluster, 'DELETE', `${SVCS}/hc-asked`)).status, 200);
  t.is((await call(cluster, 'POST', SVCS, svc('hc-after-delete', { type: 'NodePort', ports: [{ port: 80, nodePort: 31090 }] }))).status, 201, 'deletion frees it');
});
