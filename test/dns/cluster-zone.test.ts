import test from 'ava';
import { AUTHORITATIVE_ANSWER } from 'dns-packet';
import { ENDPOINT_SLICES, SERVICES } from '../../client/resources.js';
import type { RestClient } from '../../client/rest-client.js';
import { adminClient, startCluster, type TestCluster } from '../helpers/apiserver.js';
import { answerData, query } from '../helpers/dns-query.js';
import { eventually } from '../helpers/eventually.js';
import { createNamespace, createService, createSlice, fetchText, startDns, type RunningDns } from './dns-fixtures.js';

const NS = 'dns-zone';
const zone = (name: string) => `${name}.${NS}.svc.cluster.local`;

let cluster: TestCluster;
let admin: RestClient;
let dns: RunningDns;

test.before(async () => {
  cluster = await startCluster();
  admin = adminClient(cluster);
  await createNamespace(admin, NS);
  await createService(admin, NS, 'web', { clusterIP: '10.96.1.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] });
  await createService(admin, NS, 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] });
  await createSlice(admin, NS, 'db', 'db-a', [
    { ip: '10.244.1.1', hostname: 'db-0', ready: true },
    { ip: '10.244.1.2' },
    { ip: '10.244.1.3', hostname: 'db-2', ready: false },
  ], [{ name: 'pg', port: 15432, protocol: 'TCP' }]);
  await createService(admin, NS, 'peers', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'gossip', port: 7946 }] });
  await createSlice(admin, NS, 'peers', 'peers-a', [{ ip: '10.244.2.1', ready: false }, { ip: '10.244.2.2', ready: true }]);
  await createService(admin, NS, 'v6', { clusterIP: 'None' });
  await createSlice(admin, NS, 'v6', 'v6-a', [{ ip: 'fd00:10:244::5', hostname: 'six' }], [], 'IPv6');
  await createService(admin, NS, 'ext', { type: 'ExternalName', externalName: 'db.example.com' });
  dns = await startDns(cluster);
});

test.after.always(async () => {
  await dns?.stop();
  admin?.close();
  await cluster?.stop();
});

test('a ClusterIP Service\'s name answers its cluster IP, authoritatively, with TTL 5, over UDP and TCP', async (t) => {
  for (const transport of ['udp', 'tcp'] as const) {
    const reply = await query(dns.port, zone('web'), 'A', { transport });
    t.is(reply.rcode, 'NOERROR');
    t.truthy((reply.flags ?? 0) & AUTHORITATIVE_ANSWER);
    t.deepEqual(answerData(reply, 'A'), ['10.96.1.10']);
    t.is(reply.answers![0].name, zone('web'));
    t.is((reply.answers![0] as { ttl: number }).ttl, 5);
  }
});

test('names are case-insensitive and answered as they were asked', async (t) => {
  const asked = 'WEB.Dns-Zone.SVC.Cluster.Local';
  const reply = await query(dns.port, asked, 'A');
  t.deepEqual(answerData(reply, 'A'), ['10.96.1.10']);
  t.is(reply.answers![0].name, asked);
  t.is(reply.questions![0].name, asked);
});

test('an IPv4 Service asked for AAAA is NODATA: NOERROR, no answers, the zone\'s SOA', async (t) => {
  const reply = await query(dns.port, zone('web'), 'AAAA');
  t.is(reply.rcode, 'NOERROR');
  t.deepEqual(reply.answers, []);
  t.is(reply.authorities?.[0]?.type, 'SOA');
  t.is(reply.authorities?.[0]?.name, 'cluster.local');
});

test('names in the zone that do not exist are NXDOMAIN with the SOA', async (t) => {
  for (const name of [zone('nothere'), 'web.no-such-namespace.svc.cluster.local', `x.y.${zone('web')}`, 'foo.cluster.local', `db-2.${zone('db')}`, `db-0.${zone('web')}`]) {
    const reply = await query(dns.port, name, 'A');
    t.is(reply.rcode, 'NXDOMAIN', name);
    t.deepEqual(reply.answers, [], name);
    t.is(reply.authorities?.[0]?.type, 'SOA', name);
  }
  t.is((await query(dns.port, `${NS}.svc.cluster.local`, 'A')).rcode, 'NOERROR', 'a namespace is a name that exists');
});

test('a headless Service answers its ready endpoints (ready true or unset), each also under its hostname or dashed address', async (t) => {
  t.deepEqual(answerData(await query(dns.port, zone('db'), 'A'), 'A'), ['10.244.1.1', '10.244.1.2']);
  t.deepEqual(answerData(await query(dns.port, `db-0.${zone('db')}`, 'A'), 'A'), ['10.244.1.1']);
  t.deepEqual(answerData(await query(dns.port, `10-244-1-2.${zone('db')}`, 'A'), 'A'), ['10.244.1.2']);
  t.is((await query(dns.port, `10-244-1-1.${zone('db')}`, 'A')).rcode, 'NXDOMAIN', 'an endpoint with a hostname goes by its hostname');
});

test('IPv6 endpoints answer AAAA, not A, and their PTR under ip6.arpa', async (t) => {
  t.deepEqual(answerData(await query(dns.port, zone('v6'), 'AAAA'), 'AAAA'), ['fd00:10:244::5']);
  const a = await query(dns.port, zone('v6'), 'A');
  t.is(a.rcode, 'NOERROR');
  t.deepEqual(a.answers, []);
  const reverse = `${[...'fd00001002440000000000000000'.padEnd(31, '0'), '5'].reverse().join('.')}.ip6.arpa`;
  t.deepEqual(answerData(await query(dns.port, reverse, 'PTR'), 'PTR'), [`six.${zone('v6')}`]);
});

