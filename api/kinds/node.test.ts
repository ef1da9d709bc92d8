import test from 'ava';
import type { KObject } from '../kind.js';
import { checkStructure } from '../validation/structural.js';
import { node, nodeRoles, nodeStatus } from './node.js';

const make = (extra: KObject = {}): KObject => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name: 'ip-10-0-1-23.ec2.internal', creationTimestamp: new Date(Date.now() - 2 * 86400_000).toISOString(), labels: { 'kubernetes.io/hostname': 'ip-10-0-1-23' } },
  ...extra,
});

const registered = (): KObject => make({
  spec: { podCIDR: '10.244.1.0/24', providerID: 'aws:///us-east-1a/i-0abc' },
  status: {
    capacity: { cpu: '2', memory: '8009812Ki', pods: '110' },
    conditions: [
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
      { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString() },
    ],
    addresses: [{ type: 'InternalIP', address: '10.0.1.23' }, { type: 'Hostname', address: 'ip-10-0-1-23' }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: 'm', systemUUID: 'u', bootID: 'b', kernelVersion: '6.1.0-aws', osImage: 'Amazon Linux 2023', containerRuntimeVersion: 'containerd://1.7.11',
      kubeletVersion: 'v1.31.0', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'arm64',
    },
    images: [{ names: ['nginx:1.27'], sizeBytes: 12345 }],
  },
});

const cell = (n: KObject, column: string) => node.columns.find((c) => c.name === column)!.cell(n);

test('defaults: podCIDRs from podCIDR, allocatable from capacity', (t) => {
  const n = registered();
  node.prepareForCreate!(n);
  node.defaults!(n);
  t.deepEqual(n.spec.podCIDRs, ['10.244.1.0/24']);
  t.deepEqual(n.status.allocatable, { cpu: '2', memory: '8009812Ki', pods: '110' });
  t.is(n.status.conditions.length, 2, 'a registering node keeps its status');
  t.deepEqual(node.validate!(n), []);
  t.deepEqual(checkStructure(n, node.schema), { typeErrors: [], unknownFields: [] });
});

test('columns as kubectl prints nodes', (t) => {
  const n = registered();
  n.metadata.labels['node-role.kubernetes.io/control-plane'] = '';
  n.metadata.labels['node-role.kubernetes.io/worker'] = 'true';
  t.deepEqual(node.columns.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Status', 0], ['Roles', 0], ['Age', 0], ['Version', 0],
    ['Internal-IP', 1], ['External-IP', 1], ['OS-Image', 1], ['Kernel-Version', 1], ['Container-Runtime', 1],
  ]);
  t.deepEqual(node.columns.map((c) => c.cell(n)), [
    'ip-10-0-1-23.ec2.internal', 'Ready', 'control-plane,worker', '2d', 'v1.31.0', '10.0.1.23', '<none>', 'Amazon Linux 2023', '6.1.0-aws', 'containerd://1.7.11',
  ]);
});

test('STATUS: NotReady, Unknown and cordoned nodes', (t) => {
  const n = registered();
  n.status.conditions[1].status = 'Unknown';
  t.is(nodeStatus(n), 'NotReady');
  n.spec.unschedulable = true;
  t.is(nodeStatus(n), 'NotReady,SchedulingDisabled');
  const bare = make();
  t.is(cell(bare, 'Status'), 'Unknown');
  t.is(cell(bare, 'Roles'), '<none>');
  t.is(cell(bare, 'Version'), '');
  t.is(cell(bare, 'OS-Image'), '<unknown>');
  t.is(cell(bare, 'Internal-IP'), '<none>');
});

test('roles also come from the kubernetes.io/role label', (t) => {
  t.deepEqual(nodeRoles(make({ metadata: { name: 'n', labels: { 'kubernetes.io/role': 'master', 'node-role.kubernetes.io/': '' } } })), ['master']);
});

test('taints: key, value, effect, unique key and effect', (t) => {
  const n = make({ spec: { taints: [
    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
    { key: 'dedicated', value: 'other', effect: 'NoSchedule' },
    { key: 'bad key', effect: 'NoExecute' },
    { key: 'k', effect: 'Sometimes' },
    { key: 'k2' },
  ] } });
  node.defaults!(n);
  const causes = node.validate!(n);
  t.deepEqual(causes.map((c) => c.field), ['spec.taints[1]', 'spec.taints[2].key', 'spec.taints[3].effect', 'spec.taints[4].effect']);
  t.is(causes[2].message, 'spec.taints[3].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"');
  t.is(causes[3].message, 'spec.taints[4].effect: Required value');
});

test('pod CIDRs and resource quantities are checked', (t) => {
  const n = make({ spec: { podCIDRs: ['10.244.0.0/33', 'fd00::/64'] }, status: { capacity: { cpu: 'two' } } });
  node.defaults!(n);
  t.deepEqual(node.validate!(n).map((c) => c.message), [
    'spec.podCIDRs[0]: Invalid value: "10.244.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    "status.capacity[cpu]: Invalid value: \"two\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    // allocatable was defaulted from capacity, so it carries the same bad value.
    "status.allocatable[cpu]: Invalid value: \"two\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  ]);
  t.deepEqual(node.validate!(make({ status: { capacity: { gpus: '1', 'hugepages-2Mi': '0', 'example.com/fpga': '2' } } })).map((c) => c.message),
    ['status.capacity[gpus]: Invalid value: "gpus": must be a standard resource type or fully qualified']);
  const twoV4 = make({ spec: { podCIDRs: ['10.0.0.0/24', '10.1.0.0/24'] } });
  t.deepEqual(node.validate!(twoV4).map((c) => c.field), ['spec.podCIDRs']);
});

test('podCIDR and providerID may only be set once', (t) => {
  const old = registered();
  node.defaults!(old);
  const cordon = structuredClone(old);
  cordon.spec.unschedulable = true;
  t.deepEqual(node.validate!(cordon, old), []);
  const moved = structuredClone(old);
  moved.spec.podCIDR = '10.244.9.0/24';
  moved.spec.podCIDRs = ['10.244.9.0/24'];
  moved.spec.providerID = 'aws:///us-east-1b/i-0def';
  t.deepEqual(node.validate!(moved, old).map((c) => c.message), [
    'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
  ]);
  const fresh = make({ spec: {} });
  const assigned = make({ spec: { podCIDRs: ['10.244.3.0/24'] } });
  node.defaults!(assigned);
  t.deepEqual(node.validate!(assigned, fresh), []);
  t.is(assigned.spec.podCIDR, '10.244.3.0/24');
});

test('declaration and field selector', (t) => {
  t.false(node.namespaced);
  t.deepEqual(node.shortNames, ['no']);
  t.deepEqual(node.subresources, { status: true });
  t.is(node.fields!['spec.unschedulable'](registered()), 'false');
  t.is(node.fields!['spec.unschedulable'](make({ spec: { unschedulable: true } })), 'true');
  const status = node.schema.properties!.status.properties!;
  t.is(status.conditions.patchMergeKey, 'type');
  t.is(status.addresses.patchMergeKey, 'type');
  t.is(node.schema.properties!.spec.properties!.taints.listType, 'atomic');
  t.deepEqual(node.nameRule!('metadata.name', 'ip-10-0-1-23.ec2.internal'), []);
});
