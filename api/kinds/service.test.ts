import test from 'ava';
import type { KObject } from '../kind.js';
import { checkStructure } from '../validation/structural.js';
import { prepareServiceUpdate, service, wantsClusterIP, wantsNodePorts } from './service.js';

const make = (spec: KObject, extra: KObject = {}): KObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', creationTimestamp: new Date().toISOString() }, spec, ...extra,
});

/** Defaults then validation, as a create does (before allocation). */
function create(spec: KObject): { svc: KObject; causes: ReturnType<NonNullable<typeof service.validate>> } {
  const svc = make(spec);
  service.prepareForCreate!(svc);
  service.defaults!(svc);
  return { svc, causes: service.validate!(svc) };
}

const cell = (svc: KObject, column: string) => service.columns.find((c) => c.name === column)!.cell(svc);

test('defaults fill type, affinity, protocols, target ports and traffic policies', (t) => {
  const { svc, causes } = create({ selector: { app: 'web' }, ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }].map((p, i) => ({ name: `p${i}`, ...p })) });
  t.deepEqual(causes, []);
  t.is(svc.spec.type, 'ClusterIP');
  t.is(svc.spec.sessionAffinity, 'None');
  t.is(svc.spec.internalTrafficPolicy, 'Cluster');
  t.is(svc.spec.externalTrafficPolicy, undefined);
  t.deepEqual(svc.spec.ipFamilies, ['IPv4']);
  t.is(svc.spec.ipFamilyPolicy, 'SingleStack');
  t.deepEqual(svc.spec.ports[0], { name: 'p0', port: 80, protocol: 'TCP', targetPort: 80 });
  t.is(svc.spec.ports[1].targetPort, 'dns');
  t.deepEqual(svc.status, { loadBalancer: {} });
});

test('defaults for NodePort, LoadBalancer and ExternalName', (t) => {
  const np = create({ type: 'NodePort', ports: [{ port: 80 }] }).svc;
  t.is(np.spec.externalTrafficPolicy, 'Cluster');
  t.is(np.spec.allocateLoadBalancerNodePorts, undefined);
  const lb = create({ type: 'LoadBalancer', ports: [{ port: 80 }] }).svc;
  t.is(lb.spec.allocateLoadBalancerNodePorts, true);
  t.is(lb.spec.externalTrafficPolicy, 'Cluster');
  const en = create({ type: 'ExternalName', externalName: 'db.example.com' });
  t.deepEqual(en.causes, []);
  t.is(en.svc.spec.ipFamilies, undefined);
  t.is(en.svc.spec.ipFamilyPolicy, undefined);
  t.is(en.svc.spec.internalTrafficPolicy, undefined);
  const affinity = create({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }).svc;
  t.deepEqual(affinity.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
});

test('a clusterIP given alone is mirrored into clusterIPs', (t) => {
  const { svc } = create({ clusterIP: 'None', ports: [] });
  t.deepEqual(svc.spec.clusterIPs, ['None']);
});

test('ports are required except for headless and ExternalName services', (t) => {
  t.deepEqual(create({}).causes.map((c) => c.message), ['spec.ports: Required value']);
  t.deepEqual(create({ clusterIP: 'None' }).causes, []);
  t.deepEqual(create({ type: 'ExternalName', externalName: 'x.example.com' }).causes, []);
});

test('port rules: range, names, protocol, target port', (t) => {
  const { causes } = create({ ports: [
    { port: 0, name: 'Bad_Name' },
    { port: 80, protocol: 'ICMP', targetPort: 'no--way' },
    { port: 81 },
  ] });
  const messages = causes.map((c) => c.message);
  t.true(messages.some((m) => m.startsWith('spec.ports[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label')));
  t.true(messages.includes('spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'));
  t.true(messages.includes('spec.ports[1].name: Required value'));
  t.true(messages.includes('spec.ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'));
  t.true(messages.includes('spec.ports[1].targetPort: Invalid value: "no--way": must not contain consecutive hyphens'));
  t.true(messages.includes('spec.ports[2].name: Required value'));
  const dup = create({ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 80 }] }).causes;
  t.deepEqual(dup.map((c) => c.field), ['spec.ports[1].name', 'spec.ports[1]']);
  t.is(dup[1].reason, 'FieldValueDuplicate');
  // Same port over two protocols is fine.
  t.deepEqual(create({ ports: [{ name: 'a', port: 53 }, { name: 'b', port: 53, protocol: 'UDP' }] }).causes, []);
});

