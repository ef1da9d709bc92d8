import test from 'ava';
import { startCluster, type TestCluster } from '../helpers/apiserver.js';
import { call } from '../helpers/http.js';

// Two node ports only, so a random pick that could take the asked health check port would show.
let cluster: TestCluster;
test.before(async () => { cluster = await startCluster({ serviceNodePortRange: '31000-31001' }); });
test.after.always(async () => { await cluster?.stop(); });

const SVCS = '/api/v1/namespaces/default/services';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const lb = (name: string, spec: Record<string, unknown> = {}) =>
  ({ metadata: { name }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { app: name }, ports: [{ port: 80 }], ...spec } });

test.serial('a node port is never picked from under the health check port the Service asks for', async (t) => {
  for (let i = 0; i < 10; i++) {
    const created = await call(cluster, 'POST', SVCS, lb('web', { healthCheckNodePort: 31000 }));
    t.is(created.status, 201, created.text);
    t.is(created.body.spec.ports[0].nodePort, 31001);
    t.is((await call(cluster, 'DELETE', `${SVCS}/web`)).status, 200);
  }
});

test.serial('one port asked as a node port and as the health check port is 422, not 500', async (t) => {
  const both = await call(cluster, 'POST', SVCS, lb('same', { healthCheckNodePort: 31000, ports: [{ port: 80, nodePort: 31000 }] }));
  t.is(both.status, 422, both.text);
  t.regex(both.body.message, /spec\.healthCheckNodePort: Invalid value: 31000: provided port is already allocated/);
  t.is((await call(cluster, 'GET', `${SVCS}/same`)).status, 404, 'nothing written');
});

test.serial('a node port given up and taken as the health check port in one update stays the Service\'s', async (t) => {
  const created = await call(cluster, 'POST', SVCS, { metadata: { name: 'moving' }, spec: { type: 'NodePort', selector: { app: 'm' }, ports: [{ port: 80, nodePort: 31000 }] } });
  t.is(created.status, 201, created.text);
  const moved = await call(cluster, 'PATCH', `${SVCS}/moving`, {
    spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 31000, ports: [{ port: 80, nodePort: 31001 }] },
  }, MERGE);
  t.is(moved.status, 200, moved.text);
  t.is(moved.body.spec.healthCheckNodePort, 31000);
  t.is(moved.body.spec.ports[0].nodePort, 31001);
  const clash = await call(cluster, 'POST', SVCS, { metadata: { name: 'other' }, spec: { type: 'NodePort', selector: { app: 'o' }, ports: [{ port: 80, nodePort: 31000 }] } });
  t.is(clash.status, 422, 'the health check port is held');
  t.is((await call(cluster, 'DELETE', `${SVCS}/moving`)).status, 200);
  const free = await call(cluster, 'POST', SVCS, { metadata: { name: 'other' }, spec: { type: 'NodePort', selector: { app: 'o' }, ports: [{ port: 80, nodePort: 31000 }] } });
  t.is(free.status, 201, 'deletion released both');
});
