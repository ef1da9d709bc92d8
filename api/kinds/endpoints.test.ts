import test from 'ava';
import type { KObject } from '../kind.js';
import { endpoints, formatEndpoints, repackSubsets } from './endpoints.js';

const make = (subsets: KObject[]): KObject => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets });
const endpointsCell = (ep: KObject) => endpoints.columns.find((c) => c.name === 'Endpoints')!.cell(ep);

test('ports default to TCP', (t) => {
  const ep = make([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }]);
  endpoints.defaults!(ep);
  t.is(ep.subsets[0].ports[0].protocol, 'TCP');
  t.deepEqual(endpoints.validate!(ep), []);
});

test('addresses and ports are validated', (t) => {
  const ep = make([
    { ports: [{ port: 80, protocol: 'TCP' }] },
    { addresses: [{ ip: 'nope' }, { ip: '127.0.0.1', hostname: 'Bad_Host' }], ports: [{ port: 70000, protocol: 'TCP' }, { port: 81, protocol: 'XTP' }] },
  ]);
  const messages = endpoints.validate!(ep).map((c) => c.message);
  t.deepEqual(messages, [
    'subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`',
    'subsets[1].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    'subsets[1].addresses[0].ip: Invalid value: "nope": must be a valid IP address',
    messages[3],
    'subsets[1].addresses[1].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'subsets[1].ports[0].name: Required value',
    'subsets[1].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'subsets[1].ports[1].name: Required value',
    'subsets[1].ports[1].protocol: Unsupported value: "XTP": supported values: "SCTP", "TCP", "UDP"',
  ]);
  t.true(messages[3].startsWith('subsets[1].addresses[1].hostname: Invalid value: "Bad_Host": a lowercase RFC 1123 label'));
  // Invalid input is left as given.
  t.is(ep.subsets.length, 2);
});

test('valid subsets are repacked by port set and sorted by IP', (t) => {
  const ep = make([
    { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    { addresses: [{ ip: '10.0.0.1' }], notReadyAddresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  ]);
  t.deepEqual(endpoints.validate!(ep), []);
  t.deepEqual(ep.subsets, [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]);
  const split = repackSubsets([{ addresses: [{ ip: '10.0.0.3' }, { ip: '10.0.0.1' }], ports: [{ port: 80 }] }, { addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 443 }] }]);
  t.deepEqual(split, [
    { addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 443 }] },
    { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.3' }], ports: [{ port: 80 }] },
  ]);
});

test('ENDPOINTS cell shows at most three endpoints', (t) => {
  t.is(endpointsCell(make([])), '<none>');
  t.is(endpointsCell({ metadata: { name: 'x' } }), '<none>');
  const ep = make([{ addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip })), ports: [{ port: 80 }, { port: 443 }] }]);
  t.is(endpointsCell(ep), '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 5 more...');
  t.is(formatEndpoints(make([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }])), '10.0.0.1:80');
  t.is(formatEndpoints(make([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }])), '[fd00::1]:80');
  t.is(formatEndpoints(make([{ addresses: [{ ip: '10.0.0.9' }] }])), '10.0.0.9');
  t.is(formatEndpoints(make([{ notReadyAddresses: [{ ip: '10.0.0.9' }], ports: [{ port: 80 }] }])), '');
});

test('declaration', (t) => {
  t.deepEqual(endpoints.shortNames, ['ep']);
  t.true(endpoints.namespaced);
  t.is(endpoints.subresources, undefined);
  t.is(endpoints.schema.properties!.subsets.listType, 'atomic');
  t.is(endpoints.schema.properties!.subsets.patchStrategy, undefined);
  t.deepEqual(endpoints.columns.map((c) => c.name), ['Name', 'Endpoints', 'Age']);
});