test('type must be one of the four', (t) => {
  const causes = create({ type: 'Magic', ports: [{ port: 80 }] }).causes;
  t.deepEqual(causes.map((c) => c.message), ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']);
});

test('nodePort is forbidden for ClusterIP services', (t) => {
  const causes = create({ ports: [{ port: 80, nodePort: 30080 }] }).causes;
  t.deepEqual(causes.map((c) => c.message), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
  t.deepEqual(create({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }).causes, []);
  const dup = create({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 30080 }] }).causes;
  t.deepEqual(dup.map((c) => c.message), ['spec.ports[1].nodePort: Duplicate value: 30080']);
});

test('externalName is required and must be a DNS name', (t) => {
  t.deepEqual(create({ type: 'ExternalName' }).causes.map((c) => c.message), ['spec.externalName: Required value']);
  t.deepEqual(create({ type: 'ExternalName', externalName: 'db.example.com.' }).causes, []);
  const bad = create({ type: 'ExternalName', externalName: 'Not A Name' }).causes;
  t.is(bad.length, 1);
  t.is(bad[0].field, 'spec.externalName');
  const withIP = create({ type: 'ExternalName', externalName: 'a.b', clusterIP: '10.0.0.1' }).causes;
  t.deepEqual(withIP.map((c) => c.message), ['spec.clusterIPs: Forbidden: may not be set for ExternalName services']);
});

