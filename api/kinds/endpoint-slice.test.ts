import test from 'ava';
import type { KObject } from '../kind.js';
import type { Cause } from '../validation/field-errors.js';
import { endpointSlice, formatSliceEndpoints, formatSlicePorts } from './endpoint-slice.js';

const make = (fields: KObject): KObject => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
  metadata: { name: 'web-abc12', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  ...fields,
});

/** What the store does on create: prepare, default, validate. */
function create(fields: KObject): { slice: KObject; messages: string[] } {
  const slice = make(structuredClone(fields));
  endpointSlice.prepareForCreate!(slice);
  endpointSlice.defaults!(slice);
  return { slice, messages: endpointSlice.validate!(slice).map((c: Cause) => c.message) };
}

/** What the store does on update: carry the old generation, prepare, default, validate against the old object. */
function update(old: KObject, fields: KObject, metadata: KObject = {}): { slice: KObject; messages: string[] } {
  const slice = { ...structuredClone(old), ...structuredClone(fields) };
  slice.metadata = { ...slice.metadata, ...metadata, generation: old.metadata.generation };
  endpointSlice.prepareForUpdate!(slice, old);
  endpointSlice.defaults!(slice);
  return { slice, messages: endpointSlice.validate!(slice, old).map((c: Cause) => c.message) };
}

const cell = (slice: KObject, column: string) => endpointSlice.columns.find((c) => c.name === column)!.cell(slice);

test('defaults: ports get an empty name and TCP, endpoints their (empty) conditions, absent lists are null', (t) => {
  const { slice, messages } = create({
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'], conditions: { ready: false, serving: true, terminating: true }, hints: { forZones: [{}] } }],
    ports: [{ port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }],
  });
  t.deepEqual(messages, []);
  t.deepEqual(slice.ports, [{ name: '', protocol: 'TCP', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }]);
  t.deepEqual(slice.endpoints[0].conditions, {});
  t.deepEqual(slice.endpoints[1].conditions, { ready: false, serving: true, terminating: true }, 'conditions are kept as given');
  t.deepEqual(slice.endpoints[1].hints, { forZones: [{ name: '' }] });
  t.is(slice.metadata.generation, 1);
  const empty = create({ addressType: 'IPv6' }).slice;
  t.is(empty.endpoints, null);
  t.is(empty.ports, null);
});

test('deprecatedTopology is dropped on writes through v1', (t) => {
  const { slice, messages } = create({ addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], deprecatedTopology: { 'kubernetes.io/hostname': 'n1', 'bad key!': 'x' } }] });
  t.deepEqual(messages, []);
  t.false('deprecatedTopology' in slice.endpoints[0]);
});

