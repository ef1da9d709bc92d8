import test from 'ava';
import { keyValues, loadBalancerSettings, UnsupportedLoadBalancerError } from './annotations.js';
import { targetInstances } from './backends.js';

const A = 'service.beta.kubernetes.io/aws-load-balancer-';
const service = (annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}) => ({
  metadata: { name: 's', namespace: 'ns', annotations },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }], ...spec },
});

test('the defaults: internet-facing, TCP health checks on the traffic port every 30 s with thresholds of 3, clients from everywhere', (t) => {
  const s = loadBalancerSettings(service());
  t.is(s.scheme, 'internet-facing');
  t.deepEqual(s.healthCheck, { protocol: 'TCP', port: 'traffic-port', intervalSeconds: 30, timeoutSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3 });
  t.deepEqual(s.listeners, [{ port: 80, protocol: 'TCP', nodePort: 30080 }]);
  t.deepEqual(s.sourceRanges, []);
  t.false(s.crossZone);
  t.is(s.subnetNames, undefined);
});

test('externalTrafficPolicy Local checks /healthz over HTTP on the healthCheckNodePort every 10 s with thresholds of 2', (t) => {
  const s = loadBalancerSettings(service({}, { externalTrafficPolicy: 'Local', healthCheckNodePort: 31000 }));
  t.deepEqual(s.healthCheck, { protocol: 'HTTP', port: 31000, path: '/healthz', intervalSeconds: 10, timeoutSeconds: 10, healthyThreshold: 2, unhealthyThreshold: 2 });
});

test('annotations override the health check, scheme, subnets, tags, target labels and cross-zone', (t) => {
  const s = loadBalancerSettings(service({
    [`${A}healthcheck-protocol`]: 'https', [`${A}healthcheck-port`]: '8443', [`${A}healthcheck-path`]: '/up', [`${A}healthcheck-interval`]: '5',
    [`${A}healthcheck-timeout`]: '3', [`${A}healthcheck-healthy-threshold`]: '4', [`${A}healthcheck-unhealthy-threshold`]: '6',
    [`${A}internal`]: 'true', [`${A}subnets`]: 'subnet-1, private-a', [`${A}additional-resource-tags`]: 'a=1,b',
    [`${A}target-node-labels`]: 'role=edge', [`${A}cross-zone-load-balancing-enabled`]: 'true',
  }));
  t.deepEqual(s.healthCheck, { protocol: 'HTTPS', port: 8443, path: '/up', intervalSeconds: 5, timeoutSeconds: 3, healthyThreshold: 4, unhealthyThreshold: 6 });
  t.is(s.scheme, 'internal');
  t.deepEqual(s.subnetNames, ['subnet-1', 'private-a']);
  t.deepEqual(s.tags, { a: '1', b: '' });
  t.deepEqual(s.targetNodeLabels, { role: 'edge' });
  t.true(s.crossZone);
  t.is(loadBalancerSettings(service({ [`${A}internal`]: 'false' })).scheme, 'internet-facing');
});

test('types other than nlb are not implemented; values that cannot be used fail with the annotation named', (t) => {
  t.notThrows(() => loadBalancerSettings(service({ [`${A}type`]: 'nlb' })));
  const external = t.throws(() => loadBalancerSettings(service({ [`${A}type`]: 'external', [`${A}nlb-target-type`]: 'ip' })), { instanceOf: UnsupportedLoadBalancerError });
  t.regex(external!.message, /"external" with .*nlb-target-type "ip".*not implemented/);
  t.throws(() => loadBalancerSettings(service({ [`${A}type`]: 'clb' })), { instanceOf: UnsupportedLoadBalancerError });
  t.throws(() => loadBalancerSettings(service({ [`${A}healthcheck-interval`]: 'often' })), { message: /healthcheck-interval/ });
  t.throws(() => loadBalancerSettings(service({ [`${A}cross-zone-load-balancing-enabled`]: 'maybe' })), { message: /cross-zone/ });
  t.throws(() => loadBalancerSettings(service({}, { ports: [{ port: 80, protocol: 'SCTP', nodePort: 30080 }] })), { message: /SCTP is not implemented/ });
});

test('targets: initialized nodes not excluded, not going, not leaving with the autoscaler, carrying the wanted labels', (t) => {
  const node = (name: string, extra: Record<string, any> = {}) => ({
    metadata: { name, labels: { role: 'edge', ...extra.labels }, ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { ...(extra.noProvider ? {} : { providerID: `aws:///us-east-1a/i-${name}` }), taints: extra.taints ?? [] },
  });
  const nodes = [
    node('a'), node('b', { labels: { role: 'web' } }), node('c', { noProvider: true }), node('d', { deleting: true }),
    node('e', { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }),
    node('f', { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'false' } }),
    node('g', { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }] }),
  ];
  t.deepEqual(targetInstances(nodes, {}), ['i-a', 'i-b', 'i-f']);
  t.deepEqual(targetInstances(nodes, keyValues('role=edge')), ['i-a', 'i-f']);
});