test('clusterIP must be None or an IP', (t) => {
  const causes = create({ clusterIP: 'banana', ports: [{ port: 80 }] }).causes;
  t.deepEqual(causes.map((c) => c.message), ['spec.clusterIPs[0]: Invalid value: "banana": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  t.deepEqual(create({ clusterIP: '10.96.0.10', ports: [{ port: 53 }] }).causes, []);
  const headlessLB = create({ type: 'LoadBalancer', clusterIP: 'None', ports: [{ port: 80 }] }).causes;
  t.deepEqual(headlessLB.map((c) => c.message), ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for LoadBalancer services']);
});

test('session affinity and external IPs', (t) => {
  const causes = create({ sessionAffinity: 'Sticky', externalIPs: ['127.0.0.1', 'x'], ports: [{ port: 80 }] }).causes;
  t.deepEqual(causes.map((c) => c.message), [
    'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
    'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'spec.externalIPs[1]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  const timeout = create({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } }, ports: [{ port: 80 }] }).causes;
  t.deepEqual(timeout.map((c) => c.message), ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400']);
});

test('load balancer only fields', (t) => {
  const causes = create({ loadBalancerSourceRanges: ['10.0.0.0/8'], loadBalancerClass: 'x/y', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] }).causes;
  t.deepEqual(causes.map((c) => c.message), [
    "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
    "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'",
    "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'",
  ]);
  const bad = create({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/99'], ports: [{ port: 80 }] }).causes;
  t.deepEqual(bad.map((c) => c.message), ['spec.LoadBalancerSourceRanges[0]: Invalid value: "10.0.0.0/99": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
  const etp = create({ externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }).causes;
  t.deepEqual(etp.map((c) => c.message), ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services']);
});

test('helpers for the allocator', (t) => {
  t.true(wantsClusterIP(make({ type: 'ClusterIP' })));
  t.false(wantsClusterIP(make({ type: 'ClusterIP', clusterIP: 'None' })));
  t.false(wantsClusterIP(make({ type: 'ExternalName' })));
  t.true(wantsNodePorts(make({ type: 'NodePort' })));
  t.true(wantsNodePorts(make({ type: 'LoadBalancer' })));
  t.false(wantsNodePorts(make({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: false })));
  t.false(wantsNodePorts(make({ type: 'ClusterIP' })));
});

/** An allocated, stored service. */
function stored(spec: KObject): KObject {
  const { svc } = create(spec);
  if (wantsClusterIP(svc)) {
    svc.spec.clusterIP = '10.96.0.7';
    svc.spec.clusterIPs = ['10.96.0.7'];
  }
  if (wantsNodePorts(svc)) svc.spec.ports.forEach((p: KObject, i: number) => { p.nodePort ??= 30000 + i; });
  return svc;
}

function update(old: KObject, change: (svc: KObject) => void): { svc: KObject; causes: ReturnType<NonNullable<typeof service.validate>> } {
  const svc = structuredClone(old);
  change(svc);
  service.defaults!(svc);
  service.prepareForUpdate!(svc, old);
  return { svc, causes: service.validate!(svc, old) };
}

test('clusterIP is immutable but carried over when omitted', (t) => {
  const old = stored({ ports: [{ port: 80 }] });
  const changed = update(old, (s) => { s.spec.clusterIP = '10.96.0.8'; });
  t.deepEqual(changed.causes.map((c) => c.message), ['spec.clusterIPs[0]: Invalid value: ["10.96.0.8"]: may not change once set']);
  const omitted = update(old, (s) => { delete s.spec.clusterIP; delete s.spec.clusterIPs; });
  t.deepEqual(omitted.causes, []);
  t.is(omitted.svc.spec.clusterIP, '10.96.0.7');
  t.deepEqual(omitted.svc.spec.clusterIPs, ['10.96.0.7']);
});

test('switching type drops what the new type does not use', (t) => {
  const np = stored({ type: 'NodePort', ports: [{ port: 80 }] });
  const toClusterIP = update(np, (s) => { s.spec.type = 'ClusterIP'; });
  t.deepEqual(toClusterIP.causes, []);
  t.is(toClusterIP.svc.spec.ports[0].nodePort, undefined);
  t.is(toClusterIP.svc.spec.externalTrafficPolicy, undefined);
  const toExternal = update(stored({ ports: [{ port: 80 }] }), (s) => { s.spec.type = 'ExternalName'; s.spec.externalName = 'x.example.com'; });
  t.deepEqual(toExternal.causes, []);
  t.is(toExternal.svc.spec.clusterIP, undefined);
  t.is(toExternal.svc.spec.ipFamilies, undefined);
  const lb = stored({ type: 'LoadBalancer', ports: [{ port: 80 }] });
  lb.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP' }] } };
  const lbToCluster = update(lb, (s) => { s.spec.type = 'ClusterIP'; });
  t.deepEqual(lbToCluster.causes, []);
  t.is(lbToCluster.svc.spec.allocateLoadBalancerNodePorts, undefined);
  t.deepEqual(lbToCluster.svc.status.loadBalancer, {});
});

test('node ports left out of an update keep their values', (t) => {
  const old = stored({ type: 'NodePort', ports: [{ name: 'http', port: 80 }] });
  const svc = structuredClone(old);
  delete svc.spec.ports[0].nodePort;
  prepareServiceUpdate(svc, old);
  t.is(svc.spec.ports[0].nodePort, 30000);
});

test('structural check accepts a full service and prunes unknown fields', (t) => {
  const { svc } = create({ type: 'LoadBalancer', ports: [{ name: 'h', port: 80, targetPort: 'http', appProtocol: 'http' }], selector: { a: 'b' } });
  svc.spec.bogus = 1;
  const res = checkStructure(svc, service.schema);
  t.deepEqual(res.typeErrors, []);
  t.deepEqual(res.unknownFields, ['spec.bogus']);
  t.is(service.schema.properties!.spec.properties!.ports.patchMergeKey, 'port');
  t.deepEqual(service.schema.properties!.spec.properties!.ports.listMapKeys, ['port', 'protocol']);
  t.is(service.schema.properties!.status.properties!.conditions.patchMergeKey, 'type');
});

test('printer cells', (t) => {
  const svc = stored({ type: 'NodePort', selector: { tier: 'front', app: 'web' }, ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'https', port: 443 }] });
  svc.spec.type = 'ClusterIP';
  svc.spec.ports[1].nodePort = 0;
  t.is(cell(svc, 'Port(s)'), '80:30080/TCP,443/TCP');
  t.is(cell(svc, 'Cluster-IP'), '10.96.0.7');
  t.is(cell(svc, 'External-IP'), '<none>');
  t.is(cell(svc, 'Selector'), 'app=web,tier=front');
  t.is(cell(svc, 'Type'), 'ClusterIP');
  const lb = stored({ type: 'LoadBalancer', ports: [{ port: 80 }] });
  t.is(cell(lb, 'External-IP'), '<pending>');
  lb.status.loadBalancer.ingress = [{ hostname: 'lb.example.com' }, { ip: '5.6.7.8' }];
  t.is(cell(lb, 'External-IP'), '5.6.7.8,lb.example.com');
  lb.spec.externalIPs = ['1.1.1.1'];
  t.is(cell(lb, 'External-IP'), '5.6.7.8,lb.example.com,1.1.1.1');
  const en = create({ type: 'ExternalName', externalName: 'db.example.com' }).svc;
  t.is(cell(en, 'Cluster-IP'), '<none>');
  t.is(cell(en, 'External-IP'), 'db.example.com');
  t.is(cell(en, 'Port(s)'), '<none>');
  t.is(cell(en, 'Selector'), '<none>');
  t.deepEqual(service.columns.map((c) => [c.name, c.priority]), [['Name', 0], ['Type', 0], ['Cluster-IP', 0], ['External-IP', 0], ['Port(s)', 0], ['Age', 0], ['Selector', 1]]);
});

test('field selectors and names', (t) => {
  const svc = stored({ ports: [{ port: 80 }] });
  t.is(service.fields!['spec.type'](svc), 'ClusterIP');
  t.is(service.fields!['spec.clusterIP'](svc), '10.96.0.7');
  t.deepEqual(service.nameRule!('metadata.name', 'web-1'), []);
  t.is(service.nameRule!('metadata.name', '1web').length, 1);
  t.deepEqual(service.shortNames, ['svc']);
  t.deepEqual(service.categories, ['all']);
});