test('addressType is required, one of FQDN, IPv4 and IPv6, and immutable', (t) => {
  t.deepEqual(create({}).messages, ['addressType: Required value']);
  t.deepEqual(create({ addressType: 'IP', endpoints: [{ addresses: ['anything goes'] }] }).messages,
    ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']);
  const old = create({ addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }] }).slice;
  t.deepEqual(update(old, { addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1'] }] }).messages, ['addressType: Invalid value: "IPv6": field is immutable']);
  t.deepEqual(update(old, { endpoints: [{ addresses: ['10.0.0.2'] }] }).messages, []);
});

test('addresses: 1 to 100 per endpoint, of the slice\'s address type, and not special', (t) => {
  t.deepEqual(create({ addressType: 'IPv4', endpoints: [{ addresses: [] }, {}] }).messages, [
    'endpoints[0].addresses: Required value: must contain at least 1 address',
    'endpoints[1].addresses: Required value: must contain at least 1 address',
  ]);
  const many = Array.from({ length: 101 }, (_, i) => `10.0.${i >> 8}.${(i % 254) + 1}`);
  t.deepEqual(create({ addressType: 'IPv4', endpoints: [{ addresses: many }] }).messages, ['endpoints[0].addresses: Too many: 101: must have at most 100 items']);
  t.deepEqual(create({ addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }] }).messages, [], 'several addresses are allowed');
  t.deepEqual(create({ addressType: 'IPv4', endpoints: [{ addresses: ['nope', 'fd00::1', '127.0.0.1', '169.254.1.1', '0.0.0.0', '::ffff:10.0.0.1'] }] }).messages, [
    'endpoints[0].addresses[0]: Invalid value: "nope": must be a valid IPv4 address',
    'endpoints[0].addresses[0]: Invalid value: "nope": must be a valid IP address',
    'endpoints[0].addresses[1]: Invalid value: "fd00::1": must be a valid IPv4 address',
    'endpoints[0].addresses[2]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'endpoints[0].addresses[3]: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    'endpoints[0].addresses[4]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
  ]);
  t.deepEqual(create({ addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1', '10.0.0.1', '::ffff:10.0.0.1', '::1'] }] }).messages, [
    'endpoints[0].addresses[1]: Invalid value: "10.0.0.1": must be a valid IPv6 address',
    'endpoints[0].addresses[2]: Invalid value: "::ffff:10.0.0.1": must be a valid IPv6 address',
    'endpoints[0].addresses[3]: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
  ]);
});

test('FQDN addresses: a DNS subdomain of two labels or more, a trailing dot allowed', (t) => {
  t.deepEqual(create({ addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com', 'db.example.com.'] }] }).messages, []);
  const { messages } = create({ addressType: 'FQDN', endpoints: [{ addresses: ['', 'localhost.', 'Bad.Example', `${'a'.repeat(64)}.example.com`] }] });
  t.is(messages.length, 4);
  t.is(messages[0], 'endpoints[0].addresses[0]: Required value');
  t.is(messages[1], 'endpoints[0].addresses[1]: Invalid value: "localhost": should be a domain with at least two segments separated by dots');
  t.true(messages[2].startsWith('endpoints[0].addresses[2]: Invalid value: "Bad.Example": a lowercase RFC 1123 subdomain'), messages[2]);
  t.is(messages[3], `endpoints[0].addresses[3]: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`);
});

test('at most 1000 endpoints', (t) => {
  const endpoints = Array.from({ length: 1001 }, () => ({ addresses: ['10.0.0.1'] }));
  t.deepEqual(create({ addressType: 'IPv4', endpoints }).messages, ['endpoints: Too many: 1001: must have at most 1000 items']);
  t.deepEqual(create({ addressType: 'IPv4', endpoints: endpoints.slice(1) }).messages, []);
});

test('hostname is a DNS label, nodeName a DNS subdomain, zone hints label values and unique; zone itself is free', (t) => {
  const { messages } = create({
    addressType: 'IPv4',
    endpoints: [{
      addresses: ['10.0.0.1'], hostname: 'Web_0', nodeName: 'Node 1', zone: 'any zone at all',
      hints: { forZones: [{ name: 'us-east-1a' }, { name: 'us-east-1a' }, { name: 'not valid!' }] },
    }],
  });
  t.is(messages.length, 4);
  t.true(messages[0].startsWith('endpoints[0].nodeName: Invalid value: "Node 1": a lowercase RFC 1123 subdomain'), messages[0]);
  t.true(messages[1].startsWith('endpoints[0].hostname: Invalid value: "Web_0": a lowercase RFC 1123 label'), messages[1]);
  t.is(messages[2], 'endpoints[0].hints.forZones[1].name: Duplicate value: "us-east-1a"');
  t.true(messages[3].startsWith('endpoints[0].hints.forZones[2].name: Invalid value: "not valid!": a valid label must be an empty string'), messages[3]);
  const zones = Array.from({ length: 9 }, (_, i) => ({ name: `z${i}` }));
  t.deepEqual(create({ addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], hints: { forZones: zones } }] }).messages,
    ['endpoints[0].hints.forZones: Too many: 9: must have at most 8 items']);
  t.deepEqual(create({ addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], hostname: 'web-0', nodeName: 'ip-10-0-0-1.ec2.internal', targetRef: { kind: 'Pod', name: 'web-0', namespace: 'default' } }] }).messages, []);
});

test('ports: names DNS labels and unique, protocol TCP, UDP or SCTP, appProtocol a qualified name; the number is not checked', (t) => {
  const { messages } = create({
    addressType: 'IPv4',
    ports: [
      { name: 'http', port: 80 },
      { name: 'http', port: 8080 },
      { port: 81 },
      { port: 82 },
      { name: 'Bad_Name', port: 83 },
      { name: 'q', port: 84, protocol: 'XTP' },
      { name: 'h2', port: 85, appProtocol: 'kubernetes.io/h2c' },
      { name: 'h3', port: 86, appProtocol: 'not/a/name' },
      { name: 'any', port: 0 },
      { name: 'all' },
    ],
  });
  t.is(messages.length, 5);
  t.is(messages[0], 'ports[1].name: Duplicate value: "http"');
  t.is(messages[1], 'ports[3].name: Duplicate value: ""');
  t.true(messages[2].startsWith('ports[4].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label'), messages[2]);
  t.is(messages[3], 'ports[5].protocol: Unsupported value: "XTP": supported values: "SCTP", "TCP", "UDP"');
  t.true(messages[4].startsWith('ports[7].appProtocol: Invalid value: "not/a/name": a qualified name'), messages[4]);
  const tooMany = Array.from({ length: 20001 }, (_, i) => ({ name: `p${i}`, port: 1 }));
  t.deepEqual(create({ addressType: 'IPv4', ports: tooMany }).messages, ['ports: Too many: 20001: must have at most 20000 items']);
  t.deepEqual(endpointSlice.validate!(make({ addressType: 'IPv4', ports: [{ name: 'x', port: 1 }] })).map((c) => c.message), ['ports[0].protocol: Required value']);
});