test('publishNotReadyAddresses publishes the endpoints that are not ready too', async (t) => {
  t.deepEqual(answerData(await query(dns.port, zone('peers'), 'A'), 'A'), ['10.244.2.1', '10.244.2.2']);
});

test('an ExternalName Service is a CNAME to its external name', async (t) => {
  const reply = await query(dns.port, zone('ext'), 'A');
  t.is(reply.rcode, 'NOERROR');
  t.deepEqual(answerData(reply, 'CNAME'), ['db.example.com']);
});

test('SRV for a named port: the Service\'s name and port, or for a headless Service each ready endpoint with its port and address', async (t) => {
  const web = await query(dns.port, `_http._tcp.${zone('web')}`, 'SRV');
  t.deepEqual(answerData(web, 'SRV').map((d: any) => `${d.port} ${d.target}`), [`80 ${zone('web')}`]);
  t.deepEqual(answerData(await query(dns.port, `_dns._udp.${zone('web')}`, 'SRV'), 'SRV').map((d: any) => d.port), [53]);
  t.is((await query(dns.port, `_http._udp.${zone('web')}`, 'SRV')).rcode, 'NXDOMAIN', 'the protocol must match');

  const db = await query(dns.port, `_pg._tcp.${zone('db')}`, 'SRV');
  t.deepEqual(answerData(db, 'SRV').map((d: any) => `${d.port} ${d.target}`), [`15432 10-244-1-2.${zone('db')}`, `15432 db-0.${zone('db')}`]);
  t.deepEqual((db.additionals ?? []).filter((a) => a.type === 'A').map((a) => `${a.name} ${(a as { data: string }).data}`).sort(),
    [`10-244-1-2.${zone('db')} 10.244.1.2`, `db-0.${zone('db')} 10.244.1.1`]);
});

test('PTR for a cluster IP names its Service; for a headless endpoint\'s address, the endpoint under its Service', async (t) => {
  t.deepEqual(answerData(await query(dns.port, '10.1.96.10.in-addr.arpa', 'PTR'), 'PTR'), [zone('web')]);
  t.deepEqual(answerData(await query(dns.port, '1.1.244.10.in-addr.arpa', 'PTR'), 'PTR'), [`db-0.${zone('db')}`]);
  t.deepEqual(answerData(await query(dns.port, '2.1.244.10.in-addr.arpa', 'PTR'), 'PTR'), [`10-244-1-2.${zone('db')}`]);
  t.is((await query(dns.port, '9.9.9.9.in-addr.arpa', 'PTR')).rcode, 'REFUSED', 'other addresses go upstream, and there is none');
});

test('pod records: a dashed address in an existing namespace is that address', async (t) => {
  t.deepEqual(answerData(await query(dns.port, `10-244-3-4.${NS}.pod.cluster.local`, 'A'), 'A'), ['10.244.3.4']);
  t.is((await query(dns.port, '10-244-3-4.no-such-namespace.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
  t.is((await query(dns.port, `not-an-ip.${NS}.pod.cluster.local`, 'A')).rcode, 'NXDOMAIN');
});

test('names outside the zone are REFUSED without an upstream', async (t) => {
  const reply = await query(dns.port, 'example.org', 'A');
  t.is(reply.rcode, 'REFUSED');
  t.falsy((reply.flags ?? 0) & AUTHORITATIVE_ANSWER);
});

test('records follow Services and slices as they change', async (t) => {
  await createService(admin, NS, 'late', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] });
  await createSlice(admin, NS, 'late', 'late-a', [{ ip: '10.244.4.1' }]);
  await eventually('late to resolve', async () => answerData(await query(dns.port, zone('late'), 'A'), 'A').join() === '10.244.4.1');
  const slice = await admin.get(ENDPOINT_SLICES, 'late-a', { namespace: NS });
  await admin.update(ENDPOINT_SLICES, { ...slice, endpoints: [{ addresses: ['10.244.4.2'] }, { addresses: ['10.244.4.1'], conditions: { ready: false } }] });
  await eventually('late to follow its slice', async () => answerData(await query(dns.port, zone('late'), 'A'), 'A').join() === '10.244.4.2');
  await admin.delete(SERVICES, 'late', { namespace: NS });
  await eventually('late to be gone', async () => (await query(dns.port, zone('late'), 'A')).rcode === 'NXDOMAIN');
  t.pass();
});

test('/metrics carries CoreDNS\'s request metrics', async (t) => {
  await query(dns.port, zone('web'), 'A');
  const { status, text } = await fetchText(`${dns.serving!.url}/metrics`);
  t.is(status, 200);
  t.regex(text, new RegExp(`^coredns_dns_requests_total\\{server="dns://127\\.0\\.0\\.1:${dns.port}",zone="cluster\\.local\\.",view="",proto="udp",family="1",type="A"\\} \\d+`, 'm'));
  t.regex(text, /^coredns_dns_responses_total\{[^}]*rcode="NOERROR"[^}]*\} \d+/m);
  t.regex(text, /^coredns_dns_request_duration_seconds_count\{[^}]*type="A"\} \d+/m);
});
