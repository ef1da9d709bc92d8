import test from 'ava';
import { parseResolvConf, podDNSConfig, type PodDNSContext } from './pod-dns.js';

const HOST = [
  '# written by the host', 'nameserver 192.168.1.1', 'nameserver 192.168.1.2', '; a comment too',
  'search stale.example', 'search corp.example. example.com', 'options timeout:2 attempts:3', '',
].join('\n');

const pod = (spec: Record<string, unknown> = {}) => ({ metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [{ name: 'c' }], ...spec } });
const context = (over: Partial<PodDNSContext> = {}): PodDNSContext => ({
  clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', hostResolvConf: () => HOST, nodeIP: '10.0.0.5', ...over,
});
const CLUSTER_SEARCHES = ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

test('resolv.conf: nameservers add up, the last search (or domain) line wins without trailing dots, the last options line wins, comments are skipped', (t) => {
  t.deepEqual(parseResolvConf(HOST), { servers: ['192.168.1.1', '192.168.1.2'], searches: ['corp.example', 'example.com'], options: ['timeout:2', 'attempts:3'] });
  t.deepEqual(parseResolvConf('nameserver\nsearch a.example\ndomain b.example\n  nameserver 1.1.1.1  # trailing\n').searches, ['b.example']);
  t.deepEqual(parseResolvConf('nameserver\n  nameserver 1.1.1.1\n').servers, ['1.1.1.1']);
  t.deepEqual(parseResolvConf(''), { servers: [], searches: [], options: [] });
});

test('ClusterFirst: the cluster DNS alone, the cluster search domains then the host\'s, ndots:5', (t) => {
  const { dnsConfig, warnings } = podDNSConfig(pod(), context());
  t.deepEqual(dnsConfig, { servers: ['10.96.0.10'], searches: [...CLUSTER_SEARCHES, 'corp.example', 'example.com'], options: ['ndots:5'] });
  t.deepEqual(warnings, []);
  // A host search domain that is a cluster one is listed once.
  t.deepEqual(podDNSConfig(pod(), context({ hostResolvConf: () => 'search cluster.local lan\n' })).dnsConfig.searches, [...CLUSTER_SEARCHES, 'lan']);
  // No cluster domain: the host's search domains only; no resolver file: none at all.
  t.deepEqual(podDNSConfig(pod(), context({ clusterDomain: '' })).dnsConfig.searches, ['corp.example', 'example.com']);
  t.deepEqual(podDNSConfig(pod(), context({ hostResolvConf: () => undefined })).dnsConfig.searches, CLUSTER_SEARCHES);
});

test('Default, ClusterFirst on the host network, and ClusterFirstWithHostNet', (t) => {
  const host = { servers: ['192.168.1.1', '192.168.1.2'], searches: ['corp.example', 'example.com'], options: ['timeout:2', 'attempts:3'] };
  t.deepEqual(podDNSConfig(pod({ dnsPolicy: 'Default' }), context()).dnsConfig, host);
  t.deepEqual(podDNSConfig(pod({ dnsPolicy: 'ClusterFirst', hostNetwork: true }), context()).dnsConfig, host);
  t.deepEqual(podDNSConfig(pod({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }), context()).dnsConfig.servers, ['10.96.0.10']);
  t.deepEqual(podDNSConfig(pod({ dnsPolicy: 'ClusterFirstWithHostNet' }), context()).dnsConfig.servers, ['10.96.0.10']);
  // --resolv-conf="": the loopback of the node's family, and a search list that searches nothing.
  t.deepEqual(podDNSConfig(pod({ dnsPolicy: 'Default' }), context({ hostResolvConf: () => undefined })).dnsConfig, { servers: ['127.0.0.1'], searches: ['.'], options: [] });
  t.deepEqual(podDNSConfig(pod({ dnsPolicy: 'Default' }), context({ hostResolvConf: () => undefined, nodeIP: 'fd00::5' })).dnsConfig.servers, ['::1']);
});

test('without --cluster-dns, ClusterFirst falls back to Default and warns about the node and the pod', (t) => {
  const { dnsConfig, warnings } = podDNSConfig(pod(), context({ clusterDNS: [] }));
  t.deepEqual(dnsConfig.servers, ['192.168.1.1', '192.168.1.2']);
  t.deepEqual(dnsConfig.options, ['timeout:2', 'attempts:3']);
  t.deepEqual(warnings.map((w) => [w.about, w.reason]), [['node', 'MissingClusterDNS'], ['pod', 'MissingClusterDNS']]);
  t.regex(warnings[1].message, /^pod "shop\/web": the node agent has no --cluster-dns/);
  t.deepEqual(podDNSConfig(pod({ dnsPolicy: 'Default' }), context({ clusterDNS: [] })).warnings, [], 'Default never wanted the cluster DNS');
});

test('None: only the pod\'s dnsConfig, and the host file is not read', (t) => {
  const config = { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] };
  const { dnsConfig } = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: config }), context({ hostResolvConf: () => { throw new Error('the host file was read'); } }));
  t.deepEqual(dnsConfig, { servers: ['1.1.1.1'], searches: ['a.example'], options: ['ndots:2', 'edns0'] });
});

test('dnsConfig merges on top: servers and searches appended once each, options by name with the pod\'s value in place', (t) => {
  const { dnsConfig } = podDNSConfig(pod({
    dnsConfig: { nameservers: ['10.96.0.10', '8.8.8.8'], searches: ['cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '1' }, { name: 'single-request' }] },
  }), context({ hostResolvConf: () => undefined }));
  t.deepEqual(dnsConfig, { servers: ['10.96.0.10', '8.8.8.8'], searches: [...CLUSTER_SEARCHES, 'extra.example'], options: ['ndots:1', 'single-request'] });
});

test('limits: 3 nameservers; 32 search domains, none over 253 characters, 2048 characters in all, cut from the end; each cut a DNSConfigForming warning', (t) => {
  const servers = podDNSConfig(pod({ dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] } }), context());
  t.deepEqual(servers.dnsConfig.servers, ['10.96.0.10', '1.1.1.1', '8.8.8.8']);
  t.deepEqual(servers.warnings.map((w) => w.reason), ['DNSConfigForming']);

  const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
  const counted = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches: many } }), context());
  t.deepEqual(counted.dnsConfig.searches, many.slice(0, 32));
  t.is(counted.warnings[0].reason, 'DNSConfigForming');

  const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(20)}`;
  t.is(long.length, 264);
  t.deepEqual(podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches: ['x.example', long] } }), context()).dnsConfig.searches, ['x.example']);

  // 20 domains of 200 characters: 20 * 201 - 1 characters; whole domains come off the end until at most 2048 are left.
  const wide = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'w'.repeat(190)}.example`);
  const fitted = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches: wide } }), context());
  t.deepEqual(fitted.dnsConfig.searches, wide.slice(0, 10));
  t.true(fitted.dnsConfig.searches.join(' ').length <= 2048);
  t.deepEqual(fitted.warnings.map((w) => w.reason), ['DNSConfigForming']);
});