test('generation counts changes to anything but metadata, and label changes', (t) => {
  const old = create({ addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] }).slice;
  t.is(update(old, {}).slice.metadata.generation, 1);
  t.is(update(old, { ports: [{ port: 80 }] }).slice.metadata.generation, 1, 'leaving out defaulted fields is no change');
  t.is(update(old, {}, { annotations: { a: 'b' } }).slice.metadata.generation, 1);
  t.is(update(old, {}, { labels: { 'kubernetes.io/service-name': 'web', extra: 'x' } }).slice.metadata.generation, 2);
  const moved = update(old, { endpoints: [{ addresses: ['10.0.0.2'] }] }).slice;
  t.is(moved.metadata.generation, 2);
  t.is(update(moved, { ports: [{ port: 81 }] }).slice.metadata.generation, 3);
});

test('columns: ADDRESSTYPE, PORTS and ENDPOINTS as kubectl prints them', (t) => {
  t.deepEqual(endpointSlice.columns.map((c) => [c.name, c.priority]), [['Name', 0], ['AddressType', 0], ['Ports', 0], ['Endpoints', 0], ['Age', 0]]);
  const slice = create({
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }, { addresses: ['10.0.0.5'] }],
    ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }],
  }).slice;
  t.is(cell(slice, 'Name'), 'web-abc12');
  t.is(cell(slice, 'AddressType'), 'IPv4');
  t.is(cell(slice, 'Ports'), '80,443');
  t.is(cell(slice, 'Endpoints'), '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...');
  const empty = create({ addressType: 'IPv6' }).slice;
  t.is(cell(empty, 'Ports'), '<unset>');
  t.is(cell(empty, 'Endpoints'), '<unset>');
  t.is(formatSliceEndpoints(make({ endpoints: [{ addresses: ['a.example.com'] }, { addresses: ['b.example.com'] }, { addresses: ['c.example.com'] }] })), 'a.example.com,b.example.com,c.example.com');
  // A port without a number shows its name; defaulting gives every port a (possibly empty) name; only an undefaulted one shows `*`.
  t.is(formatSlicePorts(make({ ports: [{ name: 'all' }, { port: 53 }] })), 'all,53');
  t.is(formatSlicePorts(make({ ports: [{}] })), '*');
  t.is(cell(create({ addressType: 'IPv4', ports: [{}] }).slice, 'Ports'), '<unset>');
  t.is(formatSlicePorts(make({ ports: [1, 2, 3, 4, 5].map((port) => ({ name: `p${port}`, port })) })), '1,2,3 + 2 more...');
});

test('declaration', (t) => {
  t.is(endpointSlice.group, 'discovery.k8s.io');
  t.is(endpointSlice.version, 'v1');
  t.true(endpointSlice.namespaced);
  t.is(endpointSlice.shortNames, undefined);
  t.is(endpointSlice.categories, undefined);
  t.is(endpointSlice.subresources, undefined);
  t.is(endpointSlice.fields, undefined);
  t.not(endpointSlice.allowCreateOnUpdate, true);
  const props = endpointSlice.schema.properties!;
  t.is(endpointSlice.schema.definition, 'io.k8s.api.discovery.v1.EndpointSlice');
  t.deepEqual(endpointSlice.schema.required, ['addressType', 'endpoints']);
  t.deepEqual(props.addressType.enum, ['FQDN', 'IPv4', 'IPv6']);
  t.is(props.endpoints.listType, 'atomic');
  t.is(props.ports.listType, 'atomic');
  t.is(props.endpoints.items!.properties!.addresses.listType, 'set');
  t.is(props.endpoints.items!.properties!.hints.properties!.forZones.listType, 'atomic');
  t.deepEqual(Object.keys(props.endpoints.items!.properties!.conditions.properties!), ['ready', 'serving', 'terminating']);
  t.deepEqual(Object.keys(props.ports.items!.properties!), ['name', 'protocol', 'port', 'appProtocol']);
});
